"""Whether pa2 runs under a notebook's `!` (Jupyter, JupyterLab, VS Code, Colab), and what changes.

A notebook runs `!pa2 ...` on a pseudo-terminal (IPython's `system` uses pexpect), so stdout
*is* a terminal, but the cell shows every frame that a live display redraws with cursor
controls (`ESC[1A`, `ESC[2K`, `ESC[?25l`) as a new block of lines, and no key presses reach the
command. "Is a terminal" is not enough; the kernel's environment, which the command inherits,
tells it apart. What this relies on (checked in ipykernel 7.4, jupyter_client 8.10):

- every IPython kernel (ipykernel's `ZMQInteractiveShell.init_environment`, which Colab's shell
  inherits) sets `TERM=xterm-color`, `CLICOLOR=1`, `FORCE_COLOR=1`, `CLICOLOR_FORCE=1`;
- Jupyter's kernel launcher (jupyter_client `launch_kernel`) sets `JPY_PARENT_PID`, and
  ipykernel sets `MPLBACKEND=module://matplotlib_inline.backend_inline` when it is unset (so
  kernels started by other front ends, VS Code's, are found too);
- a Colab runtime sets `COLAB_RELEASE_TAG` (and `COLAB_GPU`, possibly empty) for every process.

So: a Colab marker, or `TERM=xterm-color` with a Jupyter marker. Rich's own Jupyter detection
(`get_ipython()` is a `ZMQInteractiveShell`) only works inside the kernel process, not in a
command it starts. `TTY_INTERACTIVE` (Rich's switch: 0 plain output, 1 live display), when the
user sets it, wins over all of this.

In a notebook shell `prepare()` sets `TTY_INTERACTIVE=0`, so every Rich console is not
interactive (progress becomes plain lines, no cursor movement), keeps colours (notebooks render
ANSI colour codes; the kernel set FORCE_COLOR), takes the width from `JUPYTER_COLUMNS` when that
is set, and makes stdin report that it is not a terminal, so the explain stepper shows every
step at once and prompts read whole lines (Colab forwards typed lines; Jupyter sends none).
Nothing here prints.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

KERNEL_TERM = "xterm-color"
INLINE_BACKENDS = ("module://matplotlib_inline", "module://ipykernel")
COLAB_MARKERS = ("COLAB_RELEASE_TAG", "COLAB_GPU")


def notebook_shell(environ: Mapping[str, str] | None = None) -> str | None:
    """"Colab" or "Jupyter" when this process was started by a notebook kernel, else None."""
    environ = os.environ if environ is None else environ
    if any(name in environ for name in COLAB_MARKERS):
        return "Colab"
    if environ.get("TERM") != KERNEL_TERM:
        return None
    backend = environ.get("MPLBACKEND", "")
    if "JPY_PARENT_PID" in environ or backend.startswith(INLINE_BACKENDS):
        return "Jupyter"
    return None


class NotATerminal:
    """stdin as it was, except that it says it is not a terminal (nothing types into it)."""

    def __init__(self, stream):
        self._stream = stream

    def isatty(self) -> bool:
        return False

    def __iter__(self):
        return iter(self._stream)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def prepare(environ: dict | None = None) -> str | None:
    """Adapt the process to a notebook shell (see above); return its name, None elsewhere."""
    environ = os.environ if environ is None else environ
    if "TTY_INTERACTIVE" in environ:
        return None  # the user's choice, which Rich reads itself
    shell = notebook_shell(environ)
    if shell is None:
        return None
    environ["TTY_INTERACTIVE"] = "0"
    columns = environ.get("JUPYTER_COLUMNS", "")
    if "COLUMNS" not in environ and columns.isdigit() and 40 <= int(columns) <= 1000:
        environ["COLUMNS"] = columns
    if sys.stdin is not None and not isinstance(sys.stdin, NotATerminal):
        sys.stdin = NotATerminal(sys.stdin)
    return shell

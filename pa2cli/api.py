"""The Python API, for a notebook: `pa2cli.sweep(**options)` and `pa2cli.load(folder)`.

`sweep(wd=[1e-4, 1e-3], epochs=5, seeds=3, ...)` is `pa2 sweep --wd 1e-4 1e-3 --epochs 5
--seeds 3 ...`: every keyword is the name of one of the command's options (`data_dir` for
`--data-dir`; flags such as `no_baseline`, `resume` take True or False). The keywords are
turned into the command line and the Click command itself parses, validates and runs it, so a
bad keyword or value raises the `UserError` whose one line the CLI prints, and the same results
folder is written (`out`, default a new `runs/<date-time>`). It returns a `SweepResult`
(`sweep_result.py`) read back from that folder; `load(folder)` reads a saved one.

Differences from the shell, on purpose: the text plots are off unless `no_plot=False` (the
figures come from `.figure()`), and in a notebook kernel the console is Rich's Jupyter console
(its live progress is a widget, so this needs ipywidgets, as Colab and most Jupyter installs
have; without it the progress is plain lines, as under `!pa2`). A Ctrl-C (the notebook's stop
button) prints how to resume and raises `KeyboardInterrupt`; the kernel's own Ctrl-C handling
is put back afterwards. Only click is imported until a sweep runs; torch comes with the sweep.
"""

from __future__ import annotations

import json
import math
import os
import signal
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from difflib import get_close_matches
from pathlib import Path

from pa2cli.errors import UserError, excerpt, shorten_runs

HELP_FIX = "See `pa2 sweep --help`."
INTERRUPTED_EXIT = 130
API_DEFAULTS = {"no_plot": True}  # the notebook draws figures with .figure()


def _command():
    from pa2cli.sweep.command import sweep

    return sweep


def option_names() -> list[str]:
    """The keywords `sweep()` takes: the `pa2 sweep` options' parameter names, in --help order."""
    import click

    return [p.name for p in _command().params if isinstance(p, click.Option)
            and p.name != "help"]


def _unknown(name: str, known: list[str]) -> UserError:
    close = get_close_matches(name, known, n=1)
    hint = f"Did you mean {close[0]}? " if close else ""
    return UserError("not an option of pa2 sweep", where=f"keyword {excerpt(str(name))}",
                     fix=f"{hint}The keywords are: {', '.join(known)}.")


def _text(value) -> str:
    """One option value as the shell would write it (a float keeps every digit)."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _values(name: str, value) -> list[str]:
    """A keyword that takes several values (`wd=[0, 1e-3]`, `augment=["flip"]`) as text."""
    if isinstance(value, (str, bytes, int, float)) or not isinstance(value, Iterable):
        return [_text(value)]
    values = [_text(v) for v in value]
    if name == "augment":
        return [",".join(values)]
    return values or [""]  # an empty list is refused like `--wd ""`


def command_line(options: dict) -> list[str]:
    """The `pa2 sweep` arguments for the keyword options (UserError for an unknown keyword or a
    flag that is not True or False); None leaves an option at its default."""
    import click

    params = {p.name: p for p in _command().params if isinstance(p, click.Option)}
    args: list[str] = []
    for name, value in options.items():
        param = params.get(name)
        if param is None:
            raise _unknown(name, option_names())
        if value is None:
            continue
        option = max(param.opts, key=len)
        if param.is_flag:
            if not isinstance(value, bool):
                raise UserError(f"{excerpt(value)} is not True or False",
                                where=f"keyword {name} ({option})",
                                fix=f"Give {name}=True or leave it out.")
            if value:
                args.append(option)
        elif name == "model_args" and isinstance(value, dict):
            args.append(f"{option}={json.dumps(value)}")
        elif param.multiple or name == "augment":
            args += [f"{option}={text}" for text in _values(name, value)]
        else:
            args.append(f"{option}={_text(value)}")
    return args


def _in_kernel() -> bool:
    """Whether this is a notebook kernel (Rich's own test: IPython's ZMQ shell, or Colab's)."""
    from rich.console import _is_jupyter

    return _is_jupyter()


def notebook_console():
    """The console a sweep prints to: Rich's Jupyter console in a kernel with ipywidgets (live
    progress as a widget), plain coloured lines in a kernel without, the terminal elsewhere."""
    from rich.console import Console

    if not _in_kernel():
        return Console(highlight=False)
    try:
        import ipywidgets  # noqa: F401 - Rich's Jupyter live display is an ipywidgets.Output
    except ImportError:
        return Console(highlight=False, force_jupyter=False, force_terminal=True,
                       force_interactive=False, width=100)
    return Console(highlight=False)


@contextmanager
def _kernel_sigint_kept():
    """The SIGINT handler as it was before the sweep (a kernel's, which interrupts a cell)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def sweep(**options):
    """Run `pa2 sweep` with these options (keywords named as its options, `wd=[1e-4, 1e-3]`)
    and return the `SweepResult` read from its results folder. See `pa2 sweep --help`."""
    __tracebackhide__ = True  # IPython shows the error, not pa2's frames
    import click

    options = {**API_DEFAULTS, **options}
    args = command_line(options)
    if options.get("out") is None and not options.get("resume"):
        from pa2cli.sweep.session import default_out

        options["out"] = str(default_out())
        args.append(f"--out={options['out']}")
    try:
        with _kernel_sigint_kept():
            code = _command().main(args=args, prog_name="pa2 sweep", standalone_mode=False,
                                   obj={"console": notebook_console()})
    except UserError as error:
        raise error.with_traceback(None) from None
    except click.UsageError as error:  # a Click type's message, as the CLI prints it
        raise UserError(shorten_runs(error.format_message()), fix=HELP_FIX) from None
    except click.ClickException as error:
        raise UserError(shorten_runs(error.format_message())) from None
    if code == INTERRUPTED_EXIT:
        raise KeyboardInterrupt(f"sweep interrupted; continue it with "
                                f"pa2cli.sweep(out={options['out']!r}, resume=True)")
    return load(options["out"])


def load(folder):
    """The saved sweep in `folder` (its results.json) as a `SweepResult`; UserError if it is
    missing or malformed, naming the field."""
    __tracebackhide__ = True
    from pa2cli.sweep.store import load_results
    from pa2cli.sweep_result import SweepResult

    try:
        return SweepResult(Path(folder), load_results(Path(folder)))
    except UserError as error:
        raise error.with_traceback(None) from None

"""The standard streams made safe once, at start-up, and the one verdict on a failed output.

`prepare()` runs first in `pa2cli.cli.main()`:
- A closed stdin/stdout/stderr (`0<&-`, `>&-`) gets /dev/null on its file descriptor, so no file
  pa2 opens later takes its place. A closed stdin then reads as empty (the quiz behaves as at the
  end of a pipe); a closed stdout becomes `ClosedOutput`, whose writes fail, so a command never
  "succeeds" with its output lost.
- Input that is not valid UTF-8 (Latin-1, UTF-16) is decoded with U+FFFD replacements instead
  of raising; the answer reader then names the problem.
- Output that the terminal's encoding cannot show degrades instead of raising: in a non-UTF
  encoding (`PYTHONIOENCODING=ascii`, a legacy locale) typographic characters become ASCII look-
  alikes (— -> -, ✓ -> v, δ -> delta) and anything else `?`; lone surrogates (from a JSON file)
  become `\\udXXX` escapes. An ASCII stream is re-wrapped in the `pa2-ascii` codec, which Click
  leaves alone (Click would re-wrap plain ASCII as UTF-8) and in which Rich draws ASCII boxes.

COLUMNS and LINES are clamped to 1000 (a huge value made every render take minutes); 0 or a
value that is not a number counts as unset.

`output_failed()` says whether an OSError came from writing stdout (a full disk, /dev/full, a
closed stdout); main() then prints one line instead of a traceback. Nothing else here prints.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
import unicodedata

ASCII_CODEC = "pa2-ascii"
_ERRORS = "pa2-replace"

# Look-alikes for the non-ASCII characters pa2's own text uses; anything else becomes "?".
LOOKALIKES = {
    "—": "-", "–": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
    "·": "*", "⋅": "*", "×": "x", "÷": "/", "→": "->", "←": "<-", "↔": "<->", "⇒": "=>",
    "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "±": "+/-", "√": "sqrt", "∑": "sum", "Σ": "sum",
    "∂": "d", "∇": "grad", "δ": "delta", "Δ": "Delta", "η": "eta", "σ": "sigma", "λ": "lambda",
    "α": "alpha", "β": "beta", "θ": "theta", "μ": "mu", "ε": "eps", "π": "pi", "τ": "tau",
    "ŷ": "y^", "²": "^2", "³": "^3", "⁻": "^-", "¹": "^1", "ᵀ": "^T", "₁": "1", "₂": "2",
    "✓": "v", "✗": "x", "★": "*", "•": "*", "●": "*", "▶": ">", "│": "|", "─": "-",
    "\u00a0": " ", "‖": "||", "∥": "||", "ˣ": "^x", "ⁿ": "^n", "½": "1/2", "¼": "1/4",
    "′": "'", "″": "''", "∈": "in", "∉": "not in", "⊙": "(*)", "∞": "inf", "↳": "->",
    "↦": "|->", "⟨": "<", "⟩": ">", "∘": "o", "∗": "*", "∓": "-/+", "∝": "~", "≡": "==",
    "⋯": "...", "°": "deg", "¬": "not ", "\u0302": "^",
}


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start:error.end]
    out = []
    for char in chunk:
        if "\ud800" <= char <= "\udfff":
            out.append(f"\\u{ord(char):04x}")  # a lone surrogate from a JSON file
        else:
            out.append(_lookalike(char))
    return "".join(out), error.end


def _lookalike(char: str) -> str:
    """An ASCII stand-in: the table, else the compatibility form (ⱼ -> j, ℝ -> R), else the
    Greek letter's name (φ -> phi), else `?`."""
    if char in LOOKALIKES:
        return LOOKALIKES[char]
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if plain:
        return plain
    name = unicodedata.name(char, "")
    if name.startswith("GREEK SMALL LETTER "):
        return name.rsplit(" ", 1)[-1].lower()
    if name.startswith("GREEK CAPITAL LETTER "):
        return name.rsplit(" ", 1)[-1].capitalize()
    return "?"


def _ascii_encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    return codecs.ascii_encode(text, _ERRORS)


class _AsciiEncoder(codecs.IncrementalEncoder):
    def encode(self, text: str, final: bool = False) -> bytes:
        return codecs.ascii_encode(text, _ERRORS)[0]


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != ASCII_CODEC:
        return None
    ascii_codec = codecs.lookup("ascii")
    return codecs.CodecInfo(_ascii_encode, ascii_codec.decode, name=ASCII_CODEC,
                            incrementalencoder=_AsciiEncoder,
                            incrementaldecoder=ascii_codec.incrementaldecoder)


_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        codecs.register_error(_ERRORS, _replace)
        codecs.register(_search)
        _registered = True


class ClosedOutput(io.TextIOBase):
    """Stands in for a closed stdout: every non-empty write fails as writing to fd 1 would."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        if text:
            raise OSError(errno.EBADF, "standard output is closed")
        return 0

    def isatty(self) -> bool:
        return False


class GuardedOutput(io.TextIOWrapper):
    """stdout as before, except that it remembers a failed write, so main() can tell that the
    OSError it caught came from the output (and not from, say, reading a file)."""

    failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as error:
            self.failed = error
            raise

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            self.failed = error
            raise


def _occupy(fd: int) -> bool:
    """Put /dev/null on `fd` if it is closed; return whether it was closed."""
    try:
        os.fstat(fd)
        return False
    except OSError:
        pass
    null = os.open(os.devnull, os.O_RDWR)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
    return True


def _safe_output(stream, guarded: bool = False):
    """The same stream, with the error handling above; stdout is re-wrapped as GuardedOutput."""
    if not isinstance(stream, io.TextIOWrapper):
        return stream  # already replaced (a test runner): leave it alone
    encoding = codecs.lookup(stream.encoding).name
    if encoding.startswith("utf"):
        errors = "backslashreplace"  # only lone surrogates can fail
    else:
        errors = _ERRORS  # latin-1, cp1252, …: look-alikes for the rest
        encoding = ASCII_CODEC if encoding == "ascii" else encoding
    if not guarded and encoding != ASCII_CODEC:
        stream.reconfigure(errors=errors)
        return stream
    stream.flush()
    kind = GuardedOutput if guarded else io.TextIOWrapper
    return kind(stream.buffer, encoding=encoding, errors=errors,
                line_buffering=stream.line_buffering, write_through=stream.write_through)


MAX_COLUMNS = 1000  # wider than any real terminal; COLUMNS=99999999 took Rich minutes


def _bound_terminal_size() -> None:
    """Clamp COLUMNS/LINES from the environment (read by Rich and Click) to MAX_COLUMNS; a value
    that is not a positive whole number is dropped, so the real terminal size is used."""
    for name in ("COLUMNS", "LINES"):
        value = os.environ.get(name)
        if value is None:
            continue
        if value.strip().isdigit() and value.strip().isascii() and int(value) > 0:
            os.environ[name] = str(min(int(value), MAX_COLUMNS))
        else:  # 0, negative, not a number: as if unset
            del os.environ[name]


def prepare() -> None:
    """Make stdin, stdout and stderr safe for everything pa2 reads and prints (see above)."""
    _register()
    _bound_terminal_size()
    if _occupy(0) or sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as stdin
    elif isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    closed_out = _occupy(1) or sys.stdout is None
    _occupy(2)
    sys.stdout = ClosedOutput() if closed_out else _safe_output(sys.stdout, guarded=True)
    if sys.stderr is not None:
        sys.stderr = _safe_output(sys.stderr)


def output_failed() -> bool:
    """After an OSError: was it stdout that could not be written (full, closed, broken)?"""
    stream = sys.stdout
    return isinstance(stream, ClosedOutput) or getattr(stream, "failed", None) is not None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so the interpreter's last flush of a broken stdout is quiet."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    sys.stdout = None

"""The one user-error type, and `excerpt()`: the only way user text is quoted in a message.

A `UserError` is a mistake the user can fix (a bad file, an unknown name, a bad option value).
It carries what is wrong, where (a field, a JSON path, a file) and how to fix it, and Click
turns it into exactly one line on stderr and exit status 2. Code that raises it never prints.

Every message that restates something the user typed or wrote (an answer, a name, a topic, a
value from a file) quotes it through `excerpt()`, so a 10 MB line costs the same to report as a
short one and control characters never reach the terminal raw.
"""

from __future__ import annotations

import re

import click

EXCERPT_LENGTH = 40
MAX_WHERE, MAX_PROBLEM = 120, 600


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def _printable(text: str) -> str:
    """Newlines and tabs become spaces; other control codes and lone surrogates are escaped."""
    if not text.isprintable():
        text = "".join(" " if c in "\t\n\r" else c if c.isprintable() else repr(c)[1:-1]
                       for c in text)
    return " ".join(text.split())


def printable(text: str) -> str:
    """`text` safe to print inside a line: terminal control codes (ESC…), bidirectional overrides,
    zero-width and other invisible characters, lone surrogates and line breaks are shown as
    escapes (`\\x1b`, `\\u202e`); printable text is unchanged. For names that come from a file
    or a file name (a network's label, a saved quiz's command)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


_LONG_RUN = re.compile(r"\S{%d,}" % (2 * EXCERPT_LENGTH))


def shorten_runs(message: str) -> str:
    """`message` with every run of 80 or more non-blank characters cut to its first 40 and its
    length: for messages that quote a value in full (Click's "Invalid value for '--rtol':
    '999…'"), so a 100,000-character option value costs one short line."""
    return _LONG_RUN.sub(lambda m: f"{m[0][:EXCERPT_LENGTH]}… ({len(m[0])} characters)", message)


def excerpt(text: object, limit: int = EXCERPT_LENGTH, *, as_json: bool = False) -> str:
    """`text` quoted for a message: its repr, cut to `limit` characters with the full length said.

    `excerpt("abc")` is `'abc'`; a longer text is `'first 40 characters…' (1000000 characters)`.
    Escapes (repr) keep newlines, terminal control codes and lone surrogates out of the output.
    Only the kept part is ever copied, so the cost does not grow with the length of `text`.
    `as_json` quotes as JSON does ("0.25"), for values read from a JSON file.
    """
    if isinstance(text, float) or (isinstance(text, int) and text.bit_length() < 256):
        return repr(text)
    if isinstance(text, int):
        return "a very large integer"
    if not isinstance(text, str):
        return f"a value of type {type(text).__name__}"
    quote = _json_quote if as_json else repr
    if len(text) <= limit:
        return quote(text)
    return f"{quote(text[:limit])}… ({len(text)} characters)"


def shown_name(name: str) -> str:
    """A name from the user's file as written when it is short and printable (`zh2`), else
    quoted through `excerpt()`."""
    if isinstance(name, str) and len(name) <= EXCERPT_LENGTH and name.isprintable():
        return name
    return excerpt(name)


def _json_quote(text: str) -> str:
    import json

    return json.dumps(text)


class UserError(click.ClickException):
    """A user's mistake: one line naming `where`, what is wrong, and how to fix it; exit 2."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.where = _printable(_cut(where, MAX_WHERE)) if where else where
        self.fix = fix
        self.problem = message
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        # A safety net under excerpt(): a `where` built from user text (a JSON path with a
        # long key) or a long problem is cut, so the line stays one short line.
        text = _printable(_cut(self.problem, MAX_PROBLEM))
        if self.where:
            text = f"{self.where}: {text}"
        if self.fix:
            text = f"{text.rstrip('.')}. {self.fix}"
        return text

    def format_message(self) -> str:
        return self.message


def first_line(exc: BaseException, limit: int | None = None) -> str:
    """The first line of an exception's message (cut to `limit` characters), '' if it has none:
    the one way a caught exception is described in a message."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    return line if limit is None else line[:limit]

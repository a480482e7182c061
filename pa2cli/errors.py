"""The one user-error type.

A `UserError` is a mistake the user can fix (a bad file, an unknown name, a bad option value).
It carries what is wrong, where (a field, a JSON path, a file) and how to fix it, and Click
turns it into exactly one line on stderr and exit status 2. Code that raises it never prints.
"""

from __future__ import annotations

import click


class UserError(click.ClickException):
    """A user's mistake: one line naming `where`, what is wrong, and how to fix it; exit 2."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.where = where
        self.fix = fix
        self.problem = message
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if self.fix:
            text = f"{text.rstrip('.')}. {self.fix}"
        return " ".join(text.split())

    def format_message(self) -> str:
        return self.message

"""Where pa2 finds its shipped content and keeps the user's state; no I/O besides locating.

- `content_dir()`: the `content/` data (derivations, the example network). In a wheel it is
  installed as `pa2cli/content`; in a source checkout it is the top-level `content/`.
- `data_home()`: saved quiz places and the progress file. `$PA2_HOME` when set, else the
  platform's user data folder from platformdirs (`~/.local/share/pa2` or `$XDG_DATA_HOME/pa2`
  on Linux, `~/Library/Application Support/pa2` on macOS, `%LOCALAPPDATA%\\pa2` on Windows).
- `cache_home()`: downloaded datasets. `$PA2_HOME/cache` when set, else the platform's user
  cache folder (`~/.cache/pa2` or `$XDG_CACHE_HOME/pa2` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_PACKAGE = Path(__file__).resolve().parent
APP = "pa2"


def content_dir() -> Path:
    installed = _PACKAGE / "content"
    return installed if installed.is_dir() else _PACKAGE.parent / "content"


def _pa2_home() -> Path | None:
    """$PA2_HOME with `~` expanded, or None when unset; a `~user` that names no user (or no
    home folder at all) is a UserError naming PA2_HOME, never a RuntimeError traceback."""
    value = os.environ.get("PA2_HOME")
    if not value:
        return None
    try:
        return Path(value).expanduser()
    except RuntimeError:
        from pa2cli.errors import UserError, excerpt

        raise UserError(f"cannot expand the ~ in {excerpt(value)} (no such user or home folder)",
                        where="PA2_HOME", fix="Give an absolute path, e.g. PA2_HOME=/tmp/pa2") from None


def data_home() -> Path:
    home = _pa2_home()
    return home if home is not None else platformdirs.user_data_path(APP, appauthor=False)


def cache_home() -> Path:
    home = _pa2_home()
    return home / "cache" if home is not None else platformdirs.user_cache_path(APP, appauthor=False)

"""Where pa2 finds its shipped content and keeps the user's state; no I/O besides locating.

- `content_dir()`: the `content/` data (derivations, the example network). In a wheel it is
  installed as `pa2cli/content`; in a source checkout it is the top-level `content/`.
- `data_home()`: saved quiz progress. `$PA2_HOME` when set, else `$XDG_DATA_HOME/pa2`, else
  `~/.local/share/pa2`.
- `cache_home()`: downloaded datasets. `$PA2_HOME/cache` when set, else `$XDG_CACHE_HOME/pa2`,
  else `~/.cache/pa2`.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def content_dir() -> Path:
    installed = _PACKAGE / "content"
    return installed if installed.is_dir() else _PACKAGE.parent / "content"


def data_home() -> Path:
    if os.environ.get("PA2_HOME"):
        return Path(os.environ["PA2_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "pa2"


def cache_home() -> Path:
    if os.environ.get("PA2_HOME"):
        return Path(os.environ["PA2_HOME"]).expanduser() / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pa2"

"""Writing a file so that readers see the old or the new one, never half of one.

Used for everything pa2 saves as it goes (quiz progress, sweep results and checkpoints), so a
crash or Ctrl-C never leaves a truncated file. This module only writes; it decides nothing.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write `data` beside `path`, then rename it over `path` (the rename is atomic).

    There is no fsync: a power cut may still lose the last write, which keeps a save at ~1 ms.
    """
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)

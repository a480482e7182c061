"""How long `pa2`'s home screen spends reading progress.json, by size (pa2cli.progress.load).

Writes progress files of N backprop entries (labels and commands of typical length, as
`pa2 backprop --random` records them), then times `progress.load()` (median of 5) and one
`record_stepped` (a locked read-modify-write). Chooses MAX_ENTRIES and the read limit
(docs/limits.md, "Progress"). Run: PYTHONPATH=. python benchmarks/progress_size.py
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["PA2_HOME"] = home
        from pa2cli import progress

        path = Path(home) / "progress.json"
        progress.READ_LIMIT_BYTES = 100_000_000  # time files past the limit too
        print("| entries | file | load | one update |\n|---|---|---|---|")
        for entries in (100, 1_000, 2_000, 5_000, 20_000):
            backprop = {f"practice-seed-{i}": {
                "label": f"practice network (seed {i}, 2-2-2)",
                "command": f"pa2 backprop --resume --random --seed {i}", "answered": 3,
                "first_try": 2, "total": 39, "position": 3, "finished": False,
                "updated": "2026-01-01T00:00:00+00:00"} for i in range(entries)}
            text = json.dumps({"version": 1, "explain": {}, "backprop": backprop}, indent=1,
                              sort_keys=True)
            loads, updates = [], []
            for _ in range(5):
                path.write_text(text)
                start = time.perf_counter()
                assert progress.load(path).problem is None
                loads.append(time.perf_counter() - start)
                start = time.perf_counter()
                progress.record_stepped("relu")  # read, bound to MAX_ENTRIES, write
                updates.append(time.perf_counter() - start)
            print(f"| {entries:,} | {len(text) / 1e6:.2f} MB | "
                  f"{statistics.median(loads) * 1000:.0f} ms | "
                  f"{statistics.median(updates) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()

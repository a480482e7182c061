"""What the fsyncs in `pa2cli.files.write_atomically` cost per save, by file size.

Times one save (temporary file, write, rename) without any fsync and with the file and folder
fsyncs that write_atomically does, median of 30, in a temporary folder on the disk of the
current folder (pass another folder as the first argument). The table is in docs/limits.md
("Files pa2 saves"). Run: PYTHONPATH=. python benchmarks/atomic_write.py [FOLDER]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _plain(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def main() -> None:
    from pa2cli.files import write_atomically

    base = sys.argv[1] if len(sys.argv) > 1 else "."
    with tempfile.TemporaryDirectory(dir=base) as folder:
        path = Path(folder) / "results.json"
        print("| file | no fsync | write_atomically (fsync file + folder) |\n|---|---|---|")
        for size in (1_000, 100_000, 1_000_000):
            data = b"x" * size
            times = {}
            for name, save in (("plain", _plain), ("atomic", write_atomically)):
                runs = []
                for _ in range(30):
                    start = time.perf_counter()
                    save(path, data)
                    runs.append(time.perf_counter() - start)
                times[name] = statistics.median(runs) * 1000
            print(f"| {size:,} bytes | {times['plain']:.1f} ms | {times['atomic']:.1f} ms |")


if __name__ == "__main__":
    main()

"""How long pa2 takes on the hostile inputs whose work the tests bound by counts.

The tests (tests/backprop/test_network_files.py, tests/test_expr_bounds.py,
tests/qa/test_bounded_messages.py) check what these inputs cost in bytes read and lines
executed, which no load on the machine changes; this script keeps the times they used to assert
(each case's bound then, and what it took before the fix, in the table). Each case is a real
`python -m pa2cli` process, CPU seconds of the child (user + system), the fastest of --runs.
Usage:
    python benchmarks/hostile_inputs.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cases(folder: Path) -> list[tuple[str, list[str], bytes | None, str]]:
    """(name, pa2 arguments, stdin, the old test's bound and the time before the fix)."""
    big = folder / "big.json"
    with open(big, "wb") as handle:  # sparse: 200 MB long
        handle.write(b'{"unknown": 1, "pad": "')
        handle.seek(200_000_000)
        handle.write(b'"}')
    names = folder / "names.json"
    names.write_text(json.dumps({"z_h1": 0.3775, **{f"zz_{i}": "1/2" for i in range(100_000)}}))
    long_name = folder / "long_name.json"
    long_name.write_text(json.dumps({"q" * 3_000_000: 1, "z_h1": 0.3775}))
    one = folder / "one.json"
    one.write_text(json.dumps({"z_h1": 0.3775}))
    return [
        ("start-up: --check of a one-answer sheet", ["backprop", "--check", str(one)], None,
         "(the reference)"),
        ("--weights /dev/zero", ["backprop", "--weights", "/dev/zero"], None,
         "< 10 s; ran out of memory before"),
        ("--weights, a 200 MB file", ["backprop", "--weights", str(big)], None,
         "< 10 s; 37 s before"),
        ("--check, 100,000 unknown names", ["backprop", "--check", str(names)], None,
         "< 15 s; over 60 s before"),
        ("--check, a 3 MB name", ["backprop", "--check", str(long_name)], None, "< 10 s"),
        ("quiz answer, a 10 MB line", ["backprop"], b"1+" * 5_000_000 + b"1\n",
         "< 10 s; 428 s before"),
        ("report --topics huber x 20,000", ["report", "--topics", "huber," * 20000, "--out",
                                            str(folder / "rep")], None, "< 30 s"),
        ("backprop --solve, COLUMNS=99999999", ["backprop", "--solve"], None,
         "< 30 s; over 30 s before"),
    ]


def cpu_seconds(args: list[str], stdin: bytes | None, home: str, columns: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PA2_HOME": home, "COLUMNS": columns}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "pa2cli", *args], input=stdin, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600,
                   stdin=None if stdin is not None else subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'case':<40} {'CPU s':>6}  old test bound; before the fix")
        for name, args, stdin, then in cases(Path(folder)):
            columns = "99999999" if "COLUMNS" in name else "100"
            best = min(cpu_seconds(args, stdin, tempfile.mkdtemp(dir=folder), columns)
                       for _ in range(runs))
            print(f"{name:<40} {best:>6.2f}  {then}")


if __name__ == "__main__":
    main()

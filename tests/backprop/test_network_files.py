"""Network and answer files from anyone (issue 7, items 6 and 17): special files are refused
without waiting or reading, sizes have documented limits named in one line, and the work is
linear in the size of the network."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pa2cli.backprop import jsonfile, spec
from pa2cli.backprop.engine import solve
from pa2cli.backprop.spec import parse_network, validate
from pa2cli.errors import UserError
from tests import work

ROOT = Path(__file__).resolve().parents[2]


def pa2(*args, timeout=60):
    """A real pa2 process; returns (result, its CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", "pa2cli", *args], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=timeout,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def counted(*args, lines=False):
    """A real pa2 process and its work counts (tests/work.py): bytes read, lines executed."""
    return work.counted_pa2(*args, lines=lines, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)


# A pa2 process reads about 6 MB starting up (its own and its libraries' code): reading a
# 200 MB file, or /dev/zero until memory runs out, is far beyond this.
STARTUP_READ_LIMIT = 50_000_000


def one_error_line(result) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def sparse_network(width: int, depth: int, fan: int = 2) -> dict:
    """`depth` layers of `width` nodes, each fed by `fan` nodes of the layer before; one bias
    shared by every computed node. Many nodes and few edges per node: where a scan of every
    edge per node (the old validation and engine) is slowest."""
    layers = [[f"n{d}x{i}" for i in range(width)] for d in range(depth)]
    edges = {}
    for before, after in zip(layers, layers[1:]):
        for i, node in enumerate(after):
            for k in range(fan):
                edges[f"w{len(edges)}"] = {"from": before[(i + k) % width], "to": node,
                                           "value": 0.05 * ((i + k) % 7 - 3)}
    return {"inputs": {n: 0.1 * (i % 5) for i, n in enumerate(layers[0])},
            "targets": {n: 0.5 for n in layers[-1]}, "edges": edges,
            "biases": {"b": {"to": [n for layer in layers[1:] for n in layer], "value": 0.1}}}


@pytest.mark.parametrize("option", ["--weights", "--check"])
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path, option):
    fifo = tmp_path / "weights.json"
    os.mkfifo(fifo)
    result, _ = pa2("backprop", option, str(fifo), timeout=30)  # blocked forever before
    assert one_error_line(result) == (f"Error: {fifo}: is a pipe (FIFO), not a regular file. "
                                      "Give the path of a JSON file.")


def test_dev_zero_is_refused_without_reading_it():
    result, counts = counted("backprop", "--weights", "/dev/zero")  # read till memory ran out
    assert "/dev/zero: is a device or other special file, not a regular file" in \
        one_error_line(result)
    if counts["rchar"] is not None:
        assert counts["rchar"] < STARTUP_READ_LIMIT, counts


def test_a_folder_is_refused_in_one_line(tmp_path):
    result, _ = pa2("backprop", "--check", str(tmp_path))
    assert "is a directory" in one_error_line(result)
    with pytest.raises(UserError, match="is a folder, not a regular file"):
        jsonfile.read_json(tmp_path, "fix")


def test_a_200_mb_file_with_an_unknown_key_is_refused_by_its_size_first(tmp_path):
    big = tmp_path / "weights.json"
    with open(big, "wb") as handle:  # sparse: 200 MB long, nothing written in the middle
        handle.write(b'{"unknown": 1, "pad": "')
        handle.seek(200_000_000)
        handle.write(b'"}')
    result, counts = counted("backprop", "--weights", str(big))
    assert one_error_line(result) == (
        f"Error: {big}: the file is larger than the limit of 5,000,000 bytes. A network or "
        "answer file is a few kB; check that it is the right file.")
    if counts["rchar"] is not None:  # 37 s before (read whole); now start-up plus one fstat
        assert counts["rchar"] < STARTUP_READ_LIMIT, counts


def test_a_check_sheet_with_100000_unknown_names_is_counted_and_a_few_listed(tmp_path):
    sheet = tmp_path / "answers.json"
    names = {f"zz_{i}": "1/2" for i in range(100_000)}
    sheet.write_text(json.dumps({"z_h1": 0.3775, **names}))
    result, cpu = pa2("backprop", "--example", "mazur", "--check", str(sheet))
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert "Unknown names, not graded (100,000): zz_0, zz_1 (did you mean z_o1?), " in out
    assert "and 99,995 more" in out
    assert "zz_99999" not in out and len(result.stdout) < 10_000
    assert "1 right, 0 wrong of 1 graded" in out
    # over 60 s before: every name was compared with each of the 39 quantities (hundreds of
    # lines a name); measured now: 11 lines a name beyond the same check of one name
    _, counts = counted("backprop", "--check", str(sheet), lines=True)
    extra = counts["lines"] - _lines_of_a_one_name_check(tmp_path)
    assert 0 < extra < 50 * len(names), extra


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text('{"inputs": {}}', encoding="utf-16")
    with pytest.raises(UserError, match=r"is not UTF-8 text \(it is UTF-16\)"):
        jsonfile.read_json(path, "fix")


def test_nesting_beyond_the_depth_limit_names_the_limit():
    text = '{"inputs": {"i1": ' + "[" * 25 + "1" + "]" * 25 + "}}"  # 27 levels
    with pytest.raises(UserError) as caught:
        parse_network(text, "weights.json")
    assert caught.value.message.startswith(
        "weights.json: cannot be read: lists or objects are nested too deeply (the limit is 20")


@pytest.mark.parametrize("key, limit, build", [
    ("edges", spec.MAX_EDGES, lambda n: {"edges": {f"w{i}": {} for i in range(n)}}),
    ("biases", spec.MAX_BIASES, lambda n: {"biases": {f"b{i}": {} for i in range(n)}}),
    ("inputs", spec.MAX_NODES, lambda n: {"inputs": {f"i{i}": 0 for i in range(n)}}),
])
def test_counts_beyond_a_limit_exit_2_naming_it(key, limit, build):
    data = {"inputs": {"i1": 1}, "targets": {"o1": 0}, "edges": {}, **build(limit + 1)}
    caught = []

    def refused():
        with pytest.raises(UserError) as error:
            validate(data)
        caught.append(error.value)

    lines = work.lines_executed(refused)
    assert caught[0].message.startswith(f"{key}: {limit + 1:,} {key}; pa2 accepts at most "
                                        f"{limit:,}")
    assert lines < 1_000, lines  # refused before any entry is looked at


def test_too_many_nodes_is_named():
    data = sparse_network(width=spec.MAX_NODES // 2 + 1, depth=2, fan=1)
    with pytest.raises(UserError, match=r"^edges: 10,002 nodes; pa2 accepts at most 10,000"):
        validate(data)


def test_validation_and_engine_grow_linearly_with_the_network():
    """4x the nodes and edges executes 4x the lines (measured 3.995); when every node scanned
    every edge for its inputs (Network.incoming as a scan) it was 11.9x. The time this takes:
    benchmarks/network_size.py."""
    small, large = (json.dumps(sparse_network(width, 5)) for width in (100, 400))
    small_n, large_n = (work.lines_executed(lambda t=text: solve(parse_network(t)))
                        for text in (small, large))
    assert small_n > 100_000  # the count sees the work: ~65 lines per edge
    assert 3.5 < large_n / small_n < 4.5, (small_n, large_n)


def test_a_20000_edge_network_is_solved_and_the_construction_matches_torch(oracle):
    data = sparse_network(800, 10, fan=3)  # 8,000 nodes, 21,600 edges
    assert len(data["edges"]) == 21_600
    network = parse_network(json.dumps(data))
    lines = work.lines_executed(lambda: solve(network))
    assert len(solve(network).values()) > 2 * 21_600
    small = sparse_network(4, 4, fan=3)  # the same construction, small enough for the oracle
    expected = oracle(small)
    got = solve(parse_network(json.dumps(small))).values()
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    # measured 257 lines a edge; a scan of every edge per node would be 8,000 x 21,600 turns.
    # The time it takes: benchmarks/network_size.py
    assert lines < 1_000 * 21_600, lines


def test_reading_a_fifo_in_process_does_not_block(tmp_path):
    fifo = tmp_path / "sheet.json"
    os.mkfifo(fifo)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_refused(fifo)), daemon=True)
    worker.start()
    worker.join(10)
    assert outcome == ["is a pipe (FIFO), not a regular file"]


def _refused(path) -> str:
    try:
        jsonfile.read_json(path, "fix")
    except UserError as error:
        return error.problem
    return "read"


def test_a_three_megabyte_name_in_a_sheet_is_listed_as_an_excerpt(tmp_path):
    sheet = tmp_path / "answers.json"
    sheet.write_text(json.dumps({"q" * 3_000_000: 1, "z_h1": 0.3775}))
    result, counts = counted("backprop", "--check", str(sheet), lines=True)
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert "Unknown names, not graded (1): '" + "q" * 40 + "'… (3000000 characters)." in out
    assert len(result.stdout) < 5_000
    # no Python loop over the name's characters (measured: 2,700 lines beyond a short name)
    assert counts["lines"] - _lines_of_a_one_name_check(tmp_path) < 100_000


def _lines_of_a_one_name_check(tmp_path) -> int:
    """Lines a `pa2 backprop --check` of a one-answer sheet executes: start-up and grading."""
    sheet = tmp_path / "one.json"
    sheet.write_text(json.dumps({"z_h1": 0.3775}))
    result, counts = counted("backprop", "--check", str(sheet), lines=True)
    assert result.returncode in (0, 1), result.stderr  # graded, right or wrong
    return counts["lines"]

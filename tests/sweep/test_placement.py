"""`--jobs N`: which worker trains which run on which device (a pure function, no GPU needed),
and the lines the sweep prints about it."""

from __future__ import annotations

import pytest

from pa2cli.sweep.placement import place_runs, placement_lines

RUNS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)


def test_cuda_workers_go_round_robin_over_the_visible_gpus():
    workers = place_runs(RUNS, jobs=4, device="cuda", gpus=2, threads=16)
    assert [w.device for w in workers] == ["cuda:0", "cuda:1", "cuda:0", "cuda:1"]
    assert [w.runs for w in workers] == [(0.0, 1e-1), (1e-4,), (1e-3,), (1e-2,)]
    assert {w.threads for w in workers} == {4}


def test_one_worker_per_gpu_when_jobs_equal_gpus():
    workers = place_runs(RUNS, jobs=3, device="cuda", gpus=3, threads=2)
    assert [w.device for w in workers] == ["cuda:0", "cuda:1", "cuda:2"]
    assert sorted(run for w in workers for run in w.runs) == sorted(RUNS)  # each run once
    assert {w.threads for w in workers} == {1}


def test_cpu_workers_divide_the_cores_and_never_exceed_the_runs():
    workers = place_runs(RUNS[:2], jobs=8, device="cpu", threads=8)
    assert [(w.device, w.threads, w.runs) for w in workers] == [
        ("cpu", 4, (0.0,)), ("cpu", 4, (1e-4,))]


def test_cuda_without_a_visible_gpu_is_refused():
    with pytest.raises(ValueError):
        place_runs(RUNS, jobs=2, device="cuda", gpus=0)


def test_the_header_lines_say_which_run_goes_where():
    workers = place_runs(RUNS[:3], jobs=2, device="cuda", gpus=2, threads=4)
    assert placement_lines(workers, lambda wd: f"wd {wd:g}") == [
        "worker 1 on cuda:0 (2 threads): wd 0, wd 0.001",
        "worker 2 on cuda:1 (2 threads): wd 0.0001"]

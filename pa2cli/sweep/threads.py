"""How many CPU threads torch uses in a sweep, and how its idle threads wait.

OpenMP threads that wait for work *spin* by default (OMP_WAIT_POLICY=ACTIVE): on a machine
where another program keeps a core busy they steal its time slices from each other, and a
sweep measured 11x slower. `use_passive_wait_policy` sets OMP_WAIT_POLICY=PASSIVE (sleeping
waits) unless the user set the variable; it must run before torch is imported, because the
OpenMP runtime reads it once when it starts (the sweep command calls it first thing, and
worker processes inherit the environment). `default_threads` is the thread count when
--threads is not given, chosen by measurement (benchmarks/threads.py, docs/sweep-defaults.md);
with --jobs J, each worker process gets `threads_per_job` of them. This module must not import
torch at module level.
"""

from __future__ import annotations

import os

WAIT_POLICY = "OMP_WAIT_POLICY"
# Measured (docs/sweep-defaults.md, benchmarks/threads.py): one run at a time, the small
# default model gains nothing from a second thread (10.3 s with 1 thread, 17.3 s with 2
# PASSIVE, 100 s with 2 ACTIVE, on 2 loaded cores); the vectorised pass, whose batched kernels
# are as many times larger as there are runs, does (the default sweep on 2 cores: 33.7 s with
# 1 thread, 23.3 s with 2 idle; 33.7 s and 38.6 s with one core kept busy, 1.14x the best).
DEFAULT_THREADS = 1
VECTORIZED_THREADS = 2


# The most --threads accepted: far more than any machine's cores; torch tries to start every
# thread asked for, and a million of them ends in MemoryError.
MAX_THREADS = 1024


def use_passive_wait_policy(environ=None) -> str:
    """Set OMP_WAIT_POLICY=PASSIVE unless already set; return the policy in effect."""
    environ = os.environ if environ is None else environ
    return environ.setdefault(WAIT_POLICY, "PASSIVE")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells, else cpu_count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_threads(environ=None, cores: int | None = None, vectorized: bool = False) -> int:
    """OMP_NUM_THREADS when the user set it to a whole number, else DEFAULT_THREADS (1), or
    VECTORIZED_THREADS (2) for a vectorised pass; never more than the cores this process may
    use unless the user asked for it."""
    environ = os.environ if environ is None else environ
    value = environ.get("OMP_NUM_THREADS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    wanted = VECTORIZED_THREADS if vectorized else DEFAULT_THREADS
    return max(1, min(cores or available_cores(), wanted))


def threads_per_job(threads: int, jobs: int) -> int:
    """Each of `jobs` worker processes gets an equal share of `threads` (at least 1)."""
    return max(1, threads // max(1, jobs))


def apply_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, int(threads)))

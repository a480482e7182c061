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
# Measured (docs/sweep-defaults.md): on 2 cores shared with other programs the default sweep
# took 10.3 s with 1 thread, 17.3 s with 2 (PASSIVE) and 100 s with 2 (ACTIVE, spinning);
# its small model gains little from a second thread even on an idle machine.
DEFAULT_THREADS = 1


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


def default_threads(environ=None, cores: int | None = None) -> int:
    """OMP_NUM_THREADS when the user set it to a whole number, else DEFAULT_THREADS (1), never
    more than the cores this process may use unless the user asked for it."""
    environ = os.environ if environ is None else environ
    value = environ.get("OMP_NUM_THREADS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    return max(1, min(cores or available_cores(), DEFAULT_THREADS))


def threads_per_job(threads: int, jobs: int) -> int:
    """Each of `jobs` worker processes gets an equal share of `threads` (at least 1)."""
    return max(1, threads // max(1, jobs))


def apply_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(max(1, int(threads)))

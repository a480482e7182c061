"""The sweep keeps glibc from returning batch-sized blocks to the OS (pa2cli/sweep/allocator.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from pa2cli.sweep.allocator import keep_large_blocks


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_mallopt_is_applied_on_glibc():
    assert keep_large_blocks() is True


def test_freed_batch_sized_blocks_are_reused_after_the_thresholds_are_raised():
    """Allocating and freeing blocks of a few MiB in varying sizes, as a training loop does:
    with the thresholds raised the process takes far fewer fresh (zeroed) pages from the OS."""
    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    code = """
import resource, sys
from pa2cli.sweep.allocator import keep_large_blocks
import numpy as np
if sys.argv[1] == "tuned":
    keep_large_blocks()
def step(i):
    a = np.ones(200_000 + (i % 7) * 150_000)  # 1.6-10 MB
    b = np.ones(300_000 + (i % 5) * 100_000)
    return float(a[0] + b[0])
step(0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for i in range(100):
    step(i)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    faults = {mode: int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
                                       text=True, check=True).stdout)
              for mode in ("plain", "tuned")}
    assert faults["tuned"] * 2 < faults["plain"], faults

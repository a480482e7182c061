"""Keeps the C allocator from handing large blocks back to the OS after every batch.

glibc serves blocks over 128 KiB with a fresh `mmap` and returns them with `munmap` when they
are freed, so every batch of a sweep (whose activations are such blocks, and many times larger
in the vectorised pass) pays page faults to zero new pages: on the default sweep about a third
of its CPU time was system time. `keep_large_blocks` raises glibc's mmap and trim thresholds
with `mallopt` (the documented tuning the MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_
variables also set), so freed blocks are reused. Measured (`pa2 sweep --epochs 20`, 2 cores):
12.0 s wall, 5.0 s system time before; 10.1 s and 1.9 s after. Elsewhere (macOS, musl,
Windows) it does nothing. It must not import torch.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest accepted value on 64-bit systems
TRIM_THRESHOLD = 1024 * 1024 * 1024


def keep_large_blocks() -> bool:
    """Apply the thresholds when the C library is glibc; True when it did."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))

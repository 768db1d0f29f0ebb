"""Handing freed memory back to the operating system between the stages of a long run.

A year's run frees arrays of tens of MB at each stage (the model's, then the summary's
whole-run columns). glibc's allocator keeps much of it: arrays under its dynamic mmap
threshold (which grows to 32 MB) come from the heap, and a heap left fragmented by the
stage's temporaries is not trimmed, so the next stage's arrays add to it and the process's
peak grows with the number of stages. ``malloc_trim(0)`` returns every free page of the
heap; Dask's workers do the same for the same reason ("Memory not released back to the
OS" in its documentation). Elsewhere (no glibc) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


def release_free_heap() -> None:
    """Give the heap's free pages back to the OS (glibc), between the stages of a run."""
    trim = _trim()
    if trim is not None:
        trim(0)

"""One malloc arena for the whole process (glibc), so memory freed by one thread is reused by the next.

glibc gives each thread that allocates while another holds the main arena an arena of its own, and memory freed
into it stays there. A background thread that runs the image encoder or the decoder (Session.prepare's prefetch)
then leaves a few hundred MB behind that the turns on the main thread cannot reuse: peak RSS of
`benchmarks/bench_agent.py` was 1.32 GB with per-thread arenas and 1.06 GB with one (docs/speed.md). Setting
MALLOC_ARENA_MAX=1 in the environment does the same before the process starts; this does it from inside, for the
arenas made after the call. The threads here spend their time in ONNX Runtime and numpy kernels, not in malloc, so
sharing one arena costs nothing measurable.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


@functools.lru_cache(maxsize=1)
def use_one_malloc_arena() -> bool:
    """Ask glibc to make no more per-thread arenas (mallopt(M_ARENA_MAX, 1)); True when it accepted, False where
    the C library is not glibc (macOS, musl) or refused. Safe to call more than once."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        if not hasattr(libc, "gnu_get_libc_version"):
            return False
        return bool(libc.mallopt(M_ARENA_MAX, 1))
    except OSError:
        return False

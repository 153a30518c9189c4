"""The C library's heap (glibc): one arena for the whole process, and free memory given back before a big job.

- `use_one_malloc_arena()`: glibc gives each thread that allocates while another holds the main arena an arena of
  its own, and memory freed into it stays there. A background thread that runs the image encoder or the decoder
  (Session.prepare's prefetch) then leaves a few hundred MB behind that the turns on the main thread cannot reuse:
  peak RSS of `benchmarks/bench_agent.py` was 1.32 GB with per-thread arenas and 1.06 GB with one (docs/speed.md).
  MALLOC_ARENA_MAX=1 in the environment does the same before the process starts; this does it from inside, for
  the arenas made after the call. The threads here spend their time in ONNX Runtime and numpy kernels, not in
  malloc, so sharing one arena costs nothing measurable.
- `give_back_free_heap()`: glibc keeps freed memory in its heap (resident) for later requests. A long-lived process
  that has seen a few photos holds hundreds of MB of it, and an image encoder's activations (about 300 MB for
  MobileSAM) then stack on top: `malloc_trim(0)` before encoding a new photo, when 64 MB or more are free, took
  bench_agent's peak from 1.14-1.29 to 0.98-1.01 GB for ~15 ms, and costs the encoder ~0.05 s to fault those
  pages in again (docs/speed.md).
Both return False and do nothing where the C library is not glibc (macOS, musl, Windows).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
# below this much free heap, giving it back saves little and the next big job would fault the pages in again
# (a process's first photo finds ~20 MB free; later photos 190-340 MB in bench_agent)
GIVE_BACK_FROM_BYTES = 64 * 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


@functools.lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "malloc_trim")):
        return None
    if hasattr(libc, "mallinfo2"):  # glibc 2.33 and later
        libc.mallinfo2.restype = _MallInfo2
    return libc


@functools.lru_cache(maxsize=1)
def use_one_malloc_arena() -> bool:
    """Ask glibc to make no more per-thread arenas (mallopt(M_ARENA_MAX, 1)); True when it accepted. Safe to call
    more than once."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, 1))


def free_heap_bytes() -> int | None:
    """Bytes free inside the heap's arenas (glibc's mallinfo2().fordblks), None where unknown."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None
    return int(libc.mallinfo2().fordblks)


def give_back_free_heap(at_least: int = GIVE_BACK_FROM_BYTES) -> bool:
    """Return the heap's free pages to the operating system (glibc's malloc_trim(0)) when at least `at_least`
    bytes are free there (0: always); True when some pages went back."""
    libc = _glibc()
    if libc is None:
        return False
    free = free_heap_bytes()
    if free is not None and free < at_least:
        return False
    return bool(libc.malloc_trim(0))

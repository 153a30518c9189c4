"""tools.c_heap: glibc accepts the one-arena setting and gives free heap pages back; other C libraries are left
alone."""
import platform

import pytest

from tools.c_heap import give_back_free_heap, use_one_malloc_arena

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt and malloc_trim only")


def _resident_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


@glibc_only
def test_glibc_accepts_one_arena_and_a_second_call_is_harmless():
    assert use_one_malloc_arena() is True
    assert use_one_malloc_arena() is True


@glibc_only
def test_freed_heap_memory_goes_back_to_the_system():
    """Many small buffers (below glibc's mmap threshold, so they live in the heap), the later ones kept so the
    freed ones cannot be trimmed off the heap's top: only malloc_trim gives their pages back."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    size, count = 64 * 1024, 1600  # 100 MB
    blocks = [libc.malloc(size) for _ in range(count)]
    for b in blocks:
        ctypes.memset(b, 1, size)
    keep = libc.malloc(size)  # above the freed blocks: the heap cannot shrink from its top
    ctypes.memset(keep, 1, size)
    for b in blocks:
        libc.free(b)
    before = _resident_mb()
    assert give_back_free_heap(at_least=0) is True
    assert _resident_mb() < before - 50
    libc.free(keep)


@glibc_only
def test_little_free_heap_is_kept():
    from tools.c_heap import free_heap_bytes

    free = free_heap_bytes()
    assert free is not None and free >= 0
    assert give_back_free_heap(at_least=free + 2**30) is False

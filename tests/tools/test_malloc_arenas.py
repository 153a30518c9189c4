"""tools.malloc_arenas: glibc accepts the one-arena setting; other C libraries are left alone."""
import platform

import pytest

from tools.malloc_arenas import use_one_malloc_arena


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_glibc_accepts_one_arena_and_a_second_call_is_harmless():
    assert use_one_malloc_arena() is True
    assert use_one_malloc_arena() is True

"""The one per-image cache: bounded LRU, computed once, evictions observable, safe across threads."""
from __future__ import annotations

import threading

from tools.image_cache import PerImageCache


def test_least_recently_used_image_is_dropped_and_reported():
    dropped = []
    cache = PerImageCache(2, on_evict=lambda key, value: dropped.append((key, value)))
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1          # "a" is now the most recent
    cache.put("c", 3)
    assert dropped == [("b", 2)] and "b" not in cache and len(cache) == 2
    assert "a" in cache and cache.get("c") == 3
    cache.discard("a")
    assert "a" not in cache and dropped == [("b", 2)]  # a discard is not an eviction


def test_get_or_compute_computes_each_image_once():
    calls = []
    cache = PerImageCache(4)

    def compute(key):
        calls.append(key)
        return key.upper()

    assert [cache.get_or_compute(k, lambda k=k: compute(k)) for k in "abab"] == ["A", "B", "A", "B"]
    assert calls == ["a", "b"]


def test_many_threads_keep_the_bound():
    cache = PerImageCache(8)
    threads = [threading.Thread(target=lambda i=i: [cache.get_or_compute((i, j), lambda: j) for j in range(200)])
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 8

"""One bounded, thread-safe per-image cache for the facts a tool computes once per image.

    cache = PerImageCache(max_images=8)
    lines = cache.get_or_compute(image.sha256, lambda: read_lines(image))

A `cachetools.LRUCache` under a lock (cachetools is not thread-safe by itself). Keys are image pixel hashes (or
tuples that start with one); the segmenters' embeddings, the COCO detector's hits, OCR lines, region proposals and
the agent's per-image vision all live in one of these, each bounded by its own item count.
"""
from __future__ import annotations

import threading
from typing import Callable, Generic, Hashable, TypeVar

from cachetools import LRUCache

V = TypeVar("V")


class PerImageCache(Generic[V]):
    """At most `max_images` values, least recently used dropped first; `on_evict(key, value)` runs on a drop."""

    def __init__(self, max_images: int, on_evict: Callable[[Hashable, V], None] | None = None):
        self.max_images = int(max_images)
        self._items: LRUCache = _EvictingLRU(self.max_images, on_evict)
        self._lock = threading.RLock()

    def get(self, key: Hashable) -> V | None:
        """The value (and it becomes the most recently used), or None."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached value, else compute() stored under `key`. The lock is not held while computing, so two
        threads asking for the same new image may both compute it (the later result is kept)."""
        with self._lock:
            if key in self._items:
                return self._items[key]
        value = compute()
        self.put(key, value)
        return value

    def discard(self, key: Hashable) -> None:
        """Forget `key` if cached."""
        with self._lock:
            self._items.pop(key, None)

    def __contains__(self, key: Hashable) -> bool:
        """Whether `key` is cached (its recency is unchanged)."""
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class _EvictingLRU(LRUCache):
    """cachetools' LRUCache calling `on_evict` for entries it drops to stay within its size (cachetools' documented
    way to observe evictions is overriding popitem)."""

    def __init__(self, maxsize: int, on_evict):
        super().__init__(maxsize=maxsize)
        self._on_evict = on_evict

    def popitem(self):
        key, value = super().popitem()
        if self._on_evict is not None:
            self._on_evict(key, value)
        return key, value

"""In-process LRU cache of image embeddings, keyed by (backend key, image sha256).

Shared by every segmenter in the process; a hit returns a copy of the `ImageEmbedding` with seconds=0.0.
Embeddings live only here (never in agent state).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from tools.segmenters.base import ImageEmbedding


class EmbeddingCache:
    """Thread-safe LRU of at most `max_items` embeddings (a 256x64x64 float embedding is 4 MiB)."""

    def __init__(self, max_items: int = 16):
        self.max_items = max_items
        self._items: OrderedDict[tuple[str, str], ImageEmbedding] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, backend: str, sha256: str) -> ImageEmbedding | None:
        with self._lock:
            emb = self._items.get((backend, sha256))
            if emb is None:
                self.misses += 1
                return None
            self._items.move_to_end((backend, sha256))
            self.hits += 1
            return replace(emb, seconds=0.0, extra={**emb.extra, "cached": True})

    def put(self, backend: str, emb: ImageEmbedding) -> None:
        with self._lock:
            self._items[(backend, emb.image_sha256)] = emb
            self._items.move_to_end((backend, emb.image_sha256))
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


EMBEDDING_CACHE = EmbeddingCache()

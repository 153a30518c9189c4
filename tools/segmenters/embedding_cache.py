"""In-process LRU cache of image embeddings, keyed by (backend key, image sha256) (a tools.image_cache.PerImageCache).

Shared by every segmenter in the process; a hit returns a copy of the `ImageEmbedding` with seconds=0.0.
Embeddings live only here (never in agent state).
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Callable

from tools.c_heap import give_back_free_heap
from tools.image_cache import PerImageCache
from tools.images import ImageInput, LoadedImage, load_image
from tools.segmenters.base import ImageEmbedding


class EmbeddingCache:
    """Thread-safe LRU of at most `max_items` embeddings (a 256x64x64 float embedding is 4 MiB)."""

    def __init__(self, max_items: int = 16):
        self.max_items = max_items
        self._items: PerImageCache[ImageEmbedding] = PerImageCache(max_items)
        self._lock = threading.Lock()  # guards the hit and miss counters
        self.hits = 0
        self.misses = 0

    def get(self, backend: str, sha256: str) -> ImageEmbedding | None:
        emb = self._items.get((backend, sha256))
        with self._lock:
            if emb is None:
                self.misses += 1
                return None
            self.hits += 1
        return replace(emb, seconds=0.0, extra={**emb.extra, "cached": True})

    def put(self, backend: str, emb: ImageEmbedding) -> None:
        self._items.put((backend, emb.image_sha256), emb)

    def embed_cached(self, backend: str, image: ImageInput, encode: Callable[[LoadedImage], ImageEmbedding]) -> ImageEmbedding:
        """The embedding of `image` for `backend`: from the cache, or `encode(loaded image)`, timed and stored.
        Before encoding, the C heap's free memory goes back to the system (tools.c_heap): the encoder's activations
        would otherwise stack on it."""
        img = load_image(image)
        hit = self.get(backend, img.sha256)
        if hit is not None:
            return hit
        give_back_free_heap()
        t0 = time.perf_counter()
        emb = encode(img)
        emb.seconds = time.perf_counter() - t0
        self.put(backend, emb)
        return emb

    def clear(self) -> None:
        self._items.clear()
        with self._lock:
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


EMBEDDING_CACHE = EmbeddingCache()


class CachedEmbedder:
    """Mixin for segmenters: `embed(image)` through an `EmbeddingCache`.

    The class sets `cache`, `cache_key` and `num_threads` and writes `_encode(loaded image) -> ImageEmbedding`.
    """

    cache: EmbeddingCache
    cache_key: str
    num_threads: int | None

    def _threads(self) -> None:
        if self.num_threads:
            import torch

            torch.set_num_threads(self.num_threads)

    def embed(self, image: ImageInput) -> ImageEmbedding:
        """Encode once per distinct image (shared LRU cache keyed by backend and pixel hash)."""
        self._threads()
        return self.cache.embed_cached(self.cache_key, image, self._encode)

    def _encode(self, img: LoadedImage) -> ImageEmbedding:
        raise NotImplementedError

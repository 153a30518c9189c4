"""Reuse of prompt KV caches between planner calls whose prompts share a token prefix.

Every interpret prompt starts with the same system text and worked examples, and a follow-up turn's prompt
repeats the earlier turns of its dialogue, so most of a prompt was already prefilled by an earlier call.
`PromptCacheStore` keeps the KV caches of the last few prompts (transformers `DynamicCache`, keyed by their
token ids); `reusable(ids)` returns a private copy cropped to the longest prefix it shares with `ids`, which
`model.generate(input_ids=ids, cache=copy)` (transformers >= 5.24) extends by prefilling only the remaining tokens.

Shapes: token ids are 1-D LongTensors (batch size 1). Memory per entry: layers x 2 x kv_heads x head_dim x
4 bytes per token (Qwen2.5-0.5B: 12 KB/token, so a 900-token prompt holds ~11 MB).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import torch


@dataclass
class CacheHit:
    """A cache ready to extend: `cache` holds the first `reused` tokens of the prompt (None when nothing matched)."""

    cache: object | None
    reused: int


def shared_prefix(a: torch.Tensor, b: torch.Tensor) -> int:
    """Number of leading token ids `a` and `b` (1-D) have in common."""
    n = min(int(a.numel()), int(b.numel()))
    if n == 0:
        return 0
    differ = (a[:n] != b[:n]).nonzero()
    return int(differ[0]) if differ.numel() else n


def _drop_last(cache: object, count: int) -> None:
    """Remove the last `count` positions of a DynamicCache (crop(-n) means that in transformers 4.x and 5.x)."""
    if count > 0:
        cache.crop(-count)


class PromptCacheStore:
    """The KV caches of the last `capacity` prompts, most recent first."""

    def __init__(self, capacity: int = 4, min_reuse: int = 16) -> None:
        self.capacity = int(capacity)
        self.min_reuse = int(min_reuse)  # shorter shared prefixes are not worth a copy
        self._entries: list[tuple[torch.Tensor, object]] = []

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def reusable(self, ids: torch.Tensor) -> CacheHit:
        """A copy of the stored cache sharing the longest prefix with `ids`, cropped to that prefix.

        At least one token of `ids` is left to prefill (generate needs the last prompt token's logits).
        """
        best, best_len = None, 0
        for stored_ids, cache in self._entries:
            length = min(shared_prefix(stored_ids, ids), int(ids.numel()) - 1)
            if length > best_len:
                best, best_len = cache, length
        if best is None or best_len < self.min_reuse:
            return CacheHit(None, 0)
        hit = copy.deepcopy(best)
        extra = hit.get_seq_length() - best_len
        _drop_last(hit, extra)
        return CacheHit(hit, best_len)

    def store(self, ids: torch.Tensor, cache: object) -> None:
        """Keep `cache` (it may hold generated tokens past the prompt: they are cropped) as the cache of `ids`;
        a cache shorter than the prompt (generation failed early) is not kept."""
        extra = cache.get_seq_length() - int(ids.numel())
        if extra < 0:
            return
        _drop_last(cache, extra)
        ids = ids.detach().clone()
        self._entries = [(i, c) for i, c in self._entries if not torch.equal(i, ids)]
        self._entries.insert(0, (ids, cache))
        del self._entries[self.capacity:]

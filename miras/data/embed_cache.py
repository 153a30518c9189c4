"""On-disk cache of frozen SAM image embeddings (the encoder is the cost on CPU).

`SamEmbeddingCache(folder, encoder_id)`: `get(sha256, compute)` returns a float32 (1, D, e, e) tensor, reading
`folder/encoder_id/<sha256>.safetensors` (stored float16) or calling `compute()` and writing it atomically (a
miss then returns the float16-rounded value too, so hits and misses agree).
An in-memory LRU of recent entries avoids re-reading hot images.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import load_file, save_file


class SamEmbeddingCache:
    def __init__(self, folder: str | Path | None, encoder_id: str, memory_items: int = 64):
        self.folder = Path(folder) / encoder_id if folder else None
        self.memory: OrderedDict[str, torch.Tensor] = OrderedDict()
        self.memory_items = memory_items
        self.hits = self.misses = 0

    def _remember(self, key: str, value: torch.Tensor) -> torch.Tensor:
        self.memory[key] = value
        self.memory.move_to_end(key)
        while len(self.memory) > self.memory_items:
            self.memory.popitem(last=False)
        return value

    def get(self, sha256: str, compute: Callable[[], torch.Tensor]) -> torch.Tensor:
        if sha256 in self.memory:
            self.hits += 1
            self.memory.move_to_end(sha256)
            return self.memory[sha256]
        path = self.folder / f"{sha256}.safetensors" if self.folder else None
        if path is not None and path.is_file():
            self.hits += 1
            return self._remember(sha256, load_file(str(path))["embedding"].float())
        self.misses += 1
        value = compute().detach().float().cpu()
        if path is not None:
            value = value.half().float()  # what a later read returns, so a resumed run sees the same embedding
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            save_file({"embedding": value.half().contiguous()}, str(tmp))
            os.replace(tmp, path)
        return self._remember(sha256, value)

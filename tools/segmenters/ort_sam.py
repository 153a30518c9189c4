"""ONNX Runtime sessions for an exported SAM-family encoder + prompt decoder (see tools.segmenters.onnx_export).

    ort_sam = OrtSam(folder, num_threads=2)
    feats = ort_sam.encode(x)                       # torch float (1, 3, S, S) -> torch (1, C, h, w)
    low, iou = ort_sam.decode(feats, inputs)        # inputs: tools.segmenters.onnx_decoder.pack_prompts(...)
                                                    # -> torch (N, 4, L, L) logits, (N, 4) predicted IoU
    with ort_sam.decoder_pass():                    # many decoder calls in a row (region proposals)
        ...
Both run on the CPU execution provider with all graph optimisations; docs/speed.md has what was measured.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Iterator

import numpy as np
import torch


def session_options(num_threads: int | None = None):
    """ORT options: full graph optimisation, `num_threads` intra-op threads (None: torch.get_num_threads(), so a
    process-wide cap such as evals' per-worker one holds here too), one inter-op thread, and no spinning of idle
    threads (they would steal the CPU from torch), and no memory arena: buffers go back after each run (with the
    arena, peak RSS of benchmarks/bench_agent.py was 1.97 GB against 1.13 GB on torch; the encoder is as fast)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.inter_op_num_threads = 1
    so.intra_op_num_threads = int(num_threads or torch.get_num_threads())
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.enable_cpu_mem_arena = False
    so.log_severity_level = 3
    return so


def encoder_options(num_threads: int | None = None):
    """`session_options` without weight pre-packing: the encoder keeps 51 MB less resident after a run at the same
    speed (0.487 vs 0.491 s, identical outputs; the decoder's footprint and speed do not change either way)."""
    so = session_options(num_threads)
    so.add_session_config_entry("session.disable_prepacking", "1")
    return so


def decoder_options(num_threads: int | None = None):
    """`session_options` with ONNX Runtime's memory arena: the decoder's buffers are reused from one call to the
    next instead of being mapped and faulted in afresh (about 16,000 page faults, a third of a 4-prompt call's time).
    `OrtSam` gives the arena's memory back at the end of every call made outside a `decoder_pass`, and at the end
    of each pass, so nothing stays held between turns."""
    so = session_options(num_threads)
    so.enable_cpu_mem_arena = True
    return so


class OrtSam:
    """An encoder session and a decoder session over one export folder."""

    def __init__(self, folder: str | Path, num_threads: int | None = None, encoder_file: str = "encoder.onnx"):
        import onnxruntime as ort

        folder = Path(folder)
        providers = ["CPUExecutionProvider"]
        self.encoder = ort.InferenceSession(str(folder / encoder_file), encoder_options(num_threads),
                                            providers=providers)
        self.decoder = ort.InferenceSession(str(folder / "decoder.onnx"), decoder_options(num_threads),
                                            providers=providers)
        self.folder = folder
        self._release = ort.RunOptions()
        self._release.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self._lock = threading.Lock()
        self._passes = 0
        self._held_feed: dict[str, np.ndarray] | None = None

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """float (1, 3, S, S) -> (1, C, h, w)."""
        out = self.encoder.run(None, {"image": np.ascontiguousarray(x.numpy(), np.float32)})[0]
        return torch.from_numpy(out)

    def decode(self, feats: torch.Tensor, inputs: dict[str, np.ndarray],
               keep: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """feats (1, C, h, w) + packed prompts -> (all logits (N, 4, L, L), iou (N, 4)); output 0 is the
        single-mask answer, 1..3 the multimask ones. keep: another call follows at once (the arena keeps its
        buffers for it); outside a `decoder_pass` a call without it gives the arena's memory back."""
        feed = {"image_embeddings": np.ascontiguousarray(feats.numpy(), np.float32), **inputs}
        with self._lock:
            held = self._passes > 0
            if held:
                self._held_feed = feed
        low, iou = self.decoder.run(None, feed, None if held or keep else self._release)
        return torch.from_numpy(low), torch.from_numpy(iou)

    @contextlib.contextmanager
    def decoder_pass(self) -> Iterator[None]:
        """Decoder calls inside keep the arena's buffers for the next call (a proposals pass: 1.35x faster a
        prompt); the memory goes back when the outermost pass ends (passes may overlap across threads)."""
        with self._lock:
            self._passes += 1
        try:
            yield
        finally:
            with self._lock:
                self._passes -= 1
                feed = self._held_feed if self._passes == 0 else None
                if feed is not None:
                    self._held_feed = None
            if feed is not None:
                self._give_back(feed)

    def _give_back(self, feed: dict[str, np.ndarray]) -> None:
        """Shrink the decoder's arena: ONNX Runtime frees its unused memory only at the end of a run asked to, so
        this runs the decoder once more on the pass's last embedding with one prompt (~0.015 s)."""
        one = {k: (v[:1] if k in ("coords", "labels", "mask_input") else v) for k, v in feed.items()}
        self.decoder.run(None, one, self._release)

"""MIRAS behind the `System` interface the evals runner drives.

    system = MirasSystem(checkpoint="runs/miras-small/checkpoint", device=None)
    conv = system.start(image_or_None)          # None: text-only (answers and names a target, no mask)
    result = conv.ask("segment the red cup")    # -> tools.system.TurnResult

TurnResult.text is the reply without special tokens; .target the phrase of the first generated [OBJ] ... [SEG]
span; .mask bool (H, W) at original size from the first [SEG] (more [SEG]s go to extra["masks_rle"]);
.score the decoder's predicted IoU; timings: encode / generate / total seconds.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch

from tools.images import load_image
from tools.masks import encode_rle
from tools.segmenters.sam_frame import lowres_to_original
from tools.system import TurnResult

from miras.checkpoint import CheckpointError, load_miras
from miras.data.batch import Featurizer, ImageInputs
from miras.data.embed_cache import SamEmbeddingCache
from miras.data.encode import encode_dialogue
from miras.tokens import IM_END, SEG_TOKEN, assistant_reply, targets_in, visible_text


class MirasConversation:
    """One dialogue on one image (or none). Keeps the raw replies (with [OBJ]/[SEG]) as the model's history."""

    def __init__(self, model, featurizer: Featurizer, image=None, max_new_tokens: int | None = None):
        self.model = model
        self.featurizer = featurizer
        self.loaded = load_image(image) if image is not None else None
        self.inputs: ImageInputs | None = None
        self.history: list[tuple[str, str]] = []
        self.max_new_tokens = max_new_tokens

    def _image_inputs(self) -> tuple[ImageInputs | None, float]:
        if self.loaded is None:
            return None, 0.0
        if self.inputs is None:
            t = time.perf_counter()
            self.inputs = self.featurizer.image(self.loaded)
            return self.inputs, time.perf_counter() - t
        return self.inputs, 0.0

    def ask(self, text: str) -> TurnResult:
        t0 = time.perf_counter()
        inputs, encode_s = self._image_inputs()
        tok = self.model.tokenizer
        ids, _ = encode_dialogue(tok, [*self.history, (text, None)], with_image=inputs is not None)
        t1 = time.perf_counter()
        gen = self.model.generate_turn(ids, inputs.vision if inputs else None, inputs.sam if inputs else None,
                                       self.max_new_tokens)
        raw = tok.decode(gen.new_ids.tolist(), skip_special_tokens=False)
        raw = raw.split(IM_END)[0].replace(tok.pad_token or "\0", "").strip()
        self.history.append((text, raw))
        targets = targets_in(raw)
        mask = score = None
        extra: dict = {"raw": raw, "targets": targets}
        if gen.low_res is not None and inputs is not None:
            full = lowres_to_original(gen.low_res, inputs.input_size, self.model.cfg.seg.image_size,
                                      inputs.original_size) > 0
            masks = full.numpy()
            mask, score = masks[0], float(gen.scores[0])
            extra["n_masks"] = int(masks.shape[0])
            extra["masks_rle"] = [encode_rle(m) for m in masks]
            extra["scores"] = [float(s) for s in gen.scores]
        t2 = time.perf_counter()
        return TurnResult(text=visible_text(raw), target=targets[0] if targets else None, mask=mask, score=score,
                          timings={"encode": encode_s, "generate": t2 - t1, "total": t2 - t0}, extra=extra)

    def use_reference_answer(self, text: str) -> None:
        """Gold-history mode: replace the last reply with the reference text, keeping the model's own target."""
        if not self.history:
            return
        human, raw = self.history[-1]
        names = targets_in(raw)
        self.history[-1] = (human, assistant_reply(text, names[0] if names else None, SEG_TOKEN in raw))


class MirasSystem:
    """Loads a MIRAS checkpoint once; `start(image)` opens a conversation."""

    name = "miras"

    def __init__(self, checkpoint: str | Path | None = None, device: str | None = None,
                 max_new_tokens: int | None = None, cache_dir: str | Path | None = None, threads: int | None = None):
        if checkpoint is None:
            raise CheckpointError("MIRAS needs --checkpoint DIR (a folder written by python -m miras.train)")
        path = Path(checkpoint)
        if (path / "checkpoint" / "config.json").is_file():
            path = path / "checkpoint"
        if threads:
            torch.set_num_threads(int(threads))
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = load_miras(path, device=self.device)
        self.checkpoint = path
        cfg = self.model.cfg
        cache = SamEmbeddingCache(cache_dir, f"{cfg.seg.encoder}-{cfg.seg.image_size}") if cache_dir else None
        self.featurizer = Featurizer(self.model, cache)
        self.max_new_tokens = int(max_new_tokens) if max_new_tokens else None

    def start(self, image=None) -> MirasConversation:
        return MirasConversation(self.model, self.featurizer, image, self.max_new_tokens)


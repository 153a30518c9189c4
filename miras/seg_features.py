"""Frozen [SEG] features for the mask stage: one teacher-forced, no-grad LLM pass per sample, cached on disk.

With the LLM side frozen (base, LoRA, new token rows, vision fusion + projector), the mask path (MASK_PATH: region
alignment, [SEG] MLP, prompt decoder) sees the LLM only through the last-layer hidden states of each
`[OBJ] name [SEG]` span. `SegFeatureStore.features(samples)` runs MirasModel._run (the splice + LLM pass that
MirasModel.forward uses) in eval mode once per sample and keeps, per sample, a `SegFeatures`:

    spans      N tensors (L_i, H) float32: hidden[span_start(p) .. p] at the spliced position p of the sample's
               i-th [SEG] (H = LLM hidden size); spans[i][-1] is the [SEG] state itself
    targets    (N, L, L) float16 low-res target masks in [0, 1] (L = decoder.low_res_size), in [SEG] order
    image_sha  the image's key in the SAM embedding cache (miras.data.embed_cache), whose (1, D, e, e) embedding
               the decoder reads; the embedding itself is not copied here

On disk: FOLDER/<model key[:24]>/<sample key>.safetensors with tensors "spans" (sum L_i, H) float32,
"span_lengths" (N,) int64, "targets" (N, L, L) float16, and metadata sample_id / image / image_sha.
The model key hashes the frozen side's config (LLM, vision, SAM encoder, max_len, LoRA shape) and every weight that
feeds the hidden states (all trainable weights outside MASK_PATH), so another LLM state never reuses them; the
sample key hashes the sample's id, image path, texts and mask references.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from miras.checkpoint import trainable_state
from miras.data.samples import MaskRef, Sample
from miras.mask_path import MASK_PATH
from miras.model import check_mask_count
from miras.splice import seg_positions

FORMAT = 1


@dataclass
class SegFeatures:
    sample_id: str
    image: str
    image_sha: str
    spans: list[torch.Tensor]
    targets: torch.Tensor

    @property
    def n(self) -> int:
        return len(self.spans)


def features_key(model) -> str:
    """sha256 of everything the [SEG] hidden states depend on, leaving out the mask path that trains on them."""
    cfg = model.cfg
    frozen = {"format": FORMAT, "llm": asdict(cfg.llm), "vision": asdict(cfg.vision), "seg": asdict(cfg.seg),
              "max_len": cfg.train.max_len,
              "lora": [cfg.train.lora_r, cfg.train.lora_alpha, sorted(cfg.train.lora_targets)]}
    h = hashlib.sha256(json.dumps(frozen, sort_keys=True).encode())
    for name, value in sorted(trainable_state(model).items()):
        if name.split(".")[0] in MASK_PATH:
            continue
        h.update(f"{name}{tuple(value.shape)}".encode())
        h.update(value.float().numpy().tobytes())
    return h.hexdigest()


def _mask_ref(m: MaskRef | None):
    if m is None:
        return None
    return str(m.path) if m.path is not None else [m.coco, m.size]


def sample_key(sample: Sample) -> str:
    parts = {"id": sample.id, "image": str(sample.image),
             "turns": [[human, reply, _mask_ref(m)] for human, reply, m in sample.turns]}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def write_features(path: Path, f: SegFeatures) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {"spans": torch.cat(f.spans) if f.spans else torch.zeros(0),
               "span_lengths": torch.tensor([s.shape[0] for s in f.spans], dtype=torch.long),
               "targets": f.targets.half().contiguous()}
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    save_file(tensors, str(tmp), metadata={"sample_id": f.sample_id, "image": f.image, "image_sha": f.image_sha})
    os.replace(tmp, path)


def read_features(path: Path) -> SegFeatures:
    with safe_open(str(path), framework="pt") as fh:
        meta = fh.metadata()
        t = {k: fh.get_tensor(k) for k in fh.keys()}
    lengths = t["span_lengths"].tolist()
    spans = list(torch.split(t["spans"], lengths)) if lengths else []
    return SegFeatures(meta["sample_id"], meta["image"], meta["image_sha"], spans, t["targets"])


class SegFeatureStore:
    """`features(samples)` -> one SegFeatures per sample (same order), read from FOLDER/<model key> or extracted
    (and written) in LLM passes of `batch_size` samples. `reused` / `extracted` count samples."""

    def __init__(self, folder: str | Path, model, featurizer, batch_size: int = 4):
        self.model = model
        self.featurizer = featurizer
        self.batch_size = max(1, batch_size)
        self.key = features_key(model)
        self.folder = Path(folder) / self.key[:24]
        self.reused = self.extracted = 0

    def path(self, sample: Sample) -> Path:
        return self.folder / f"{sample_key(sample)}.safetensors"

    def features(self, samples: list[Sample], progress: bool = False) -> list[SegFeatures]:
        out: list[SegFeatures | None] = [None] * len(samples)
        todo = []
        for i, s in enumerate(samples):
            if self.path(s).is_file():
                out[i] = read_features(self.path(s))
                self.reused += 1
            else:
                todo.append(i)
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="[SEG] features", dynamic_ncols=True)
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start: start + self.batch_size]
            for i, f in zip(chunk, self.extract([samples[i] for i in chunk])):
                write_features(self.path(samples[i]), f)
                out[i] = f
                self.extracted += 1
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
        return out

    @torch.no_grad()
    def extract(self, samples: list[Sample]) -> list[SegFeatures]:
        """One teacher-forced pass (eval mode, fp32) over `samples` -> their SegFeatures (nothing is written)."""
        model = self.model
        was_training = model.training
        model.eval()
        try:
            batch = self.featurizer.batch(samples)
            sp, out = model._run(batch.input_ids, batch.labels, batch.image_index, batch.vision)
            hidden = out.hidden_states[-1].float()
            low = model.decoder.low_res_size
            result = []
            for b, (s, positions) in enumerate(zip(samples, seg_positions(sp.ids, model.ids.seg))):
                gt = batch.gt_masks[b]
                check_mask_count(b, positions, gt)
                spans = [x.cpu().clone() for x in model.seg_spans(hidden[b], sp.ids[b], positions)]
                targets = gt.half() if gt is not None else torch.zeros(0, low, low, dtype=torch.float16)
                result.append(SegFeatures(s.id, str(s.image), self.featurizer.image_sha(s.image), spans, targets))
            return result
        finally:
            model.train(was_training)

"""The device bundle of miras.device_train: writing it here, reading it on the GPU machine, merging the result.

`write_bundle(model, samples, folder, ...)` -> report dict (sizes in MB, counts); `read_bundle(folder, device)` ->
`Bundle` (the mask path as a `MaskPath`, the frozen SAM encoder, train / held-out `SegFeatures`);
`BundleTable(bundle, device)` embeds every bundled image once and serves `sam_embedding(image, sha256)` like the
CPU path's Featurizer; `merge_trained(init, trained, out)` writes a MIRAS checkpoint whose mask path is the trained one.

features.safetensors: "spans" (sum L_i, H) float16, "span_lengths" (M,) int64, "mask_counts" (S,) int64 (masks per
sample, samples in bundle.json order), "target_bits" (M, L*L/8) uint8 (np.packbits of target > 0.5, row-major).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from tools.atomic_folder import atomic_folder

from miras.config import MirasConfig
from miras.mask_path import MASK_PATH, MaskPath, mask_path_state
from miras.seg_features import SegFeatures

FORMAT = 1
JPEG_MAGIC = b"\xff\xd8\xff"


class BundleError(ValueError):
    """A bundle that cannot be written (too large, unsupported encoder) or read (missing or foreign files)."""


def _half(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in state.items()}


def _image_bytes(path: Path, pixels: np.ndarray, image_format: str, quality: int) -> tuple[bytes, str]:
    """A JPEG source travels as it is (same pixels there); anything else is encoded (JPEG, or PNG: lossless)."""
    from PIL import Image

    raw = path.read_bytes()
    if image_format == "jpeg" and raw[:3] == JPEG_MAGIC:
        return raw, ".jpg"
    buf = io.BytesIO()
    if image_format == "png":
        Image.fromarray(pixels).save(buf, format="PNG", optimize=True)
        return buf.getvalue(), ".png"
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return buf.getvalue(), ".jpg"


def write_bundle(model, samples, folder: Path, cache_dir: Path, heldout: int = 16, seed: int = 0,
                 max_mb: float = 60.0, quality: int = 90, image_format: str = "jpeg") -> dict:
    """Extract (or reuse) the [SEG] features of `samples` with `model`'s frozen LLM side and write the bundle."""
    from miras.data.batch import Featurizer
    from miras.data.embed_cache import SamEmbeddingCache
    from miras.data.samples import split_heldout
    from miras.seg_features import SegFeatureStore
    from tools.images import load_image

    if model.cfg.seg.encoder not in ("mobile_sam", "tiny"):
        raise BundleError(f"the {model.cfg.seg.encoder!r} SAM encoder does not fit a device bundle; "
                          "use mobile_sam or tiny")
    cache = SamEmbeddingCache(cache_dir, f"{model.cfg.seg.encoder}-{model.cfg.seg.image_size}")
    featurizer = Featurizer(model, cache)
    train, held = split_heldout(samples, heldout, seed)
    store = SegFeatureStore(cache_dir / "seg_features", model, featurizer)
    feats = store.features(train, progress=True) + store.features(held, progress=True)
    with atomic_folder(folder) as tmp:
        (tmp / "images").mkdir()
        names: dict[str, str] = {}
        for f in feats:
            if f.image_sha not in names:
                loaded = load_image(f.image)
                data, suffix = _image_bytes(Path(f.image), loaded.pixels, image_format, quality)
                names[f.image_sha] = f"images/{f.image_sha[:20]}{suffix}"
                (tmp / names[f.image_sha]).write_bytes(data)
        spans = [s.half() for f in feats for s in f.spans]
        targets = torch.cat([f.targets for f in feats if f.n]) if any(f.n for f in feats) else torch.zeros(0, 1, 1)
        bits = np.packbits((targets > 0.5).numpy().reshape(targets.shape[0], -1), axis=1)
        save_file({"spans": torch.cat(spans) if spans else torch.zeros(0, dtype=torch.float16),
                   "span_lengths": torch.tensor([s.shape[0] for s in spans], dtype=torch.long),
                   "mask_counts": torch.tensor([f.n for f in feats], dtype=torch.long),
                   "target_bits": torch.from_numpy(bits)}, str(tmp / "features.safetensors"))
        save_file(_half(mask_path_state(model)), str(tmp / "mask_path.safetensors"))
        save_file(_half(model.seg_encoder.state_dict()), str(tmp / "sam_encoder.safetensors"))
        model.cfg.save(tmp / "config.json")
        meta = {"format": FORMAT, "hidden": int(model.llm.get_input_embeddings().weight.shape[1]),
                "low_res": int(model.decoder.low_res_size), "features_key": store.key, "n_train": len(train),
                "samples": [{"id": f.sample_id, "image": names[f.image_sha], "image_sha": f.image_sha, "masks": f.n}
                            for f in feats]}
        (tmp / "bundle.json").write_text(json.dumps(meta, indent=1))
        sizes = {p.name: p.stat().st_size / 2**20 for p in tmp.iterdir() if p.is_file()}
        sizes["images"] = sum(p.stat().st_size for p in (tmp / "images").iterdir()) / 2**20
        total = sum(sizes.values())
        if total > max_mb:
            parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]))
            raise BundleError(f"bundle would be {total:.1f} MB, over --max-mb {max_mb:g} ({parts} MB): "
                              "use fewer samples (--max-images) or a lower --jpeg-quality")
    return {"folder": str(folder), "total_mb": round(total, 2), "mb": {k: round(v, 2) for k, v in sizes.items()},
            "train_samples": len(train), "heldout_samples": len(held), "masks": int(targets.shape[0]),
            "images": len(names), "features": {"extracted": store.extracted, "reused": store.reused}}


def _encoder(cfg: MirasConfig, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    if cfg.seg.encoder == "mobile_sam":
        from tools.segmenters.mobile_sam import build_mobile_sam_image_encoder

        enc = build_mobile_sam_image_encoder({k: v.float() for k, v in state.items()})
    elif cfg.seg.encoder == "tiny":
        from miras.encoders import TinySamEncoder

        enc = TinySamEncoder(cfg.seg.embed_dim, cfg.seg.image_size, cfg.seg.embedding_size)
        enc.load_state_dict({k: v.float() for k, v in state.items()})
    else:
        raise BundleError(f"bundle with unsupported SAM encoder {cfg.seg.encoder!r}")
    for p in enc.parameters():
        p.requires_grad_(False)
    return enc.eval()


@dataclass
class Bundle:
    folder: Path
    cfg: MirasConfig
    mask_path: MaskPath
    encoder: torch.nn.Module
    train: list[SegFeatures]
    heldout: list[SegFeatures]

    def save_trained(self, path: Path) -> None:
        """The mask path's current weights (float16) for merge_trained."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        save_file(_half(mask_path_state(self.mask_path)), str(tmp))
        tmp.replace(path)  # a call cut off mid-write keeps the previous complete file


def read_bundle(folder: Path, device: torch.device | str = "cpu") -> Bundle:
    try:
        meta = json.loads((folder / "bundle.json").read_text())
        cfg = MirasConfig.load(folder / "config.json")
        t = load_file(str(folder / "features.safetensors"))
        mask_state = load_file(str(folder / "mask_path.safetensors"))
        enc_state = load_file(str(folder / "sam_encoder.safetensors"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"not a readable device bundle: {folder} ({exc})") from None
    if meta.get("format") != FORMAT:
        raise BundleError(f"{folder}: bundle format {meta.get('format')}, this code reads {FORMAT}")
    low = int(meta["low_res"])
    spans = list(torch.split(t["spans"].float(), t["span_lengths"].tolist()))
    bits = t["target_bits"].numpy()
    targets = torch.from_numpy(np.unpackbits(bits, axis=1, count=low * low).reshape(-1, low, low)).half()
    feats, s0, m0 = [], 0, 0
    for record, n in zip(meta["samples"], t["mask_counts"].tolist()):
        feats.append(SegFeatures(record["id"], str(folder / record["image"]), record["image_sha"],
                                 spans[s0: s0 + n], targets[m0: m0 + n]))
        s0, m0 = s0 + n, m0 + n
    mask_path = MaskPath(cfg, int(meta["hidden"]), mask_state).to(device)
    encoder = _encoder(cfg, enc_state).to(device)
    n_train = int(meta["n_train"])
    return Bundle(folder, cfg, mask_path, encoder, feats[:n_train], feats[n_train:])


class BundleTable:
    """Every bundled image's SAM embedding, computed once on `device` (stored float16, as the CPU cache stores
    them); `sam_embedding(image, sha256)` -> (1, D, e, e) float32."""

    def __init__(self, bundle: Bundle, device: torch.device | str, batch: int = 8):
        from tools.images import load_image
        from tools.segmenters.sam_frame import sam_frame

        images: dict[str, str] = {}
        for f in bundle.train + bundle.heldout:
            images.setdefault(f.image_sha, f.image)
        self.table: dict[str, torch.Tensor] = {}
        keys = list(images)
        with torch.no_grad():
            for start in range(0, len(keys), batch):
                chunk = keys[start: start + batch]
                frames = torch.cat([sam_frame(load_image(images[k]).pixels, bundle.cfg.seg.image_size)[0]
                                    for k in chunk]).to(device)
                for k, emb in zip(chunk, bundle.encoder(frames).float()):
                    self.table[k] = emb[None].half()

    def __len__(self) -> int:
        return len(self.table)

    def sam_embedding(self, image, sha256: str) -> torch.Tensor:
        return self.table[sha256].float()


def merge_trained(init: Path, trained: Path, out: Path) -> Path:
    """A copy of checkpoint `init` whose mask-path weights are those in `trained` (a file, or a folder holding
    mask_path.safetensors); a point head that `trained` has and `init` lacks (pack --point-head) is added, with
    the config saying so. meta.json says stage "mask" and where the weights came from."""
    from miras.checkpoint import WEIGHTS, read_config

    read_config(init)
    trained_file = trained / "mask_path.safetensors" if trained.is_dir() else trained
    if not trained_file.is_file():
        raise BundleError(f"no trained mask path at {trained}")
    weights = load_file(str(init / WEIGHTS))
    new = load_file(str(trained_file))
    keys = [k for k in weights if k.split(".")[0] in MASK_PATH]
    missing = [k for k in keys if k not in new]
    if missing:
        raise BundleError(f"{trained_file} lacks {len(missing)} mask-path weights, e.g. {missing[0]!r}")
    for k in keys:
        if new[k].shape != weights[k].shape:
            raise BundleError(f"{k}: trained shape {tuple(new[k].shape)}, checkpoint {tuple(weights[k].shape)}")
        weights[k] = new[k].to(weights[k].dtype).contiguous()
    added = [k for k in new if k.startswith("pointer.") and k not in weights]
    for k in added:
        weights[k] = new[k].float().contiguous()
    config = json.loads((init / "config.json").read_text())
    if added:
        config["seg"]["point_prompt"] = True
    with atomic_folder(out) as tmp:
        (tmp / "config.json").write_text(json.dumps(config, indent=2))
        save_file(weights, str(tmp / WEIGHTS))
        (tmp / "meta.json").write_text(json.dumps({"stage": "mask", "source": "miras.device_train",
                                                   "init": str(init), "trained": str(trained_file)}, indent=2))
    return out

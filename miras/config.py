"""MIRAS configuration: one dataclass tree, saved as config.json next to every checkpoint.

Presets (see `preset(name)`):
- tiny:  random tiny Llama LM + byte-level tokenizer built in code, tiny CLIPVisionModel + tiny ConvNextModel
         (the paper's classes, shrunken), random frozen conv SAM encoder, tiny SAM prompt decoder. Seconds on CPU.
- small: SmolLM2-135M-Instruct (embedded GGUF -> fp32 folder) as LLM; frozen MobileSAM image encoder whose
         (256, 64, 64) embedding, pooled to an 8x8 grid, gives the LLM-side vision tokens, with the full map as the
         high-resolution branch; MobileSAM prompt decoder initialised from the real weights.
- paper: LLaVA-1.5-7B language model + CLIP ViT-L/336 + ConvNeXt-L (768 px) + SAM ViT-H, all from local folders.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A config file or preset name that cannot be used."""


@dataclass
class LLMConfig:
    """kind: "tiny" (random Llama from the sizes below, byte-level tokenizer) | "smollm2" (embedded) | "folder".
    path: local transformers causal-LM folder for kind="folder"."""

    kind: str = "tiny"
    path: str | None = None
    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 4
    num_kv_heads: int = 2
    intermediate_size: int = 128
    seed: int = 0


@dataclass
class VisionConfig:
    """LLM-side vision.

    kind: "clip" (CLIPVisionModel: tiny random config when path is None, else a local folder) |
          "sam_pooled" (the SAM image embedding average-pooled to grid x grid tokens).
    aux_kind: high-resolution branch: None | "convnext" (ConvNextModel) | "sam" (the full SAM embedding map).
    grid: low-res token grid side (sam_pooled; for clip it follows image_size / patch_size).
    window: each low-res token attends to a window x window patch of the high-res map (Mini-Gemini style).
    """

    kind: str = "clip"
    path: str | None = None
    image_size: int = 32
    patch_size: int = 8
    hidden_size: int = 32
    num_layers: int = 2
    select_layer: int = -2
    grid: int = 8
    aux_kind: str | None = "convnext"
    aux_path: str | None = None
    aux_image_size: int = 64
    aux_hidden_sizes: list[int] = field(default_factory=lambda: [8, 16])
    window: int = 2
    fusion_heads: int = 2
    mean: list[float] = field(default_factory=lambda: [0.48145466, 0.4578275, 0.40821073])
    std: list[float] = field(default_factory=lambda: [0.26862954, 0.26130258, 0.27577711])


@dataclass
class SegConfig:
    """Segmentation side. encoder: "tiny" (random frozen conv) | "mobile_sam" | "sam_hf" (SamModel folder).
    embed_dim / embedding_size: the decoder's token dim and image embedding side; image_size: SAM input side."""

    encoder: str = "tiny"
    path: str | None = None
    embed_dim: int = 32
    embedding_size: int = 16
    image_size: int = 64
    decoder_weights: str | None = None  # "mobile_sam" -> initialise the prompt decoder from the real weights
    point_prompt: bool = False  # a [SEG] point head (miras.pointing) adds a point prompt beside the [SEG] token


@dataclass
class LossConfig:
    ce_weight: float = 1.0
    bce_weight: float = 2.0
    dice_weight: float = 0.5
    point_weight: float = 1.0  # the point head's loss (miras.pointing.pointing_loss), when the model has one


@dataclass
class TrainConfig:
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    lora_targets: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    lr: float = 3e-4
    weight_decay: float = 0.0
    batch_size: int = 2
    grad_accum: int = 1
    max_len: int = 512
    warmup_steps: int = 10


@dataclass
class MirasConfig:
    preset: str = "tiny"
    llm: LLMConfig = field(default_factory=LLMConfig)
    vision: VisionConfig = field(default_factory=VisionConfig)
    seg: SegConfig = field(default_factory=SegConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    align_heads: int = 4
    max_new_tokens: int = 48
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MirasConfig":
        return _build(cls, data)

    @classmethod
    def load(cls, path: str | Path) -> "MirasConfig":
        path = Path(path)
        if path.is_dir():
            path = path / "config.json"
        if not path.is_file():
            raise ConfigError(f"no MIRAS config at {path}")
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ConfigError(f"unreadable MIRAS config {path}: {exc}") from None


def _build(cls, data: dict[str, Any]):
    known = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    kwargs = {}
    for name, value in data.items():
        default = known[name].default_factory() if callable(known[name].default_factory) else None
        if is_dataclass(default) and isinstance(value, dict):
            kwargs[name] = _build(type(default), value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def _tiny() -> MirasConfig:
    return MirasConfig(train=TrainConfig(lora_r=8, lora_alpha=16, lr=3e-3, lora_dropout=0.0,
                                         lora_targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                       "up_proj", "down_proj"]),
                       max_new_tokens=32)


def _small() -> MirasConfig:
    return MirasConfig(
        preset="small",
        llm=LLMConfig(kind="smollm2"),
        vision=VisionConfig(kind="sam_pooled", grid=8, aux_kind="sam", window=4, fusion_heads=4, hidden_size=256),
        seg=SegConfig(encoder="mobile_sam", embed_dim=256, embedding_size=64, image_size=1024,
                      decoder_weights="mobile_sam"),
        train=TrainConfig(lora_r=8, lora_alpha=16, lr=2e-4, batch_size=2, grad_accum=2, max_len=640,
                          lora_targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]),
        align_heads=8,
    )


def _paper() -> MirasConfig:
    return MirasConfig(
        preset="paper",
        llm=LLMConfig(kind="folder", path="models/llava-1.5-7b-lm"),
        vision=VisionConfig(kind="clip", path="models/clip-vit-large-patch14-336", image_size=336, patch_size=14,
                            hidden_size=1024, aux_kind="convnext", aux_path="models/convnext-large",
                            aux_image_size=768, window=2, fusion_heads=8),
        seg=SegConfig(encoder="sam_hf", path="models/sam-vit-huge", embed_dim=256, embedding_size=64,
                      image_size=1024, decoder_weights="models/sam_vit_h_4b8939.pth"),
        train=TrainConfig(lora_r=8, lora_alpha=16, lr=3e-4, batch_size=2, grad_accum=10, max_len=2048),
        align_heads=8,
        max_new_tokens=256,
    )


def apply_overrides(cfg: MirasConfig, items: list[str]) -> MirasConfig:
    """Apply "section.key=value" overrides (value parsed as JSON, else kept as a string), e.g. vision.grid=4."""
    for item in items:
        if "=" not in item:
            raise ConfigError(f"override {item!r} is not key=value")
        key, raw = item.split("=", 1)
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        target = cfg
        *path, last = key.strip().split(".")
        for part in path:
            if not hasattr(target, part):
                raise ConfigError(f"unknown config section {part!r} in {key!r}")
            target = getattr(target, part)
        if not is_dataclass(target) or not hasattr(target, last) or is_dataclass(getattr(target, last)):
            raise ConfigError(f"unknown config key {key!r}")
        setattr(target, last, value)
    return cfg


PRESETS = {"tiny": _tiny, "small": _small, "paper": _paper}


def preset(name: str) -> MirasConfig:
    """A fresh config for preset `name` ("tiny", "small" or "paper")."""
    if name not in PRESETS:
        raise ConfigError(f"unknown MIRAS preset {name!r}; choose one of {sorted(PRESETS)}")
    return PRESETS[name]()

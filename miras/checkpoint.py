"""Checkpoints: a folder with config.json + weights.safetensors (+ train_state.pt while training).

weights.safetensors holds only what training changes: every trainable parameter (LoRA adapters, fusion,
projector, region alignment, [SEG] MLP, prompt decoder) by its module path, plus the new tokens' embedding rows
("new_rows.embed", "new_rows.lm_head" if untied). The frozen base is rebuilt from config.json (preset, local paths,
seeds). train_state.pt (optimizer, step, RNG and sampler state) is plain tensors/containers, read with
torch.load(weights_only=True); meta.json records the step and the stage ("joint" | "mask") that wrote it. Folders are
written to a temp name and renamed, so a kill never leaves half a one.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from tools.atomic_folder import atomic_folder

from miras.config import ConfigError, MirasConfig
from miras.llm import load_new_rows, new_rows_state, row_params

WEIGHTS = "weights.safetensors"
TRAIN_STATE = "train_state.pt"


class CheckpointError(ValueError):
    """A checkpoint folder that is missing or does not fit the model."""


def trainable_state(model) -> dict[str, torch.Tensor]:
    rows = {id(p) for p in row_params(model.llm).values()}
    state = {n: p.detach().cpu().contiguous() for n, p in model.named_parameters()
             if p.requires_grad and id(p) not in rows}
    state.update({k: v.cpu().contiguous() for k, v in new_rows_state(model.llm, model.base_vocab).items()})
    return state


def load_trainable(model, state: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    rows = {k: v for k, v in state.items() if k.startswith("new_rows.")}
    load_new_rows(model.llm, model.base_vocab, rows)
    with torch.no_grad():
        for name, value in state.items():
            if name in rows:
                continue
            if name not in params:
                raise CheckpointError(f"checkpoint weight {name!r} has no place in this model")
            if params[name].shape != value.shape:
                raise CheckpointError(f"checkpoint weight {name!r} has shape {tuple(value.shape)}, "
                                      f"model wants {tuple(params[name].shape)}")
            params[name].copy_(value.to(params[name].dtype))
    missing = [n for n, p in model.named_parameters() if p.requires_grad and n not in state
               and id(p) not in {id(q) for q in row_params(model.llm).values()}]
    if missing:
        raise CheckpointError(f"checkpoint lacks {len(missing)} trainable weights, e.g. {missing[0]!r}")


def save_checkpoint(model, folder: str | Path, train_state: dict | None = None, meta: dict | None = None) -> Path:
    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        model.cfg.save(tmp / "config.json")
        save_file(trainable_state(model), str(tmp / WEIGHTS))
        if train_state is not None:
            torch.save(train_state, tmp / TRAIN_STATE)
        if meta is not None:
            (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    return folder


def read_config(folder: str | Path) -> MirasConfig:
    folder = Path(folder)
    if not (folder / "config.json").is_file() or not (folder / WEIGHTS).is_file():
        raise CheckpointError(f"not a MIRAS checkpoint (needs config.json and {WEIGHTS}): {folder}")
    try:
        return MirasConfig.load(folder / "config.json")
    except ConfigError as exc:
        raise CheckpointError(str(exc)) from None


def load_weights_into(model, folder: str | Path) -> None:
    load_trainable(model, load_file(str(Path(folder) / WEIGHTS)))


def load_miras(folder: str | Path, device: str | torch.device | None = None):
    """Rebuild the model from the checkpoint's config and load its trained weights."""
    from miras.build import build_miras

    cfg = read_config(folder)
    model = build_miras(cfg)
    load_weights_into(model, folder)
    if device is not None:
        model.to(device)
    return model.eval()


def read_meta(folder: str | Path) -> dict:
    """meta.json of a checkpoint folder ({} when absent): step, stage ("joint" | "mask"), training args."""
    path = Path(folder) / "meta.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def check_stage(folder: str | Path, stage: str) -> None:
    """Refuse to resume a checkpoint that another training stage wrote (its optimizer holds other parameters).
    Checkpoints from before stages were recorded are joint-stage ones."""
    found = read_meta(folder).get("stage", "joint")
    if found != stage:
        raise CheckpointError(f"{folder} holds a {found}-stage run; resume it with that stage, or give this "
                              f"{stage}-stage run another --out (or --fresh)")


def load_train_state(folder: str | Path) -> dict | None:
    path = Path(folder) / TRAIN_STATE
    if not path.is_file():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)

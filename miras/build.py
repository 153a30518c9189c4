"""Build a MirasModel from a config (a preset or a checkpoint's config.json).

`build_miras(cfg, device=None)` -> MirasModel with LoRA applied and exactly these parts trainable:
LoRA adapters, the new tokens' embedding rows, the vision fusion + projector, region alignment, the [SEG] MLP
and the SAM prompt decoder. The LLM base, CLIP/ConvNeXt towers and the SAM image encoder stay frozen.
Random parts are seeded from cfg.seed, so a config always rebuilds the same untrained model.
"""
from __future__ import annotations

import torch

from miras.config import MirasConfig
from miras.encoders import build_prompt_decoder, build_seg_encoder
from miras.llm import apply_lora, build_llm, train_new_rows
from miras.model import MirasModel
from miras.tokens import token_ids
from miras.vision import VisionTokens


def build_miras(cfg: MirasConfig, device: str | torch.device | None = None) -> MirasModel:
    llm, tok, base_vocab = build_llm(cfg.llm)
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed + 1)
        llm = apply_lora(llm, cfg.train)
    train_new_rows(llm, base_vocab)
    hidden = llm.get_input_embeddings().weight.shape[1]
    seg_encoder = build_seg_encoder(cfg.seg)
    decoder = build_prompt_decoder(cfg.seg)
    with torch.random.fork_rng():
        torch.manual_seed(cfg.seed)
        vision = VisionTokens(cfg.vision, hidden, cfg.seg.embed_dim)
        model = MirasModel(cfg, llm, tok, base_vocab, token_ids(tok), vision, seg_encoder, decoder)
    for p in decoder.parameters():
        p.requires_grad_(True)
    if device is not None:
        model.to(device)
    return model


def trainable_parameters(model: MirasModel) -> list[torch.nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]

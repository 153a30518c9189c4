"""The language model side: build the causal LM + tokenizer, add MIRAS tokens, wrap in LoRA, train new rows.

`build_llm(cfg)` -> (model, tokenizer, n_base_vocab):
    tiny:    random LlamaForCausalLM from the sizes in LLMConfig (seeded) + byte-level tokenizer built in code;
    smollm2: the embedded SmolLM2-135M-Instruct fp32 folder (tools.weights.llm_folder.smollm2_folder());
    folder:  any local transformers causal-LM folder (local_files_only=True).
Rows >= n_base_vocab of the input (and, if untied, output) embedding are the new tokens' rows: they are the only
rows that train (a gradient mask zeroes the rest) and the only rows saved with a checkpoint.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from miras.config import ConfigError, LLMConfig, TrainConfig
from miras.tokens import add_miras_tokens, build_tiny_tokenizer


def _folder_for(cfg: LLMConfig) -> str:
    if cfg.kind == "smollm2":
        from tools.weights.llm_folder import smollm2_folder

        return str(smollm2_folder())
    if not cfg.path or not Path(cfg.path).is_dir():
        raise ConfigError(f"LLM folder not found: {cfg.path}")
    return str(cfg.path)


def build_llm(cfg: LLMConfig):
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    if cfg.kind == "tiny":
        tok = build_tiny_tokenizer()
        base_vocab = len(tok)
        add_miras_tokens(tok)
        conf = LlamaConfig(vocab_size=len(tok), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
                           num_attention_heads=cfg.num_heads, num_key_value_heads=cfg.num_kv_heads,
                           intermediate_size=cfg.intermediate_size, max_position_embeddings=4096,
                           tie_word_embeddings=False, pad_token_id=tok.pad_token_id,
                           eos_token_id=tok.eos_token_id, bos_token_id=None)
        with torch.random.fork_rng():
            torch.manual_seed(cfg.seed)
            model = LlamaForCausalLM(conf)
        return model, tok, base_vocab
    if cfg.kind not in ("smollm2", "folder"):
        raise ConfigError(f"unknown LLM kind {cfg.kind!r}")
    folder = _folder_for(cfg)
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    base_vocab = model.get_input_embeddings().weight.shape[0]
    add_miras_tokens(tok)
    if len(tok) > base_vocab:
        with torch.random.fork_rng():
            torch.manual_seed(cfg.seed)
            model.resize_token_embeddings(len(tok), mean_resizing=False)
            _init_new_rows(model, base_vocab)
    return model, tok, base_vocab


def _init_new_rows(model, base_vocab: int) -> None:
    """New rows start at the mean old embedding plus small noise (keeps early logits sane)."""
    with torch.no_grad():
        for emb in {id(e.weight): e for e in (model.get_input_embeddings(), model.get_output_embeddings())
                    if e is not None}.values():
            w = emb.weight
            w[base_vocab:] = w[:base_vocab].mean(0) + 0.01 * torch.randn_like(w[base_vocab:])


def apply_lora(model, train: TrainConfig):
    """Wrap `model` with peft LoRA (r == 0: no LoRA, base stays frozen)."""
    for p in model.parameters():
        p.requires_grad_(False)
    if train.lora_r <= 0:
        return model
    from peft import LoraConfig, get_peft_model

    lcfg = LoraConfig(r=train.lora_r, lora_alpha=train.lora_alpha, lora_dropout=train.lora_dropout,
                      target_modules=list(train.lora_targets), bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, lcfg)


def row_params(model) -> dict[str, nn.Parameter]:
    """{"embed": input embedding weight, "lm_head": output weight if untied}."""
    emb = model.get_input_embeddings().weight
    out = {"embed": emb}
    head = model.get_output_embeddings()
    if head is not None and head.weight is not emb:
        out["lm_head"] = head.weight
    return out


def train_new_rows(model, base_vocab: int) -> list[nn.Parameter]:
    """Make the embedding rows >= base_vocab trainable (others get zero gradient); returns the parameters."""
    params = list(row_params(model).values())
    for p in params:
        p.requires_grad_(True)
        keep = torch.zeros(p.shape[0], 1, dtype=p.dtype, device=p.device)
        keep[base_vocab:] = 1.0
        p.register_hook(lambda g, keep=keep: g * keep.to(g.device, g.dtype))
    return params


def new_rows_state(model, base_vocab: int) -> dict[str, torch.Tensor]:
    return {f"new_rows.{k}": p.detach()[base_vocab:].clone() for k, p in row_params(model).items()}


def load_new_rows(model, base_vocab: int, state: dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        for k, p in row_params(model).items():
            key = f"new_rows.{k}"
            if key not in state:
                raise ConfigError(f"checkpoint lacks {key}")
            rows = state[key]
            if rows.shape != p[base_vocab:].shape:
                raise ConfigError(f"checkpoint {key} has shape {tuple(rows.shape)}, model wants "
                                  f"{tuple(p[base_vocab:].shape)}")
            p[base_vocab:] = rows.to(p.dtype)

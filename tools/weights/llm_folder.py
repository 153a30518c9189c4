"""Transformers fp32 folders made once from the embedded GGUF LLMs (SmolLM2-135M, Qwen2.5-Coder-0.5B/1.5B).

`llm_folder(name)` returns `<cache>/<name>-fp32/` holding config.json, model.safetensors,
generation_config.json and the tokenizer files (chat template included), so
`AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)` loads in seconds and
`transformers serve FOLDER` can serve it. `smollm2_folder()` is `llm_folder("smollm2")`.

GGUF-loaded models refuse `save_pretrained`, so the converter dequantizes with `gguf_file=`, builds a
plain model from the same config (quantization_config removed), copies the state dict and saves that.
The write is atomic: a temp folder next to the target, renamed into place when complete.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from tools.atomic_folder import atomic_folder
from tools.weights.registry import cache_dir
from tools.weights.store import MissingWeightsError, weight_path

LLM_FOLDERS = {"smollm2": "smollm2-fp32", "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-fp32",
               "qwen2.5-coder-1.5b": "qwen2.5-coder-1.5b-fp32"}
FOLDER_NAME = LLM_FOLDERS["smollm2"]
_DONE_MARKER = ".complete"


def _is_complete(folder: Path) -> bool:
    return (folder / _DONE_MARKER).is_file() and (folder / "config.json").is_file()


def convert_gguf_folder(gguf: Path, target: Path, log: Callable[[str], None] | None = None) -> Path:
    """Dequantize `gguf` into a transformers fp32 folder at `target` (atomic; overwrites nothing complete)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    say = log or (lambda _msg: None)
    gguf = Path(gguf)
    if not gguf.is_file():
        raise MissingWeightsError(f"GGUF file not found: {gguf}")
    say(f"converting {gguf.name} to a transformers folder (dequantizing; 15 s for 135M, a minute or two for 1.5B) ...")
    quantized = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, local_files_only=True, dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name, local_files_only=True)
    config = quantized.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    with torch.device("meta"):  # no second copy of the weights in memory: the loaded tensors are assigned
        plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = plain.load_state_dict(quantized.state_dict(), strict=False, assign=True)
    plain.tie_weights()
    # Tied embeddings make lm_head.weight optional; anything else missing means a broken conversion.
    real_missing = [k for k in missing if k != "lm_head.weight"]
    if real_missing or unexpected:
        raise MissingWeightsError(
            f"GGUF conversion of {gguf.name} lost weights (missing {real_missing[:3]}, unexpected {unexpected[:3]})"
        )
    if getattr(plain, "generation_config", None) is not None and getattr(quantized, "generation_config", None):
        plain.generation_config = quantized.generation_config
    del quantized

    with atomic_folder(target) as tmp:
        plain.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _DONE_MARKER).write_text(f"converted from {gguf.name}\n")
    say(f"saved {target}")
    return target


def llm_folder(name: str, log: Callable[[str], None] | None = None) -> Path:
    """Path of the fp32 transformers folder of embedded LLM `name` (a key of LLM_FOLDERS), converting the
    fetched GGUF on first use. Raises MissingWeightsError (naming the fetch command) when the GGUF is missing."""
    if name not in LLM_FOLDERS:
        raise KeyError(f"unknown embedded LLM {name!r}; known: {', '.join(LLM_FOLDERS)}")
    target = cache_dir() / LLM_FOLDERS[name]
    if _is_complete(target):
        return target
    return convert_gguf_folder(weight_path(name), target, log=log)


def smollm2_folder(log: Callable[[str], None] | None = None) -> Path:
    """Path of the SmolLM2-135M-Instruct fp32 transformers folder (see llm_folder)."""
    return llm_folder("smollm2", log=log)

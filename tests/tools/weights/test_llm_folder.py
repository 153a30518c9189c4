"""GGUF -> transformers folder conversion of the embedded SmolLM2 (real weights, slow)."""
from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest
from gguf import GGUFReader
from gguf.quants import dequantize

from tools.weights import MissingWeightsError, weight_path
from tools.weights.llm_folder import FOLDER_NAME, smollm2_folder


def test_missing_gguf_names_the_fetch_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELRIST_WEIGHTS", str(tmp_path))
    with pytest.raises(MissingWeightsError, match="python -m tools.weights fetch smollm2"):
        smollm2_folder()
    assert not (tmp_path / FOLDER_NAME).exists()


@pytest.mark.slow
def test_conversion_is_atomic_cached_and_faithful(tmp_path, monkeypatch):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = weight_path("smollm2")
    cache = tmp_path / "cache"
    cache.mkdir()
    os.symlink(gguf, cache / gguf.name)
    shutil.copyfile(gguf.with_name(gguf.name + ".sha256"), cache / (gguf.name + ".sha256"))
    monkeypatch.setenv("PIXELRIST_WEIGHTS", str(cache))

    messages = []
    folder = smollm2_folder(log=messages.append)
    assert folder == cache / FOLDER_NAME and messages
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", ".complete"} <= names
    assert [p.name for p in cache.iterdir() if p.name.startswith(".")] == []  # no temp folder left behind

    t0 = time.perf_counter()
    assert smollm2_folder() == folder
    assert time.perf_counter() - t0 < 0.5

    converted = AutoModelForCausalLM.from_pretrained(str(folder), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    assert tokenizer.chat_template and tokenizer.eos_token == "<|im_end|>"
    # Saved weights equal the GGUF tensors dequantized independently with the gguf package.
    reader = {t.name: t for t in GGUFReader(str(gguf)).tensors}
    layers = converted.model.layers
    for gguf_name, tensor in (("blk.0.ffn_down.weight", layers[0].mlp.down_proj.weight),
                              ("blk.29.ffn_gate.weight", layers[29].mlp.gate_proj.weight),
                              ("blk.3.attn_norm.weight", layers[3].input_layernorm.weight),
                              ("output_norm.weight", converted.model.norm.weight)):
        entry = reader[gguf_name]
        expected = torch.from_numpy(np.array(dequantize(entry.data, entry.tensor_type), np.float32))
        assert torch.allclose(tensor.detach(), expected.reshape(tensor.shape), atol=1e-5), gguf_name
    # ... and the model runs: greedy continuation of a chat prompt is text, not garbage ids.
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "What colour is the sky?"}],
                                        add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        out = converted.generate(**ids, max_new_tokens=8, do_sample=False)
    assert any(ch.isalpha() for ch in tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True))

"""MirasSystem drives 2-turn dialogues with and without an image; the chat CLI runs and fails in one line."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from miras import chat
from miras.checkpoint import CheckpointError, save_checkpoint
from miras.system import MirasSystem
from miras.tokens import SEG_TOKEN
from tools.system import Conversation, System, TurnResult


@pytest.fixture(scope="module")
def ckpt(tiny_model, tmp_path_factory):
    return save_checkpoint(tiny_model, tmp_path_factory.mktemp("ck") / "checkpoint")


def _always_emit_seg(model) -> None:
    """Make the (random) tiny model's greedy choice [SEG] at every step, so every image turn decodes masks."""
    seg = model.tokenizer.convert_tokens_to_ids(SEG_TOKEN)

    def push_seg(module, inputs, logits):
        logits = logits.clone()
        logits[..., seg] = logits.max() + 100.0
        return logits

    model.llm.get_output_embeddings().register_forward_hook(push_seg)


def test_two_turns_with_and_without_image(ckpt, shapes_dir):
    system = MirasSystem(checkpoint=ckpt, max_new_tokens=6)
    assert isinstance(system, System)
    _always_emit_seg(system.model)
    image = shapes_dir / "images" / "s0.png"
    h, w = np.asarray(Image.open(image)).shape[:2]
    conv = system.start(str(image))
    assert isinstance(conv, Conversation)
    for text in ("segment the red circle", "now the square"):
        r = conv.ask(text)
        assert isinstance(r, TurnResult) and isinstance(r.text, str)
        assert r.timings["total"] >= r.timings["generate"] > 0
        assert SEG_TOKEN in r.extra["raw"] and SEG_TOKEN not in r.text
        assert r.mask is not None and r.mask.shape == (h, w) and r.mask.dtype == bool
        assert r.extra["n_masks"] == r.extra["raw"].count(SEG_TOKEN) == len(r.extra["masks_rle"])
        assert isinstance(r.score, float)
    assert len(conv.history) == 2
    text_only = system.start(None)
    for text in ("what is a circle?", "and a square?"):
        r = text_only.ask(text)
        assert SEG_TOKEN in r.extra["raw"]  # the model asks for a mask, but there is no image to put it on
        assert r.mask is None and isinstance(r.text, str)
    # gold-history mode keeps the dialogue going with the reference text
    text_only.use_reference_answer("A square has four equal sides.")
    assert "four equal sides" in text_only.history[-1][1]


def test_system_builds_through_the_evals_registry(ckpt):
    from evals.systems import build_system

    system = build_system("miras", checkpoint=str(ckpt), max_new_tokens=4)
    assert system.name == "miras"


def test_missing_checkpoint_is_one_line(tmp_path):
    with pytest.raises(CheckpointError, match="not a MIRAS checkpoint"):
        MirasSystem(checkpoint=tmp_path)


def test_chat_cli_json(ckpt, shapes_dir, tmp_path, capsys):
    code = chat.main([str(shapes_dir / "images" / "s1.png"), "--checkpoint", str(ckpt), "--turn", "segment it",
                      "--turn", "again", "--json", "--max-new-tokens", "4", "--out", str(tmp_path)])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["turn"] for r in rows] == [1, 2] and all("text" in r for r in rows)


def test_chat_cli_bad_image_is_one_line(ckpt, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    assert chat.main([str(bad), "--checkpoint", str(ckpt), "--turn", "hi"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err

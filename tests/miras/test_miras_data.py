"""Config round-trip and errors, format-2 / COCO readers, label masking of user turns and image tokens."""
from __future__ import annotations

import pytest
import torch

from miras.config import ConfigError, MirasConfig, apply_overrides, preset
from miras.data.encode import encode_dialogue
from miras.data.samples import DataError, coco_samples, read_dialogues
from miras.tokens import IGNORE_INDEX, add_miras_tokens, build_tiny_tokenizer, targets_in, token_ids, visible_text


def test_config_round_trip_and_errors(tmp_path):
    for name in ("tiny", "small", "paper"):
        cfg = preset(name)
        cfg.save(tmp_path / f"{name}.json")
        assert MirasConfig.load(tmp_path / f"{name}.json") == cfg
    with pytest.raises(ConfigError, match="unknown MIRAS preset"):
        preset("huge")
    cfg = apply_overrides(preset("small"), ["vision.grid=4", "train.lr=0.001"])
    assert cfg.vision.grid == 4 and cfg.train.lr == 0.001
    with pytest.raises(ConfigError):
        apply_overrides(preset("tiny"), ["vision.nope=1"])
    (tmp_path / "bad.json").write_text('{"preset": "tiny", "oops": 1}')
    with pytest.raises(ConfigError, match="unknown MirasConfig keys"):
        MirasConfig.load(tmp_path / "bad.json")


def test_paper_preset_without_local_folders_is_one_line():
    from miras.build import build_miras

    with pytest.raises(ConfigError, match="LLM folder not found"):
        build_miras(preset("paper"))


def test_read_dialogues_builds_obj_seg_replies(shapes_dir):
    samples = read_dialogues(shapes_dir)
    assert len(samples) == 4 and samples[0].n_masks == 2
    (h1, r1, m1), (h2, r2, m2) = samples[0].turns
    assert r1.startswith("[OBJ] the red circle [SEG]") and r2.startswith("[OBJ] the blue square [SEG]")
    assert m1.load().shape == (48, 64) and m1.load().sum() > 50
    assert targets_in(r1) == ["the red circle"] and visible_text(r1) == "the red circle Here it is."
    with pytest.raises(DataError):
        read_dialogues(shapes_dir / "images")


def test_labels_cover_only_assistant_turns():
    tok = build_tiny_tokenizer()
    add_miras_tokens(tok)
    ids = token_ids(tok)
    turns = [("hello [SEG] <image>", "[OBJ] a cat [SEG] Here."), ("more", "Plain answer.")]
    input_ids, labels = encode_dialogue(tok, turns, with_image=True)
    assert int((input_ids == ids.image).sum()) == 1  # the user's literal "<image>" was removed
    assert int((input_ids == ids.seg).sum()) == 1  # and so was the user's "[SEG]"
    labelled = tok.decode(input_ids[labels != IGNORE_INDEX].tolist())
    assert labelled == "[OBJ] a cat [SEG] Here.<|im_end|>\nPlain answer.<|im_end|>\n"
    assert (labels[input_ids == ids.image] == IGNORE_INDEX).all()
    prompt, _ = encode_dialogue(tok, [turns[0], ("next", None)], with_image=True)
    assert tok.decode(prompt.tolist()).endswith("<|im_start|>assistant\n")
    first, _ = encode_dialogue(tok, turns[:1], with_image=True)
    assert torch.equal(prompt[: first.numel()], first)  # generation sees the same prefix training did


def test_coco_stage1_samples(shared_data):
    samples = coco_samples(shared_data / "coco_tiny", max_images=10)
    assert samples, "expected stage-1 samples"
    for s in samples[:5]:
        (ask, reply, mask), = s.turns
        name = s.targets[0].removeprefix("the ")
        assert name in ask and reply.startswith(f"[OBJ] the {name} [SEG]")
        m = mask.load()
        assert m.dtype == bool and m.sum() > 0

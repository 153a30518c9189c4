"""The mask stage: [SEG] features are extracted once and then read without an LLM pass, they are exactly what the
joint forward decodes, training only the mask path lowers the loss (and localises the tiny shapes) while the LLM
side stays untouched, a killed run resumes, and its checkpoint loads in MirasSystem and the CLI."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from mask_stage_args import mask_stage_args
from miras import train as train_cli
from miras.build import build_miras
from miras.checkpoint import save_checkpoint, trainable_state
from miras.config import preset
from miras.data.batch import Featurizer
from miras.data.embed_cache import SamEmbeddingCache
from miras.data.samples import read_dialogues, split_heldout
from miras.evaluate import mask_iou_teacher_forced
from miras.mask_stage import collate, mask_step, seg_items, train_mask
from miras.mask_path import MASK_PATH
from miras.seg_features import SegFeatureStore


def _store(folder, model):
    return SegFeatureStore(folder, model, Featurizer(model, SamEmbeddingCache(folder / "sam", "tiny")))


def _no_llm(*args, **kwargs):
    raise AssertionError("the LLM ran")


def test_features_are_extracted_once_then_read_without_the_llm(tmp_path, shapes_dir, monkeypatch):
    samples = read_dialogues(shapes_dir)
    first_store = _store(tmp_path, build_miras(preset("tiny")))
    first = first_store.features(samples)
    assert (first_store.extracted, first_store.reused) == (4, 0)
    assert len(list(first_store.folder.glob("*.safetensors"))) == 4
    for f in first:
        assert f.n == 2 and f.targets.shape == (2, 64, 64) and f.targets.dtype == torch.float16
        assert all(s.shape[1] == 64 and s.shape[0] > 3 for s in f.spans)  # [OBJ] name [SEG], hidden size 64
    again = build_miras(preset("tiny"))
    monkeypatch.setattr(again.llm, "forward", _no_llm)
    monkeypatch.setattr(again.seg_encoder, "forward", _no_llm)
    store = _store(tmp_path, again)
    second = store.features(samples)
    assert (store.extracted, store.reused) == (0, 4) and store.key == first_store.key
    for a, b in zip(first, second):
        assert (a.sample_id, a.image_sha) == (b.sample_id, b.image_sha)
        assert all(torch.equal(x, y) for x, y in zip(a.spans, b.spans)) and torch.equal(a.targets, b.targets)
    # another LLM state (a LoRA update) never reads these features: it needs its own LLM pass
    with torch.no_grad():
        next(p for n, p in again.named_parameters() if "lora_B" in n).add_(0.1)
    changed = _store(tmp_path, again)
    assert changed.key != first_store.key and changed.folder != first_store.folder
    with pytest.raises(AssertionError, match="the LLM ran"):
        changed.features(samples[:1])
    # the mask path is not part of the key: training it keeps the features valid
    with torch.no_grad():
        again.seg_head.mlp[0].weight.add_(1.0)
        next(p for n, p in again.named_parameters() if "lora_B" in n).sub_(0.1)
    assert _store(tmp_path, again).key == first_store.key


def test_features_give_what_the_joint_forward_decodes(tmp_path, shapes_dir, tiny_model):
    sample = read_dialogues(shapes_dir)[1]
    store = _store(tmp_path, tiny_model)
    features = store.features([sample])
    tiny_model.eval()
    with torch.no_grad():
        joint = tiny_model(store.featurizer.batch([sample]))
        res = mask_step(tiny_model, collate(features, seg_items(features), store.featurizer, tiny_model.device))
    assert res.logits.shape == joint["masks"][0].shape == (2, 64, 64)
    assert torch.allclose(res.logits, joint["masks"][0], atol=1e-4)
    assert torch.allclose(res.bce, joint["bce"], atol=1e-3) and torch.allclose(res.dice, joint["dice"], atol=1e-3)


@pytest.fixture(scope="module")
def mask_run(tmp_path_factory, shapes_dir):
    """A fresh tiny model, its mask path trained 30 steps on the shapes dialogues (shared by the tests below)."""
    tmp = tmp_path_factory.mktemp("mask_run")
    model = build_miras(preset("tiny"))
    before = {k: v.clone() for k, v in trainable_state(model).items()}
    summary = train_mask(model, read_dialogues(shapes_dir), mask_stage_args(tmp, 30), log=lambda *_: None)
    return model, before, tmp / "run", summary


def test_mask_stage_lowers_the_loss_and_leaves_the_llm_side_alone(mask_run):
    model, before, out, summary = mask_run
    losses = [h["loss"] for h in summary["history"]]
    assert len(losses) == 30 and sum(losses[-5:]) / 5 < 0.8 * sum(losses[:5]) / 5, losses
    assert all("ce" not in h for h in summary["history"])
    assert summary["features"]["extracted"] == 4 and summary["features"]["train_masks"] == 8
    saved = load_file(str(out / "checkpoint" / "weights.safetensors"))
    assert saved.keys() == before.keys()  # the whole model's trainable weights, as a joint checkpoint holds
    mask_path = [k for k in saved if k.split(".")[0] in MASK_PATH]
    changed = {k for k in mask_path if not torch.allclose(saved[k], before[k])}
    assert {"align.attn.in_proj_weight", "seg_head.mlp.0.weight"} <= changed
    assert any(k.startswith("decoder.mask_decoder.output_hypernetworks_mlps.") for k in changed)
    for key in saved.keys() - set(mask_path):  # LoRA, new token rows, vision fusion + projector
        assert torch.equal(saved[key], before[key]), key
    assert (out / "loss_curve.png").stat().st_size > 1000
    assert len((out / "log.jsonl").read_text().splitlines()) == 30
    assert json.loads((out / "checkpoint" / "meta.json").read_text())["stage"] == "mask"


def test_mask_checkpoint_loads_in_the_system_and_evaluates(mask_run, shapes_dir):
    from evals.systems import build_system
    from miras.system import MirasSystem

    model, _, out, _ = mask_run
    system = MirasSystem(checkpoint=out)  # the run folder; MirasSystem finds out/checkpoint
    trained = trainable_state(model)
    for key, value in trainable_state(system.model).items():
        assert torch.equal(value, trained[key]), key
    samples = read_dialogues(shapes_dir)[:2]
    scores = mask_iou_teacher_forced(system.model, system.featurizer, samples)
    assert scores["n"] == 4 and 0.0 <= scores["giou"] <= 1.0
    assert scores == mask_iou_teacher_forced(model, Featurizer(model), samples)
    result = system.start(str(samples[0].image)).ask("segment the red circle")
    assert isinstance(result.text, str)
    assert build_system("miras", checkpoint=str(out / "checkpoint"), max_new_tokens=4).name == "miras"


def test_mask_stage_resumes_where_it_was_killed(tmp_path, shapes_dir):
    samples = read_dialogues(shapes_dir)
    straight = build_miras(preset("tiny"))
    kw = dict(warmup_steps=3, batch_size=3)  # 3 of the 8 masks a step: the sampler's position matters
    train_mask(straight, samples, mask_stage_args(tmp_path / "a", 6, **kw), log=lambda *_: None)
    first = build_miras(preset("tiny"))  # "killed" after 3 steps (inside warmup, so the LR schedule agrees)
    train_mask(first, samples, mask_stage_args(tmp_path / "b", 3, save_every=3, **kw), log=lambda *_: None)
    second = build_miras(preset("tiny"))
    notes = []
    summary = train_mask(second, samples, mask_stage_args(tmp_path / "b", 6, **kw), log=notes.append)
    assert any("resumed" in n and "at step 3" in n for n in notes) and summary["steps"] == 6
    assert summary["features"]["reused"] == 4 and summary["features"]["extracted"] == 0
    assert [h["step"] for h in summary["history"]] == [1, 2, 3, 4, 5, 6]
    sa, sb = trainable_state(straight), trainable_state(second)
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.allclose(sa[key], sb[key], atol=1e-5), key


@pytest.mark.slow
def test_mask_stage_localises_held_out_shapes(tmp_path, shapes_dir):
    """About 6 s: 120 steps on 3 shape dialogues, one more held aside; its masks go from nothing to the shapes."""
    model = build_miras(preset("tiny"))
    summary = train_mask(model, read_dialogues(shapes_dir), mask_stage_args(tmp_path, 120, heldout=1, eval_every=40,
                                                                   log_every=10), log=lambda *_: None)
    assert summary["history"][-1]["iou"] > 0.6, summary["history"][-1]
    assert summary["heldout_iou_after"] > max(0.4, summary["heldout_iou_before"] + 0.2), summary
    assert [h["heldout_iou"] for h in summary["history"] if h["step"] == 120] == [summary["heldout_iou_after"]]


def test_cli_mask_stage_from_a_joint_checkpoint(tmp_path, shapes_dir, capsys):
    joint = build_miras(preset("tiny"))
    with torch.no_grad():
        for name, p in joint.named_parameters():
            if "lora_B" in name:
                p.add_(0.01)  # a joint-stage LoRA state that differs from the fresh preset's
    init = save_checkpoint(joint, tmp_path / "joint" / "checkpoint", meta={"step": 1, "stage": "joint"})
    out = tmp_path / "mask"
    argv = ["--stage", "mask", "--init", str(init), "--data", str(shapes_dir), "--steps", "3", "--out", str(out),
            "--batch-size", "4", "--heldout", "1", "--eval-every", "1", "--log-every", "1", "--no-progress"]
    assert train_cli.main(argv) == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.rindex("\n{\n") + 1:])
    assert summary["stage"] == "mask" and summary["steps"] == 3 and len(summary["heldout_ids"]) == 1
    assert summary["features"]["train_masks"] == 6  # the held-out dialogue's 2 masks are not trained on
    rows = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and all(0.0 <= r["heldout_iou"] <= 1.0 and r["steps_per_s"] > 0 for r in rows)
    saved, start = load_file(str(out / "checkpoint" / "weights.safetensors")), trainable_state(joint)
    lora = [k for k in saved if "lora_" in k]
    assert lora and all(torch.equal(saved[k], start[k]) for k in lora)  # --init's LoRA, not the fresh preset's
    assert not torch.equal(saved["seg_head.mlp.0.weight"], start["seg_head.mlp.0.weight"])
    # the joint stage refuses to resume a mask-stage folder (its optimizer holds other parameters)
    assert train_cli.main(["--preset", "tiny", "--data", str(shapes_dir), "--steps", "4", "--out", str(out),
                           "--no-progress", "--eval-samples", "0"]) == 2
    assert "mask-stage run" in capsys.readouterr().err


def test_split_heldout_is_seeded_and_disjoint(shapes_dir):
    samples = read_dialogues(shapes_dir)
    train, held = split_heldout(samples, 2, seed=3)
    assert len(held) == 2 and len(train) == 2 and {s.id for s in train}.isdisjoint(s.id for s in held)
    assert [s.id for s in split_heldout(samples, 2, seed=3)[1]] == [s.id for s in held]
    assert len(split_heldout(samples, 10)[0]) == 1 and split_heldout(samples, 0) == (samples, [])


def test_a_time_budget_fits_the_step_count(tmp_path, shapes_dir):
    """--max-minutes: after timing 10 steps the run keeps only the steps that fit; a spent budget ends it there."""
    model = build_miras(preset("tiny"))
    summary = train_mask(model, read_dialogues(shapes_dir), mask_stage_args(tmp_path, 50, max_seconds=1e-9),
                         log=lambda *_: None)
    assert summary["steps"] == 10 and [h["step"] for h in summary["history"]][-1] == 10
    assert (tmp_path / "run" / "checkpoint" / "weights.safetensors").is_file()

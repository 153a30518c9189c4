"""The tiny preset trains on CPU: loss falls, the alignment module learns and is saved, checkpoints round-trip,
and a killed run resumes to the same weights as an uninterrupted one."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from miras.build import build_miras
from miras.checkpoint import load_miras, trainable_state
from miras.config import preset
from miras.data.batch import Featurizer
from miras.data.samples import read_dialogues
from miras.trainer import TrainArgs, train


def _args(out, steps, **kw):
    base = dict(out=str(out), steps=steps, batch_size=2, grad_accum=1, lr=3e-3, warmup_steps=2, log_every=1,
                save_every=1000, eval_samples=0, progress=False, seed=0)
    base.update(kw)
    return TrainArgs(**base)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, shapes_dir):
    """A fresh tiny model trained 16 steps on the shapes dialogues (shared by the tests below)."""
    model = build_miras(preset("tiny"))
    before = {k: v.clone() for k, v in trainable_state(model).items()}
    out = tmp_path_factory.mktemp("tiny_run")
    summary = train(model, read_dialogues(shapes_dir), _args(out, 16), log=lambda *_: None)
    return model, before, out, summary


@pytest.mark.slow
def test_loss_falls(trained):
    _, _, out, summary = trained
    losses = [h["loss"] for h in summary["history"]]
    assert len(losses) == 16
    assert sum(losses[-4:]) / 4 < 0.9 * sum(losses[:4]) / 4, losses
    ce = [h["ce"] for h in summary["history"]]
    assert sum(ce[-4:]) < sum(ce[:4])
    assert (out / "loss_curve.png").stat().st_size > 1000
    assert len((out / "log.jsonl").read_text().splitlines()) == 16


@pytest.mark.slow
def test_alignment_learns_and_is_saved(trained):
    model, before, out, _ = trained
    saved = load_file(str(out / "checkpoint" / "weights.safetensors"))
    align_keys = [k for k in saved if k.startswith("align.")]
    assert any(k.startswith("align.attn.") for k in align_keys)
    for key in align_keys:
        assert torch.equal(saved[key], dict(model.named_parameters())[key].detach().cpu())
    changed = [k for k in align_keys if not torch.allclose(saved[k], before[k])]
    assert "align.attn.in_proj_weight" in changed and "align.attn.out_proj.weight" in changed
    # the other trained parts are saved too; the frozen base is not
    assert any(".lora_A." in k for k in saved) and any(k.startswith("seg_head.") for k in saved)
    assert any(k.startswith("decoder.mask_decoder.") for k in saved)
    assert any(k.startswith("vision.projector.") for k in saved)
    assert not any(k.startswith(("seg_encoder.", "vision.clip.", "vision.aux.")) for k in saved)
    rows = saved["new_rows.embed"]
    assert rows.shape[0] == 3 and not torch.allclose(rows, before["new_rows.embed"])


@pytest.mark.slow
def test_checkpoint_round_trip_gives_same_outputs(trained, shapes_dir):
    model, _, out, _ = trained
    loaded = load_miras(out / "checkpoint")
    assert json.loads((out / "checkpoint" / "config.json").read_text())["preset"] == "tiny"
    sample = read_dialogues(shapes_dir)[1]
    model.eval()
    with torch.no_grad():
        a = model(Featurizer(model).batch([sample]))
        b = loaded(Featurizer(loaded).batch([sample]))
    assert torch.allclose(a["loss"], b["loss"], atol=1e-5)
    assert torch.allclose(a["masks"][0], b["masks"][0], atol=1e-4)
    fresh = build_miras(preset("tiny"))
    fresh.eval()
    with torch.no_grad():
        c = fresh(Featurizer(fresh).batch([sample]))
    assert not torch.allclose(a["loss"], c["loss"], atol=1e-3)  # the checkpoint carried the training


@pytest.mark.slow
def test_resume_after_kill_matches_uninterrupted(tmp_path, shapes_dir):
    samples = read_dialogues(shapes_dir)
    straight = build_miras(preset("tiny"))
    train(straight, samples, _args(tmp_path / "a", 4), log=lambda *_: None)
    first = build_miras(preset("tiny"))
    train(first, samples, _args(tmp_path / "b", 2, save_every=2), log=lambda *_: None)  # then "killed"
    second = build_miras(preset("tiny"))
    notes = []
    summary = train(second, samples, _args(tmp_path / "b", 4), log=notes.append)
    assert any("resumed" in n for n in notes) and summary["steps"] == 4
    sa, sb = trainable_state(straight), trainable_state(second)
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.allclose(sa[key], sb[key], atol=1e-5), key


def test_heldout_iou_is_shown_and_never_trained_on(tmp_path, shapes_dir, monkeypatch):
    samples = read_dialogues(shapes_dir)
    batches = []
    real_batch = Featurizer.batch

    def spy(self, some):
        batches.append([s.id for s in some])
        return real_batch(self, some)

    monkeypatch.setattr(Featurizer, "batch", spy)
    summary = train(build_miras(preset("tiny")), samples, _args(tmp_path, 3, heldout=1, eval_every=2),
                    log=lambda *_: None)
    (held,) = summary["heldout_ids"]
    training = [b for b in batches if len(b) == 2]  # held-out evaluation featurizes one sample at a time
    assert len(training) == 3 and all(held not in b for b in training)
    assert [held] in batches  # it was evaluated
    assert isinstance(summary["heldout_before"], float) and summary["heldout_after"]["n"] == 2
    rows = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2, 3] and all(0.0 <= r["heldout_giou"] <= 1.0 for r in rows)

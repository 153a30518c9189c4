"""miras.device_train: the bundle holds exactly the features the CPU mask stage trains on, the GPU-side loop
(run here on the CPU with the tiny preset) lowers the loss on them, and merging gives a checkpoint that loads with
the trained mask path and the LLM side of --init untouched."""
from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from miras import device_train
from miras.bundle_io import BundleError, BundleTable, read_bundle
from miras.checkpoint import WEIGHTS, load_miras, save_checkpoint
from miras.data.batch import Featurizer
from miras.data.embed_cache import SamEmbeddingCache
from miras.data.samples import read_dialogues, split_heldout
from miras.mask_path import MASK_PATH
from miras.mask_stage import heldout_iou
from miras.seg_features import SegFeatureStore


@pytest.fixture(scope="module")
def packed(tmp_path_factory, shapes_dir, tiny_model):
    tmp = tmp_path_factory.mktemp("device")
    init = save_checkpoint(tiny_model, tmp / "init" / "checkpoint")
    code = device_train.main(["pack", "--init", str(init), "--data", str(shapes_dir), "--out", str(tmp / "bundle"),
                              "--cache", str(tmp / "cache"), "--heldout", "1", "--image-format", "png"])
    assert code == 0
    return tmp, init


def test_bundle_holds_the_features_the_cpu_mask_stage_uses(packed, shapes_dir, tiny_model):
    tmp, _ = packed
    bundle = read_bundle(tmp / "bundle")
    samples = read_dialogues(shapes_dir)
    train, held = split_heldout(samples, 1, 0)
    store = SegFeatureStore(tmp / "cache" / "seg_features", tiny_model,
                            Featurizer(tiny_model, SamEmbeddingCache(tmp / "cache", "tiny-64")))
    local = store.features(train) + store.features(held)
    assert store.extracted == 0  # pack wrote them to the same cache
    assert [f.sample_id for f in bundle.train + bundle.heldout] == [f.sample_id for f in local]
    assert len(bundle.heldout) == 1
    for b, f in zip(bundle.train + bundle.heldout, local):
        assert b.n == f.n == 2 and torch.equal(b.targets > 0.5, f.targets > 0.5)
        assert all(torch.allclose(x, y, atol=1e-2, rtol=1e-2) for x, y in zip(b.spans, f.spans))
    # same weights, same images (PNG travels losslessly): the bundle's mask path scores what the model scores
    table = BundleTable(bundle, "cpu")
    there = heldout_iou(bundle.mask_path, bundle.train, table, 8)
    here = heldout_iou(tiny_model, local[: len(bundle.train)], store.featurizer, 8)
    assert there == pytest.approx(here, abs=0.03)


def test_train_then_merge_gives_a_loadable_checkpoint(packed, tiny_model):
    tmp, init = packed
    out = tmp / "out"
    code = device_train.main(["train", "--bundle", str(tmp / "bundle"), "--out", str(out), "--steps", "60",
                              "--batch-size", "6", "--lr", "3e-3", "--device", "cpu", "--log-every", "10",
                              "--eval-every", "30"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    rows = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert summary["steps"] == 60 and len(rows) == 6 and rows[-1]["loss"] < rows[0]["loss"]
    assert all(r["masks_per_s"] > 0 for r in rows) and (out / "loss_curve.png").is_file()
    assert device_train.main(["merge", "--init", str(init), "--trained", str(out), "--out", str(tmp / "merged")]) == 0
    merged = load_file(str(tmp / "merged" / "checkpoint" / WEIGHTS))
    before = load_file(str(init / WEIGHTS))
    trained = load_file(str(out / "mask_path.safetensors"))
    assert merged.keys() == before.keys()
    for k, v in merged.items():
        if k.split(".")[0] in MASK_PATH:
            assert torch.equal(v, trained[k].float())
        else:
            assert torch.equal(v, before[k])
    assert any(not torch.equal(merged[k], before[k]) for k in merged if k.startswith("seg_head."))
    model = load_miras(tmp / "merged" / "checkpoint")
    assert torch.equal(model.seg_head.mlp[0].weight.detach(), trained["seg_head.mlp.0.weight"].float())


def test_oversized_bundles_and_foreign_folders_are_one_line_errors(packed, shapes_dir, tmp_path, capsys):
    tmp, init = packed
    code = device_train.main(["pack", "--init", str(init), "--data", str(shapes_dir), "--out", str(tmp_path / "b"),
                              "--cache", str(tmp / "cache"), "--heldout", "1", "--max-mb", "0.01"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "over --max-mb 0.01" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "b").exists() and not list(tmp_path.glob(".b-*"))  # nothing half-written
    assert device_train.main(["train", "--bundle", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "not a readable device bundle" in capsys.readouterr().err
    assert device_train.main(["pack", "--init", str(init), "--data", str(tmp_path / "missing"),
                              "--out", str(tmp_path / "c")]) == 2
    assert "no dialogues.json" in capsys.readouterr().err
    assert device_train.main(["merge", "--init", str(init), "--trained", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "no trained mask path" in capsys.readouterr().err
    assert device_train.main(["train", "--bundle", str(tmp / "bundle"), "--out", str(tmp_path / "p"), "--steps", "1",
                              "--point-only", "--device", "cpu"]) == 2  # packed without --point-head
    err = capsys.readouterr().err.strip()
    assert "point head" in err and len(err.splitlines()) == 1


def test_point_head_recipe_travels_and_merges_into_a_checkpoint_with_the_head(packed, shapes_dir, tiny_model):
    """pack --point-head --reset-decoder ships SAM's own decoder and a new head; train --point-only trains the head;
    merge adds the head to a checkpoint that had none."""
    from miras.encoders import build_prompt_decoder

    tmp, _ = packed
    changed = save_checkpoint(tiny_model, tmp / "changed" / "checkpoint")
    weights = load_file(str(changed / WEIGHTS))
    save_file({k: (v + 0.1 if k.startswith("decoder.") else v) for k, v in weights.items()}, str(changed / WEIGHTS))
    bundle, out = tmp / "bundle_point", tmp / "out_point"
    assert device_train.main(["pack", "--init", str(changed), "--data", str(shapes_dir), "--out", str(bundle),
                              "--cache", str(tmp / "cache"), "--heldout", "1", "--image-format", "png",
                              "--point-head", "--reset-decoder"]) == 0
    assert device_train.main(["train", "--bundle", str(bundle), "--out", str(out), "--steps", "20", "--batch-size",
                              "6", "--lr", "3e-3", "--device", "cpu", "--eval-every", "10", "--point-only"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert "heldout_point_hit_after" in summary
    assert device_train.main(["merge", "--init", str(changed), "--trained", str(out),
                              "--out", str(tmp / "merged_point")]) == 0
    model = load_miras(tmp / "merged_point" / "checkpoint")
    trained = load_file(str(out / "mask_path.safetensors"))
    assert model.pointer is not None and model.cfg.seg.point_prompt
    assert torch.equal(model.pointer.query[0].weight.detach(), trained["pointer.query.0.weight"].float())
    initial = build_prompt_decoder(model.cfg.seg).state_dict()
    assert all(torch.allclose(model.decoder.state_dict()[k].float(), v.float(), atol=1e-3, rtol=1e-3) for k, v in initial.items())

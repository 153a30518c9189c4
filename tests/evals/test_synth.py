"""Synthetic benchmark: determinism, disjoint splits, exact masks, format-2 output the loader reads."""
import filecmp
import json

import numpy as np
import pytest

from evals.datasets import load_dataset
from evals.errors import EvalError
from evals.synth import check_disjoint, generate_record, write_split
from evals.synth.palette import COLORS, shade


def _tree_equal(a, b):
    cmp = filecmp.dircmp(a, b)
    assert not cmp.left_only and not cmp.right_only and not cmp.diff_files
    for sub in cmp.common_dirs:
        _tree_equal(a / sub, b / sub)


@pytest.fixture(scope="module")
def splits(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    write_split(root / "test_a", 3, seed=0, split="test")
    write_split(root / "test_b", 3, seed=0, split="test")
    write_split(root / "train", 3, seed=0, split="train")
    return root


def test_same_seed_same_bytes(splits):
    _tree_equal(splits / "test_a", splits / "test_b")
    # and a different seed gives different scenes
    assert generate_record(1, "test", 0)[1].pixels.tobytes() != generate_record(0, "test", 0)[1].pixels.tobytes()


def test_splits_disjoint(splits, tmp_path):
    check_disjoint([splits / "test_a", splits / "train"])
    a = set(json.loads((splits / "test_a" / "manifest.json").read_text())["scene_sha256"])
    b = set(json.loads((splits / "train" / "manifest.json").read_text())["scene_sha256"])
    assert len(a) == 3 and not a & b
    with pytest.raises(EvalError, match="appears in both"):
        check_disjoint([splits / "test_a", splits / "test_b"])


def test_output_loads_as_records_with_tags_and_masks(splits):
    ds = load_dataset(splits / "test_a")
    assert ds.format == "records" and len(ds) == 3
    for rec in ds.records:
        assert 2 <= len(rec.turns) <= 5 and rec.scored_turns and rec.focus
        assert f"turns:{len(rec.turns)}" in rec.tags
        for turn in rec.scored_turns:
            assert turn.mask_png.name == f"{rec.id}_t{turn.index + 1}.png"
            assert turn.reference_mask().any()
    rec_id, scene, turns, focus, tags = generate_record(0, "test", 0)
    rec = ds.records[0]
    assert rec.id == rec_id and rec.focus == focus
    for ref, made in zip(rec.turns, turns):
        assert ref.human == made["human"]
        if made["mask"] is not None:
            assert (ref.reference_mask() == made["mask"]).all()


def _allowed(obj):
    colors = {COLORS[obj.color], shade(COLORS[obj.color], 0.62), shade((90, 90, 90), 1.0)}
    colors |= {COLORS[c] for c in obj.part_colors.values()}
    if obj.word_color:
        colors.add(COLORS[obj.word_color])
    return np.array(sorted(colors), np.int16)


@pytest.mark.parametrize("index", range(6))
def test_masks_are_exact(index):
    _, scene, turns, _, _ = generate_record(3, "val", index)
    img = scene.pixels.astype(np.int16)
    H, W = img.shape[:2]
    for obj in scene.objects:
        assert obj.area >= 0.5 * obj.full_area
        pix = img[obj.mask]
        dist = np.abs(pix[:, None, :] - _allowed(obj)[None]).max(axis=2).min(axis=1)
        tolerance = 22 if obj.texture == "noise" else 0
        assert (dist <= tolerance).all(), f"{obj.category} mask holds pixels of other colours"
        for name, part in obj.parts.items():
            assert not (part & ~obj.mask).any()
            color = obj.part_colors[name]
            if color != obj.color and name not in ("label", "board"):
                assert (img[part] == COLORS[color]).all()
        if obj.texture != "noise":  # just outside the mask the object's colour is (almost) absent
            ring = np.zeros((H, W), bool)
            m = obj.mask
            ring[1:] |= m[:-1]; ring[:-1] |= m[1:]; ring[:, 1:] |= m[:, :-1]; ring[:, :-1] |= m[:, 1:]
            others = np.zeros((H, W), bool)
            for o in scene.objects:
                if o.oid != obj.oid:
                    others |= o.mask
            ring &= ~m & ~others
            if ring.sum() > 20:
                same = (img[ring] == COLORS[obj.color]).all(axis=1).mean()
                assert same < 0.02
    for turn in turns:
        if turn["mask"] is not None:
            assert turn["mask"].shape == (H, W) and turn["mask"].any()


def test_phenomena_coverage():
    tags = set()
    for i in range(20):
        tags |= set(generate_record(0, "train", i)[4])
    for wanted in ("new_target", "refine_part", "correction", "relation", "attribute", "answer_only", "closing",
                   "distractor", "switch"):
        assert wanted in tags, wanted

"""Both dataset formats, the real PRIST dev file, LabelMe focus filtering and path safety."""
import json

import numpy as np
import pytest
from PIL import Image

from evals.datasets import load_dataset
from evals.datasets.paths import safe_join
from evals.errors import DatasetError
from tools.masks import save_mask_png


def test_real_prist_dev_loads_text_only(prist_dev):
    ds = load_dataset(str(prist_dev))
    assert ds.format == "prist" and len(ds) == 255
    assert len({r.id for r in ds.records}) == 255
    for record in ds.records:
        assert record.image is None and record.focus
        assert record.closing_turn is not None and "[SEG]" in record.closing_turn.reference
        assert not record.scored_turns
    assert load_dataset(str(prist_dev), limit=7).records[-1].id == ds.records[6].id


def test_prist_with_images_and_labelme(tmp_path, prist_folder):
    images, masks = prist_folder
    ds = load_dataset(tmp_path, images=images, masks=masks)
    rec, missing = ds.records
    assert rec.image == images / "abc123.jpg" and missing.image is None
    assert any("text-only" in n for n in ds.notes)
    (turn,) = rec.scored_turns
    assert turn.closing and turn.index == 1
    mask = turn.reference_mask()
    assert mask.shape == (40, 60)
    assert mask[15, 15] and mask[12, 32]       # both "red mug" polygons, case-insensitive
    assert not mask[30, 45]                    # the typewriter is not in the focus
    assert 100 <= mask.sum() <= 160


def test_png_records_and_path_safety(tmp_path):
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(tmp_path / "img.png")
    m = np.zeros((16, 16), bool)
    m[2:6, 2:6] = True
    save_mask_png(m, tmp_path / "masks" / "a_t1.png")
    good = [{"id": "a", "image": "img.png", "focus": "square", "tags": ["t"], "dialogue": [
        {"from": "human", "value": "segment the square"}, {"from": "gpt", "value": "ok", "mask": "masks/a_t1.png"},
        {"from": "human", "value": "what colour?"}, {"from": "gpt", "value": "black"}]}]
    (tmp_path / "dialogues.json").write_text(json.dumps(good))
    ds = load_dataset(tmp_path)
    (rec,) = ds.records
    assert ds.format == "records" and rec.tags == ["t"]
    assert [t.scored for t in rec.turns] == [True, False]
    assert rec.closing_turn.index == 0
    assert (rec.turns[0].reference_mask() == m).all()
    for bad in ("../x.png", "/etc/passwd", "masks/../../x.png", "C:\\x.png"):
        broken = json.loads(json.dumps(good))
        broken[0]["dialogue"][1]["mask"] = bad
        (tmp_path / "dialogues.json").write_text(json.dumps(broken))
        with pytest.raises(DatasetError):
            load_dataset(tmp_path)
    broken = json.loads(json.dumps(good))
    broken[0]["image"] = "../img.png"
    (tmp_path / "dialogues.json").write_text(json.dumps(broken))
    with pytest.raises(DatasetError, match="'\\.\\.'"):
        load_dataset(tmp_path)


def test_safe_join_rejects_escape(tmp_path):
    assert safe_join(tmp_path, "a/b.png") == (tmp_path / "a" / "b.png").resolve()
    for bad in ("../x.png", "/abs.png", "a/../../x.png", ""):
        with pytest.raises(DatasetError):
            safe_join(tmp_path, bad)


def test_bad_inputs_give_one_line_errors(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(tmp_path / "nope.json")
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(DatasetError, match="not valid JSON"):
        load_dataset(tmp_path / "x.json")
    (tmp_path / "x.json").write_text(json.dumps([{"id": "a", "dialogue": [{"from": "gpt", "value": "hi"}]}]))
    with pytest.raises(DatasetError, match="without a human turn"):
        load_dataset(tmp_path / "x.json")

import json

import numpy as np
import pytest
from PIL import Image

from tools.masks import save_mask_png


def make_records(root, n=5, turns=3, size=(24, 32)):
    """n records on tiny images; turn k of record i says "rec{i} turn {k}"; turns 0 and 2 carry masks."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    h, w = size
    records = []
    for i in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[:, :, 0] = 10 * i
        img[4:12, 4 + i:14 + i] = (200, 30, 30)
        Image.fromarray(img).save(root / "images" / f"r{i}.png")
        dialogue = []
        for k in range(turns):
            dialogue.append({"from": "human", "value": f"rec{i} turn {k}: segment the red block"})
            gpt = {"from": "gpt", "value": f"here is the red block {k}"}
            if k % 2 == 0:
                m = np.zeros((h, w), bool)
                m[4:12, 4 + i:14 + i] = True
                if k == 2:
                    m[:, :] = False
                    m[h // 2 - 4:h // 2 + 4, w // 2 - 4:w // 2 + 4] = True
                save_mask_png(m, root / "masks" / f"r{i}_t{k + 1}.png")
                gpt["mask"] = f"masks/r{i}_t{k + 1}.png"
            dialogue.append(gpt)
        records.append({"id": f"r{i}", "image": f"images/r{i}.png", "dialogue": dialogue, "focus": "red block",
                        "tags": [f"group{i % 2}"]})
    (root / "dialogues.json").write_text(json.dumps(records))
    return root


@pytest.fixture
def records_dir(tmp_path):
    return make_records(tmp_path / "data")


def make_prist_folder(tmp_path):
    """tmp_path/test.json (PRIST items), images/abc123.jpg (60x40) and masks/abc123.json (LabelMe); a 2nd item has no image."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    Image.fromarray(np.full((40, 60, 3), 90, np.uint8)).save(images / "abc123.jpg")
    labelme = {"imageHeight": 40, "imageWidth": 60, "shapes": [
        {"label": "Red MUG on table", "points": [[10, 10], [20, 10], [20, 20], [10, 20]]},
        {"label": "red mug handle", "points": [[30, 10], [35, 10], [35, 15], [30, 15]]},
        {"label": "typewriter", "points": [[40, 25], [55, 25], [55, 35], [40, 35]]},
    ]}
    (masks / "abc123.json").write_text(json.dumps(labelme))
    items = [{"img_id": "abc123.jpg", "focus": "red mug", "dialogue": [
        {"from": "human", "value": "What is on the table?"}, {"from": "gpt", "value": "A red mug."},
        {"from": "human", "value": "Please segment the conversation above."}, {"from": "gpt", "value": "Sure, [SEG]."}]},
        {"img_id": "missing.jpg", "focus": "x", "dialogue": [{"from": "human", "value": "hi"}]}]
    (tmp_path / "test.json").write_text(json.dumps(items))
    return images, masks


@pytest.fixture
def prist_folder(tmp_path):
    return make_prist_folder(tmp_path)

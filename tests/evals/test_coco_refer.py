"""The COCO referring benchmark: built from the real coco_tiny annotations, loadable by the eval runner."""
import json

import numpy as np
from PIL import Image

from evals.coco_refer import write_benchmark
from evals.datasets import load_dataset


def test_benchmark_from_coco_tiny(shared_data, tmp_path):
    counts = write_benchmark(shared_data / "coco_tiny", tmp_path / "refer")
    assert counts["single"] > 100 and counts["position"] > 50 and 0 < counts["synonym"] < counts["single"]
    records = json.loads((tmp_path / "refer" / "dialogues.json").read_text())
    assert len(records) == counts["records"] and len({r["id"] for r in records}) == len(records)
    left = next(r for r in records if "position_left" in r["tags"])
    assert "on the left" in left["dialogue"][0]["value"]
    mask = np.array(Image.open(tmp_path / "refer" / left["dialogue"][1]["mask"])) > 0
    image = Image.open(tmp_path / "refer" / left["image"])
    assert mask.shape == (image.height, image.width) and mask.mean() >= 0.01
    loaded = load_dataset(tmp_path / "refer")
    assert len(loaded) == len(records) and all(len(r.turns) == 1 and r.turns[0].scored for r in loaded.records)

"""The embedded COCO-80 detector grounder: decoding units (no weights) and real-weight quality (slow)."""
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from tools import ground
from tools.grounders import build_grounder
from tools.grounders.coco_detector import (NANODET_MEAN_BGR, NANODET_STD_BGR, CocoDetector, _query_categories,
                                           class_nms, letterbox, nanodet_level)
from tools.masks import box_iou
from tools.weights import MissingWeightsError

# Measured 2026-12-02 on the first 12 val2017 photos (70 instances of area >= 1% of the image): instance
# recall (same class, box IoU >= 0.5, any score) NanoDet 0.91, CenterNet 0.86; class recall 0.88 for both.
MIN_INSTANCE_RECALL = {"nanodet": 0.78, "centernet": 0.74}
MIN_CLASS_RECALL = 0.75


def test_query_categories():
    assert _query_categories("dog") == {"dog"}
    assert _query_categories("Dogs") == {"dog"}
    assert _query_categories("benches") == {"bench"}
    assert _query_categories(" hot dogs ") == {"hot dog"}
    assert _query_categories("*") is None and _query_categories("") is None
    assert _query_categories("spaceship") == frozenset()


def test_nanodet_level_decodes_distance_expectation_from_cell_centre():
    stride, side = 32, 13
    scores = np.zeros((side * side, 80), np.float32)
    dists = np.full((side * side, 44), -50.0, np.float32)
    cell = 2 * side + 3  # row 2, column 3
    scores[cell, 16] = 0.9
    for k, b in enumerate([2, 3, 1, 4]):  # left, top, right, bottom peak bins
        dists[cell, k * 11 + b] = 50.0
    boxes, got_scores, classes = nanodet_level(scores, dists, stride, 0.05)
    cx, cy = 3.5 * stride, 2.5 * stride
    np.testing.assert_allclose(boxes, [[cx - 64, cy - 96, cx + 32, cy + 128]], atol=1e-3)
    assert got_scores.tolist() == [pytest.approx(0.9)] and classes.tolist() == [16]
    assert nanodet_level(scores * 0.01, dists, stride, 0.05)[0].shape == (0, 4)


def test_class_nms_is_per_class_and_best_first():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10], [50, 50, 60, 60]], np.float32)
    scores = np.array([0.5, 0.9, 0.6, 0.3], np.float32)
    keep = class_nms(boxes, scores, np.array([0, 0, 1, 0]), 0.6, 100)
    assert keep.tolist() == [1, 2, 3]
    assert class_nms(boxes, scores, np.array([0, 0, 1, 0]), 0.6, 2).tolist() == [1, 2]


def test_letterbox_is_bgr_normalised_top_left():
    pixels = np.zeros((100, 200, 3), np.uint8)
    pixels[..., 0] = 255  # pure red
    tensor, scale = letterbox(pixels, 416)
    assert tensor.shape == (1, 3, 416, 416) and scale == pytest.approx(2.08)
    red_bgr = (np.array([0, 0, 255], np.float32) - NANODET_MEAN_BGR) / NANODET_STD_BGR
    np.testing.assert_allclose(tensor[0, :, 10, 10], red_bgr, rtol=1e-5)
    assert np.all(tensor[0, :, 300:, :] == 0)  # padding below the 208-row image


@pytest.fixture(scope="module", params=["nanodet", "centernet"])
def detector(request):
    try:
        return CocoDetector(request.param, threads=1)
    except MissingWeightsError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"detector weights missing in CI: {exc}")
        pytest.skip(f"{request.param} weights missing (run python -m tools.weights fetch)")


def _val(coco: Path, n: int):
    gt = json.loads((coco / "annotations" / "instances_val2017.json").read_text())
    names = {c["id"]: c["name"] for c in gt["categories"]}
    for info in sorted(gt["images"], key=lambda i: i["file_name"])[:n]:
        anns = [(names[a["category_id"]], [a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2],
                                           a["bbox"][1] + a["bbox"][3]])
                for a in gt["annotations"] if a["image_id"] == info["id"] and not a.get("iscrowd")
                and a["area"] >= 0.01 * info["width"] * info["height"]]
        yield coco / "val2017" / info["file_name"], anns


@pytest.mark.slow
def test_finds_the_annotated_classes(detector, coco_tiny):
    hits = total = class_hits = class_total = 0
    for path, anns in _val(coco_tiny, 12):
        regions = detector.detect(path)
        assert all(r.source == detector.source and r.attributes["category"] == r.label for r in regions)
        found_classes: dict[str, bool] = {}
        for name, box in anns:
            found = any(r.label == name and box_iou(r.box, box) >= 0.5 for r in regions)
            hits, total = hits + found, total + 1
            found_classes[name] = found_classes.get(name, False) or found
        class_hits, class_total = class_hits + sum(found_classes.values()), class_total + len(found_classes)
    assert total == 70
    assert hits / total >= MIN_INSTANCE_RECALL[detector.model], (hits, total)
    assert class_hits / class_total >= MIN_CLASS_RECALL, (class_hits, class_total)


@pytest.mark.slow
def test_ground_filters_by_category_and_caches(detector, coco_tiny):
    path = coco_tiny / "val2017" / "000000047112.jpg"  # a pizza on a dining table
    everything = detector.detect(path)
    assert everything and [r.id for r in everything[:3]] == ["d0", "d1", "d2"]
    assert everything == sorted(everything, key=lambda r: -r.score)
    x0, y0, x1, y1 = everything[0].box
    assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 480
    pizzas = detector.ground(path, "pizzas")
    assert pizzas and {r.label for r in pizzas} == {"pizza"}
    assert box_iou(pizzas[0].box, [114.3, 199.6, 640.0, 480.0]) >= 0.5
    assert detector.ground(path, "spaceship") == []
    assert len(detector.ground(path, "*")) == len(everything)
    everything[0].attributes["category"] = "changed"
    t = time.perf_counter()
    again = detector.detect(path)
    assert time.perf_counter() - t < 0.05  # cached by the pixels' sha256
    assert again[0].attributes["category"] == again[0].label


@pytest.mark.slow
def test_cli_grounds_a_dog(detector, capsys, coco_tiny):
    path = coco_tiny / "val2017" / "000000329219.jpg"
    name = "detector" if detector.model == "nanodet" else "centernet"
    assert ground.main([str(path), "dog", "--grounder", name, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records and {r["label"] for r in records} == {"dog"}
    assert records[0]["source"] == f"detector:{detector.model}"
    assert box_iou(records[0]["box"], [297.7, 252.3, 357.9, 360.8]) >= 0.5
    assert isinstance(build_grounder(name), CocoDetector)

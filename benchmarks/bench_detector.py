"""Benchmark the embedded COCO-80 detectors on coco_tiny val2017 (prints figures; not a test).

    python benchmarks/bench_detector.py [--models nanodet centernet] [--threads 1] [--images N]

Per model: detect() median time (incl. resize and NMS; the per-image cache never hits), COCO AP50 (pycocotools
COCOeval, bbox) over all sizes and for objects of area >= 3072 px, and recall at any score (a detection of the
same class with box IoU >= 0.5) of the non-crowd instances of area >= 1% of the image, overall and for person.
Reference (../shared/FACTS.md): NanoDet AP50 0.42 / 0.55, recall 0.88; CenterNet 0.50 / 0.65, recall 0.85.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.grounders.coco_detector import CocoDetector  # noqa: E402
from tools.images import load_image  # noqa: E402
from tools.masks import box_iou  # noqa: E402
from tools.vocabulary import COCO_CLASSES  # noqa: E402

COCO = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_tiny"
BIG_AREA = 3072.0


def ap50(gt_json: Path, results: list[dict], image_ids: list[int]) -> tuple[float, float]:
    """(AP50 over all sizes, AP50 for area >= BIG_AREA) from COCOeval's precision table."""
    from pycocotools.coco import COCO as CocoApi
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = CocoApi(str(gt_json))
        dt = gt.loadRes(results) if results else None
        if dt is None:
            return 0.0, 0.0
        ev = COCOeval(gt, dt, "bbox")
        ev.params.imgIds = image_ids
        ev.params.areaRng = [[0.0, 1e10], [BIG_AREA, 1e10]]
        ev.params.areaRngLbl = ["all", "big"]
        ev.evaluate()
        ev.accumulate()
    precision = ev.eval["precision"]  # [iou thresholds, recall points, classes, areas, max dets]
    out = []
    for area in range(2):
        p = precision[0, :, :, area, -1]
        out.append(float(np.mean(p[p > -1])) if (p > -1).any() else 0.0)
    return out[0], out[1]


def xywh_to_xyxy(b: list[float]) -> list[float]:
    return [b[0], b[1], b[0] + b[2], b[1] + b[3]]


def evaluate(model: str, threads: int, limit: int | None) -> dict[str, float]:
    gt_json = COCO / "annotations" / "instances_val2017.json"
    gt = json.loads(gt_json.read_text())
    images = gt["images"][:limit] if limit else gt["images"]
    name_of = {c["id"]: c["name"] for c in gt["categories"]}
    id_of = {c["name"]: c["id"] for c in gt["categories"]}
    detector = CocoDetector(model, threads=threads)
    detector.detect(load_image(COCO / "val2017" / images[0]["file_name"]))  # warm-up
    detector._cache.clear()
    times, results = [], []
    hits = total = person_hits = person_total = 0
    for info in images:
        img = load_image(COCO / "val2017" / info["file_name"])
        t = time.perf_counter()
        regions = detector.detect(img)
        times.append(time.perf_counter() - t)
        for r in regions:
            x0, y0, x1, y1 = r.box
            results.append({"image_id": info["id"], "category_id": id_of[r.label], "score": r.score,
                            "bbox": [x0, y0, x1 - x0, y1 - y0]})
        for ann in gt["annotations"]:
            if ann["image_id"] != info["id"] or ann.get("iscrowd") or ann["area"] < 0.01 * img.width * img.height:
                continue
            name = name_of[ann["category_id"]]
            box = xywh_to_xyxy(ann["bbox"])
            found = any(r.label == name and box_iou(r.box, box) >= 0.5 for r in regions)
            hits, total = hits + found, total + 1
            if name == "person":
                person_hits, person_total = person_hits + found, person_total + 1
    ap_all, ap_big = ap50(gt_json, results, [i["id"] for i in images])
    return {"ms": 1000 * statistics.median(times), "ap50": ap_all, "ap50_big": ap_big,
            "recall": hits / max(total, 1), "person_recall": person_hits / max(person_total, 1),
            "instances": total, "images": len(images)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["nanodet", "centernet"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--images", type=int, default=None, help="first N val2017 images (default: all 80)")
    args = ap.parse_args()
    assert len(COCO_CLASSES) == 80
    print(f"coco_tiny val2017, {args.threads} thread(s)")
    print(f"{'model':10s} {'detect ms':>9s} {'AP50':>6s} {'AP50>=3072':>10s} {'recall':>7s} {'person':>7s}  instances")
    for model in args.models:
        m = evaluate(model, args.threads, args.images)
        print(f"{model:10s} {m['ms']:9.0f} {m['ap50']:6.3f} {m['ap50_big']:10.3f} {m['recall']:7.3f} "
              f"{m['person_recall']:7.3f}  {m['instances']} on {m['images']} images")


if __name__ == "__main__":
    main()

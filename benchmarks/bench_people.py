"""Benchmark the people analysis (MoveNet keypoints + pose + FaceRes gender/age) against the COCO detector, on
coco_tiny photos with people (prints figures; not a test).

    python benchmarks/bench_people.py [--images N] [--threads T]

Reports per image: the detector's time, the people analysis's time (MoveNet, then FaceRes on the faces found)
and their ratio, medians over the photos, with the number of people, keypoint sets, poses and confident
genders found. Goal: the people analysis <= 0.3 s an image on a 2-core CPU.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.grounders.coco_detector import CocoDetector  # noqa: E402
from tools.images import load_image  # noqa: E402
from tools.people.analysis import PeopleAnalyser  # noqa: E402

COCO = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_tiny"


def photos_with_people(n: int) -> list[Path]:
    gt = json.loads((COCO / "annotations" / "instances_val2017.json").read_text())
    ids = sorted({a["image_id"] for a in gt["annotations"] if a["category_id"] == 1 and a["area"] > 5000})
    return [COCO / "val2017" / f"{i:012d}.jpg" for i in ids[:n]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    detector, people = CocoDetector(threads=args.threads), PeopleAnalyser(threads=args.threads)
    det_s, ppl_s, counts = [], [], [0, 0, 0, 0]
    for path in photos_with_people(args.images):
        image = load_image(path)
        t = time.perf_counter()
        boxes = [r.box for r in detector.detect(image) if r.label == "person" and r.score >= 0.12]
        det_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        facts = people.analyse(image.pixels, boxes)
        ppl_s.append(time.perf_counter() - t)
        counts[0] += len(facts)
        counts[1] += sum(f.keypoints is not None for f in facts)
        counts[2] += sum(f.pose is not None for f in facts)
        counts[3] += sum(f.face is not None and f.face.gender is not None for f in facts)
        print(f"{path.name}: detector {det_s[-1]:.3f} s, people {ppl_s[-1]:.3f} s ({len(facts)} people)", flush=True)
    d, p = statistics.median(det_s), statistics.median(ppl_s)
    print(f"\n{len(det_s)} photos, {args.threads} thread(s): detector median {d:.3f} s, people analysis median "
          f"{p:.3f} s, ratio people/detector {p / d:.2f}")
    print(f"people {counts[0]}, with keypoints {counts[1]}, with a pose {counts[2]}, with a confident gender {counts[3]}")


if __name__ == "__main__":
    main()

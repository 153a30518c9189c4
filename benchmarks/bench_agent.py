"""Per-turn latency and peak memory of the agent with the embedded stack (MobileSAM + proposals + OCR + Haar).

    python benchmarks/bench_agent.py [--image PATH] [--points-per-side 16] [--threads 2] [--prist]

First turn = image encoding + proposals (+ OCR when asked); follow-ups reuse the per-image caches.
Prints one JSON object: first-turn seconds, follow-up seconds per turn, their ratio, peak RSS (MB), and
with --prist the focus token F1 of the rule planner's inferred targets over the PRIST dev dialogues.
Goals: follow-ups < 0.5 s and >= 4x faster than the first turn; peak RSS < 2 GB.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOLLOW_UPS = ["what colour is it?", "the one next to it", "no, the other one", "only the top half of it",
              "what is under it", "the biggest", "how many regions are there?", "why did you choose that?"]


def default_image() -> str:
    folder = ROOT.parent / "shared" / "data" / "coco_tiny"
    photos = sorted(folder.rglob("*.jpg"))
    if not photos:
        raise SystemExit(f"no photos under {folder}; pass --image")
    return str(photos[0])


def prist_focus_f1() -> dict:
    from agent.planners.focus import focus_f1, infer_focus, prist_dialogue
    records = json.loads((ROOT.parent / "shared" / "data" / "prist" / "test_dev.json").read_text())
    scores = [focus_f1(infer_focus(prist_dialogue(r)), r["focus"]) for r in records]
    return {"dialogues": len(scores), "focus_token_f1": round(statistics.mean(scores), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default=None)
    ap.add_argument("--points-per-side", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--first", default="segment the person")
    ap.add_argument("--prist", action="store_true")
    args = ap.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    from agent.nodes.components import shared_grounder, shared_segmenter
    from agent.session import Session
    from tools.grounders import build_grounder

    t = time.perf_counter()
    seg = shared_segmenter("mobile_sam")
    ocr = shared_grounder("ocr")
    grounders = [ocr, build_grounder("proposals", segmenter=seg, ocr=ocr.reader, points_per_side=args.points_per_side),
                 shared_grounder("haar")]
    load_s = time.perf_counter() - t
    image = args.image or default_image()
    with tempfile.TemporaryDirectory() as tmp:
        s = Session(image, segmenter=seg, grounders=grounders, db_path=Path(tmp) / "bench.sqlite")
        first = s.ask(args.first)
        follow = []
        for text in FOLLOW_UPS:
            r = s.ask(text)
            follow.append({"turn": text, "seconds": round(r.timings["total"], 3), "mask": r.mask is not None})
        s.close()
    times = [f["seconds"] for f in follow]
    out = {"image": image, "points_per_side": args.points_per_side, "threads": args.threads,
           "load_backends_s": round(load_s, 2), "first_turn_s": round(first.timings["total"], 3),
           "first_turn_stages": first.timings, "follow_up_median_s": round(statistics.median(times), 3),
           "follow_up_max_s": round(max(times), 3),
           "speedup_first_over_follow_up": round(first.timings["total"] / max(statistics.median(times), 1e-6), 1),
           "follow_ups": follow, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    if args.prist:
        out["prist"] = prist_focus_f1()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

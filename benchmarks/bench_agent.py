"""Per-turn latency and peak memory of the agent with the embedded stack, detector path beside proposals path.

    python benchmarks/bench_agent.py [--image PATH] [--first "segment the person"] [--threads 2] [--prist]
                                 [--segmenter-runtime auto|onnx|torch]

Fresh conversations on the same photo, caches cleared between them (one run, so the ratios are fair):
  detector   the default grounders (COCO detector, OCR, proposals, Haar): a first turn naming a category the
             detector knows costs encoder + detector + box prompts, no region proposals
  proposals  the same without the detector (the agent before it had one): the first turn pays for the proposals
  detector_prepared  the detector path after Session.prepare() finished (the chat CLI starts it when the image
             opens, so a user who types for longer than "prefetch_s" waits only "first_turn_s"); prepare() goes on
             to the region proposals, so "prefetch_s" includes them
  proposals_prepared  the proposals path after Session.prepare() finished: the proposals were found while the
             user typed
  detector_at_once  prepare() and the first turn at once (a user who types faster than the prefetch): the turn
             stops the prefetch's proposals and waits only for the embedding and the detector
Each is followed by follow-up turns that reuse the per-image caches.
Prints one JSON object: per path the first-turn seconds and stages, follow-up seconds (median, max), ratio; peak
RSS (MB); with --prist the focus token F1 of the rule planner over the PRIST dev dialogues.
Goals: a first turn naming a known category <= 3 s; follow-ups < 0.5 s and >= 4x faster than the first turn.
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
              "what is under it", "the biggest", "how many people are there?", "why did you choose that?"]
DEFAULT_IMAGE = "val2017/000000491008.jpg"  # two people at a table, a pizza, chairs


def default_image() -> str:
    path = ROOT.parent / "shared" / "data" / "coco_tiny" / DEFAULT_IMAGE
    if not path.is_file():
        raise SystemExit(f"no photo at {path}; pass --image")
    return str(path)


def prist_focus_f1() -> dict:
    from agent.planners.focus import focus_f1, infer_focus, prist_dialogue
    records = json.loads((ROOT.parent / "shared" / "data" / "prist" / "test_dev.json").read_text())
    scores = [focus_f1(infer_focus(prist_dialogue(r)), r["focus"]) for r in records]
    return {"dialogues": len(scores), "focus_token_f1": round(statistics.mean(scores), 3)}


def run_path(image: str, first: str, grounders: list, seg, tmp: str, name: str, prepared: str = "") -> dict:
    """One fresh conversation: first turn, then the follow-ups; caches cleared before it. prepared="wait": the
    session's prefetch (Session.prepare, what the chat CLI starts while the user types) runs to its end first, as
    when the user takes longer than it to type; its seconds are reported as "prefetch_s". prepared="at_once": the
    first turn is asked as soon as the prefetch starts."""
    from agent.session import Session
    from tools.segmenters.embedding_cache import EMBEDDING_CACHE

    EMBEDDING_CACHE.clear()
    for g in grounders:
        getattr(g, "_cache", {}).clear()
    s = Session(image, segmenter=seg, grounders=grounders, db_path=Path(tmp) / f"{name}.sqlite")
    prefetch = {}
    if prepared:
        t = time.perf_counter()
        s.prepare()
    if prepared == "wait":
        s.wait_prepared()
        prefetch = {"prefetch_s": round(time.perf_counter() - t, 3)}
    r = s.ask(first)
    follow = []
    for text in FOLLOW_UPS:
        f = s.ask(text)
        follow.append({"turn": text, "seconds": round(f.timings["total"], 3), "mask": f.mask is not None})
    s.close()
    times = [f["seconds"] for f in follow]
    return {**prefetch, "first_turn_s": round(r.timings["total"], 3), "first_turn_stages": r.timings,
            "first_turn_answer": r.text, "follow_up_median_s": round(statistics.median(times), 3),
            "follow_up_max_s": round(max(times), 3),
            "speedup_first_over_follow_up": round(r.timings["total"] / max(statistics.median(times), 1e-6), 1),
            "follow_ups": follow}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--first", default="segment the person")
    ap.add_argument("--prist", action="store_true")
    ap.add_argument("--segmenter-runtime", default=None, help="auto (default: ONNX Runtime on CPU), onnx or torch")
    args = ap.parse_args()
    import torch
    torch.set_num_threads(args.threads)
    from tools import backends

    from tools.segmenters.runtime import segmenter_options

    seg = backends.segmenter("mobile_sam", **segmenter_options("mobile_sam", args.segmenter_runtime))
    everything = backends.grounders(backends.DEFAULT_GROUNDERS, seg)
    without = [g for g in everything if getattr(g, "name", "") != "detector"]
    image = args.image or default_image()
    out = {"image": image, "threads": args.threads, "first": args.first, "segmenter_runtime": seg.runtime}
    with tempfile.TemporaryDirectory() as tmp:
        out["detector"] = run_path(image, args.first, everything, seg, tmp, "detector")
        out["proposals"] = run_path(image, args.first, without, seg, tmp, "proposals")
        out["detector_prepared"] = run_path(image, args.first, everything, seg, tmp, "prepared", prepared="wait")
        out["proposals_prepared"] = run_path(image, args.first, without, seg, tmp, "p_prepared", prepared="wait")
        out["detector_at_once"] = run_path(image, args.first, everything, seg, tmp, "at_once", prepared="at_once")
    out["first_turn_ratio_proposals_over_detector"] = round(
        out["proposals"]["first_turn_s"] / max(out["detector"]["first_turn_s"], 1e-6), 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.prist:
        out["prist"] = prist_focus_f1()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""Where the agent's memory goes: resident memory after each stage and the peak within it, one fresh process.

    python benchmarks/bench_memory.py [--image PATH] [--second PATH] [--threads 2] [--json]

Stages, in the order a user meets them: imports, loading the embedded segmenter and grounders, then a conversation
on one photo (a first turn naming a class, a question about a person, reading text, follow-ups), then a second,
cluttered photo opened as the chat opens it (Session.prepare: embedding, detector, region proposals and the text in
them computed on a background thread while the user types) and its first turns.
Per stage: seconds, RSS after it (MB), the peak RSS within it (MB; the kernel's high-water mark, reset before each
stage through /proc/self/clear_refs) and how far that peak rose above the RSS the stage started from.
Prints a Markdown table (or JSON with --json). Linux only (reads /proc/self/status).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COCO = ROOT.parent / "shared" / "data" / "coco_tiny"
FIRST_PHOTO = COCO / "val2017" / "000000491008.jpg"   # two people at a table, a pizza, chairs
SECOND_PHOTO = COCO / "train2017" / "000000581632.jpg"  # a crowded pub
CONVERSATION = [("a class", "segment the person"), ("a person's clothes", "what is he wearing?"),
                ("reading text", "what does the sign say?"), ("follow-up", "no, the other one"),
                ("follow-up", "the biggest"), ("follow-up", "how many people are there?")]
SECOND = [("a relation (proposals)", "the bartender standing behind the bar in the kilt"),
          ("a class", "segment the person")]


def status_mb(field: str) -> float:
    """A VmRSS / VmHWM line of /proc/self/status in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"/proc/self/status has no {field} (Linux only)")


def reset_peak() -> None:
    """Reset the kernel's RSS high-water mark (VmHWM) to the current RSS."""
    Path("/proc/self/clear_refs").write_text("5")


def measured(rows: list[dict], stage: str, work: Callable[[], object]) -> object:
    """Run `work`, append {stage, seconds, rss_mb, peak_mb, rise_mb} to rows, return what work returned."""
    reset_peak()
    before = status_mb("VmRSS")
    t = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - t
    peak = status_mb("VmHWM")
    rows.append({"stage": stage, "seconds": round(seconds, 2), "rss_mb": round(status_mb("VmRSS")),
                 "peak_mb": round(peak), "rise_mb": round(peak - before)})
    said = getattr(out, "text", None)
    print(f"{stage}: {seconds:.2f} s, peak {peak:.0f} MB" + (f" -> {said[:100]}" if said else ""), file=sys.stderr,
          flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--image", default=str(FIRST_PHOTO))
    ap.add_argument("--second", default=str(SECOND_PHOTO))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    for p in (args.image, args.second):
        if not Path(p).is_file():
            raise SystemExit(f"no photo at {p}; pass --image / --second")
    rows: list[dict] = []
    rows.append({"stage": "python", "seconds": 0.0, "rss_mb": round(status_mb("VmRSS")),
                 "peak_mb": round(status_mb("VmHWM")), "rise_mb": 0})

    def imports():
        import torch

        torch.set_num_threads(args.threads)
        import agent.session  # noqa: F401  (LangGraph, the planners, the nodes)
        import tools.backends  # noqa: F401

    measured(rows, "imports (torch, LangGraph, agent)", imports)
    from agent.session import Session
    from tools import backends

    seg = measured(rows, "load segmenter (MobileSAM on ONNX Runtime)", lambda: backends.segmenter("mobile_sam"))
    grounders = measured(rows, "load grounders (detector, OCR, proposals, Haar, people)",
                         lambda: backends.grounders(backends.DEFAULT_GROUNDERS, seg))
    with tempfile.TemporaryDirectory() as tmp:
        for name, photo, turns in (("photo 1", args.image, CONVERSATION), ("photo 2", args.second, SECOND)):
            session = measured(rows, f"{name}: open session", lambda: Session(
                photo, segmenter=seg, grounders=grounders, db_path=Path(tmp) / f"{name}.sqlite"))
            if name == "photo 2":
                measured(rows, f"{name}: prepare() while the user types", lambda: (session.prepare(),
                                                                                    session.wait_prepared()))
            for what, text in turns:
                measured(rows, f'{name}: {what}: "{text}"', lambda: session.ask(text))
            session.close()
    if args.json:
        print(json.dumps({"threads": args.threads, "image": args.image, "second": args.second, "stages": rows},
                         indent=1))
        return
    print("| stage | seconds | RSS after (MB) | peak in stage (MB) | peak rise (MB) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['stage']} | {r['seconds']} | {r['rss_mb']} | {r['peak_mb']} | {r['rise_mb']} |")
    print(f"\nprocess peak: {max(r['peak_mb'] for r in rows)} MB")


if __name__ == "__main__":
    main()

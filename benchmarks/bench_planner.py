"""Latency of the embedded LLM planner on this machine, with and without the prompt prefix cache.

    python benchmarks/bench_planner.py [--model qwen2.5-coder-0.5b] [--threads 2] [--dialogues 3]

Loads the model once (load seconds), then plays the same PRIST-style dialogues (the first --dialogues records
of ../shared/data/prist/test_dev.json, their reference answers as history) through `interpret` twice in one
run: once with the prefix cache (agent.planners.prefix_cache) and once without, alternating dialogue by
dialogue so machine noise hits both alike. Per variant: the first call (cold: nothing cached), first turns of
later dialogues (system text and examples cached), follow-up turns (earlier turns cached too), prefilled vs
reused prompt tokens, generated tokens per second of generate() (new tokens / generate wall time, prefill
included); the uncached/cached ratios of first-turn and follow-up latency; peak RSS (MB).
Prints one JSON object. Needs `python -m tools.weights fetch MODEL`.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def dialogues(count: int) -> list[list[dict[str, str]]]:
    from agent.planners.focus import prist_dialogue

    path = ROOT.parent / "shared" / "data" / "prist" / "test_dev.json"
    if not path.is_file():
        raise SystemExit(f"no PRIST dev file at {path}")
    return [prist_dialogue(r) for r in json.loads(path.read_text())[:count]]


def play(planner, dialogue: list[dict[str, str]]) -> list[dict]:
    """interpret() on every user turn of one dialogue (history: the reference turns before it)."""
    from agent.planners.base import PlannerContext, PlannerError

    calls = []
    for i, message in enumerate(dialogue):
        if message["role"] != "user":
            continue
        t0 = time.perf_counter()
        try:
            planner.interpret(PlannerContext(dialogue=dialogue[: i + 1]))
            failed = False
        except PlannerError:  # no usable reply after the retry: timed all the same (the agent would fall back)
            failed = True
        calls.append({**planner.last_call, "wall_s": time.perf_counter() - t0, "first_turn": i == 0, "failed": failed})
    return calls


def summary(calls: list[dict]) -> dict:
    first, *rest = calls
    later_first = [c["wall_s"] for c in rest if c["first_turn"]]
    follow = [c["wall_s"] for c in rest if not c["first_turn"]]
    new = sum(c["new_tokens"] for c in calls)
    return {
        "cold_first_call_s": round(first["wall_s"], 2),
        "first_turn_median_s": round(statistics.median(later_first), 2) if later_first else None,
        "follow_up_median_s": round(statistics.median(follow), 2) if follow else None,
        "prompt_tokens_mean": round(statistics.fmean(c["prompt_tokens"] for c in calls)),
        "prefilled_tokens_mean": round(statistics.fmean(c["prompt_tokens"] - c["reused_tokens"] for c in calls)),
        "generated_tokens_per_s": round(new / sum(c["seconds"] for c in calls), 2),
        "calls": len(calls),
        "failed_calls": sum(c["failed"] for c in calls),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="qwen2.5-coder-0.5b", help="embedded LLM name or a model folder")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--dialogues", type=int, default=3)
    args = p.parse_args(argv)
    from agent.planners.local_transformers import LocalTransformersPlanner

    t0 = time.perf_counter()
    planner = LocalTransformersPlanner(args.model, num_threads=args.threads)
    load_s = time.perf_counter() - t0
    caches = planner.prompt_caches
    calls: dict[str, list[dict]] = {"cached": [], "uncached": []}
    for dialogue in dialogues(args.dialogues):
        for variant in ("uncached", "cached"):
            planner.prompt_caches = caches if variant == "cached" else None
            calls[variant].extend(play(planner, dialogue))
            print(f"{variant}: {len(calls[variant])} calls", file=sys.stderr)
    out = {"model": args.model, "threads": args.threads, "load_s": round(load_s, 2),
           **{k: summary(v) for k, v in calls.items()}}
    c, u = out["cached"], out["uncached"]
    if c["follow_up_median_s"] and u["follow_up_median_s"]:
        out["follow_up_speedup"] = round(u["follow_up_median_s"] / c["follow_up_median_s"], 2)
    if c["first_turn_median_s"] and u["first_turn_median_s"]:
        out["first_turn_speedup"] = round(u["first_turn_median_s"] / c["first_turn_median_s"], 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

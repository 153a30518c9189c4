"""Eval throughput by executor: 1 worker vs N local processes vs N Ray actors, same dialogues, same system.

    python -m evals.synth --out runs/synth_bench --n 20 --seed 5 --split val
    python benchmarks/bench_eval_executors.py [--data runs/synth_bench] [--system agent] [--workers 2] [--limit N]

Each configuration is one fresh `python -m evals.run` (into a temporary folder), run one after the other. turns/s
is the runner's own figure (turns logged / seconds from the first dialogue handed out to the last row logged,
so it includes spawning processes or starting Ray and building each worker's system); "command s" adds the
interpreter start-up, loading the data and writing the report. Prints a markdown table (ratios against 1
worker) and one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_config(name: str, extra: list[str], args: argparse.Namespace, tmp: Path) -> dict:
    out = tmp / name.replace(" ", "_")
    cmd = [sys.executable, "-m", "evals.run", "--system", args.system, "--data", args.data, "--out", str(out),
           "--fresh", "--quiet", "--no-meteor", *extra]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    command_s = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{name}: exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    speed = report["throughput"]
    return {"config": name, "args": extra, "dialogues": speed["dialogues"], "turns": speed["turns"],
            "seconds": speed["wall_s"], "turns_per_s": speed["turns_per_s"], "command_s": command_s,
            "startup_s": speed.get("startup_s"),
            "ciou": report["segmentation"]["overall"].get("ciou"),
            "workers": [{k: w.get(k) for k in ("worker", "turns", "turns_per_s", "build_s", "busy_s", "idle_s")}
                        for w in speed["workers"]]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="runs/synth_bench")
    p.add_argument("--system", default="agent")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int)
    p.add_argument("--only", nargs="*", choices=("1", "local", "ray"), help="run only these configurations")
    args = p.parse_args()
    if not (ROOT / args.data).exists() and not Path(args.data).exists():
        raise SystemExit(f"no data at {args.data}; run: python -m evals.synth --out {args.data} --n 20 --seed 5 --split val")
    n = args.workers
    configs = [("1", "1 worker", ["--workers", "1"]),
               ("local", f"{n} local processes", ["--workers", str(n)]),
               ("ray", f"ray, {n} actors", ["--executor", "ray", "--workers", str(n)])]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_exec_") as tmp:
        for key, name, extra in configs:
            if args.only and key not in args.only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results.append(run_config(name, extra, args, Path(tmp)))
    base = next((r for r in results if r["config"] == "1 worker"), None)
    print(f"\n{args.system} on {args.data}, {os.cpu_count()} CPUs\n")
    print("| configuration | dialogues | turns | seconds | turns/s | vs 1 worker | per worker turns/s (idle s) | command s | CIoU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r['turns_per_s'] / base['turns_per_s']:.2f}x" if base else "n/a"
        per = ", ".join(f"{w['worker']} {w['turns_per_s']:.3f} ({w['idle_s']:.0f})" for w in r["workers"])
        print(f"| {r['config']} | {r['dialogues']} | {r['turns']} | {r['seconds']:.1f} | {r['turns_per_s']:.3f} | "
              f"{ratio} | {per} | {r['command_s']:.1f} | {r['ciou']:.4f} |")
    print()
    print(json.dumps({"data": args.data, "system": args.system, "cpus": os.cpu_count(), "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

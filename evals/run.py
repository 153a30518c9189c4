"""`python -m evals.run --system agent|miras|empty|center-blob|oracle|oracle-box --data PATH [options]`

Runs (or resumes) an evaluation into --out, then writes report.json, report.md and contact_sheet.png there.
System options pass through: --planner, --planner-url, --planner-model, --planner-path (a model folder or an
embedded LLM name such as qwen2.5-coder-0.5b), --segmenter, --grounders a,b,
--checkpoint, --device, and any `--opt key=value` (value parsed as JSON when it parses, else a string).
Where dialogues run: --workers N local processes (or --worker-kind thread), or --executor ray
[--ray-address auto|HOST:PORT] [--gpus-per-worker G] [--cpus-per-worker C] for N Ray actors; the log, resume
and the report are the same either way.
Exit codes: 0 done, 2 bad input (one-line message on stderr).
"""
from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

from evals.contact_sheet import write_contact_sheet
from evals.datasets import load_dataset
from evals.dialogue_run import HISTORY_MODES
from evals.errors import DatasetError, EvalError, JudgeError
from evals.report import build_report, write_report
from evals.results_log import ResultsLog
from evals.runner import LOG_NAME, check_config, run_eval
from evals.systems import SYSTEM_NAMES, build_system

SYSTEM_FLAGS = ("planner", "planner_url", "planner_model", "planner_path", "segmenter", "checkpoint", "device")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m evals.run", description=__doc__.splitlines()[0])
    p.add_argument("--system", required=True, help=f"one of {', '.join(SYSTEM_NAMES)}")
    p.add_argument("--data", required=True, help="dataset folder or its JSON file (PRIST or dialogue records)")
    p.add_argument("--images", help="PRIST: images folder (absent -> text-only run)")
    p.add_argument("--masks", help="PRIST: LabelMe masks folder")
    p.add_argument("--history", choices=HISTORY_MODES, default="own")
    p.add_argument("--out", help="output folder (default runs/eval/<system>-<data name>)")
    p.add_argument("--limit", type=int, help="first N dialogues only")
    p.add_argument("--workers", type=int, default=1, help="parallel workers, one system each")
    p.add_argument("--worker-kind", choices=("process", "thread"), default="process",
                   help="local workers (--executor local): spawned processes or threads")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local workers, or Ray actors (pip install -e '.[ray]')")
    p.add_argument("--ray-address", metavar="auto|HOST:PORT",
                   help="--executor ray: join this cluster (default: start a local Ray instance)")
    p.add_argument("--gpus-per-worker", type=float, metavar="G", help="--executor ray: GPUs per actor (0.5 shares one)")
    p.add_argument("--cpus-per-worker", type=float, metavar="C", help="--executor ray: CPUs per actor (default 1)")
    p.add_argument("--fresh", action="store_true", help="discard a previous run in --out")
    p.add_argument("--retry-failed", action="store_true", help="rerun dialogues that failed before")
    p.add_argument("--report-only", action="store_true",
                   help="run nothing: report the dialogues already finished in --out (e.g. of a stopped run)")
    p.add_argument("--no-meteor", action="store_true", help="skip METEOR (saves ~10 s of JVM start-up)")
    p.add_argument("--contact", type=int, default=6, help="worst/best turns on the contact sheet")
    p.add_argument("--judge", metavar="URL", help="OpenAI-compatible endpoint for the LLM judge")
    p.add_argument("--judge-model", help="model name at the judge endpoint (default: the first it lists)")
    p.add_argument("--judge-key", help="API key for the judge endpoint (default: none)")
    p.add_argument("--judge-timeout", type=float, default=120.0, help="seconds per judge request")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    for flag in SYSTEM_FLAGS:
        p.add_argument("--" + flag.replace("_", "-"), help="passed to the system")
    p.add_argument("--grounders", help="comma-separated grounder names, passed to the system")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE", help="extra system option")
    return p.parse_args(argv)


def system_options(args: argparse.Namespace) -> dict:
    options = {flag: getattr(args, flag) for flag in SYSTEM_FLAGS}
    if args.grounders:
        options["grounders"] = [g.strip() for g in args.grounders.split(",") if g.strip()]
    for item in args.opt:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EvalError(f"--opt expects KEY=VALUE, got {item!r}")
        try:
            options[key.strip().replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip().replace("-", "_")] = value
    return {k: v for k, v in options.items() if v is not None}


def make_run_executor(args: argparse.Namespace):
    """None (the runner picks inline or a local pool) or a RayExecutor; one-line EvalError for bad combinations."""
    ray_flags = [f for f in ("ray_address", "gpus_per_worker", "cpus_per_worker") if getattr(args, f) is not None]
    if args.executor != "ray":
        if ray_flags:
            raise EvalError(f"--{ray_flags[0].replace('_', '-')} needs --executor ray")
        return None
    from evals.executors import make_executor

    options = {"address": args.ray_address}
    if args.gpus_per_worker is not None:
        options["gpus_per_worker"] = args.gpus_per_worker
    if args.cpus_per_worker is not None:
        options["cpus_per_worker"] = args.cpus_per_worker
    return make_executor("ray", max(1, args.workers), **options)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        executor = None if args.report_only else make_run_executor(args)
        if args.system not in SYSTEM_NAMES:
            raise EvalError(f"unknown system {args.system!r}; expected one of {', '.join(SYSTEM_NAMES)}")
        dataset = load_dataset(args.data, images=args.images, masks=args.masks, limit=args.limit)
        options = system_options(args)
        out = Path(args.out or Path("runs/eval") / f"{args.system}-{Path(args.data).stem}")
        identity = {"system": args.system, "options": dict(options), "data": str(dataset.path.resolve()),
                    "images": args.images, "masks": args.masks, "history": args.history}
        if args.system.startswith("oracle"):
            options["dataset"] = dataset
        factory = functools.partial(build_system, args.system, **options)
        build_system_check(args, options)
        if args.report_only and not (out / LOG_NAME).exists():
            raise EvalError(f"--report-only: {out / LOG_NAME} does not exist")
        for note in dataset.notes:
            print(f"note: {note}", file=sys.stderr)
        notes = list(dataset.notes)
        if args.report_only:
            check_config(out, identity, fresh=False)
            rows = ResultsLog(out / LOG_NAME).read()
            finished = ResultsLog.complete_records(rows)
            ids = [r.id for r in dataset.records if r.id in finished]
            summary = {"ran": 0, "skipped": len(ids), "failures": 0, "seconds": 0.0}
            notes.append(f"report of a partial run: {len(ids)} of {len(dataset)} dialogues finished")
        else:
            summary = run_eval(dataset, factory, out, history=args.history, workers=args.workers,
                               worker_kind=args.worker_kind, identity=identity, fresh=args.fresh,
                               retry_failed=args.retry_failed, progress=not args.quiet, executor=executor)
            rows = ResultsLog(out / LOG_NAME).read()
            ids = [r.id for r in dataset.records]
        judge = None
        if args.judge:
            judge = run_judge(args, rows, ids, out, notes)
        config = dict(identity, limit=args.limit, workers=args.workers,
                      executor=args.executor if args.executor == "ray" else args.worker_kind)
        report = build_report(rows, ids, meteor=not args.no_meteor, config=config, notes=notes, judge=judge,
                              throughput=summary.get("throughput"))
        json_path, md_path = write_report(report, out)
        wanted = set(ids)
        sheet = write_contact_sheet([r for r in rows if r["record"] in wanted], out / "contact_sheet.png", args.contact)
    except (DatasetError, EvalError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seg = report["segmentation"]["overall"]
    line = f"ran {summary['ran']} dialogues ({summary['skipped']} already done, {summary['failures']} failed) in {summary['seconds']:.1f} s"
    if seg.get("turns"):
        line += f"; CIoU {seg['ciou']:.4f} gIoU {seg['giou']:.4f} F1 {seg['f1']:.4f} over {seg['turns']} scored turns"
    if report["focus"].get("dialogues"):
        line += f"; focus agreement {report['focus']['score']:.4f}"
    print(line)
    speed = summary.get("throughput") or {}
    if speed.get("turns_per_s"):
        per = ", ".join(f"{w['worker']} {w['turns_per_s']:.2f}" for w in speed["workers"])
        print(f"throughput ({speed['executor']}): {speed['turns_per_s']:.2f} turns/s over {speed['turns']} turns; "
              f"per worker turns/s: {per}")
    print(f"wrote {md_path}, {json_path}" + (f", {sheet}" if sheet else ""))
    return 0


def build_system_check(args: argparse.Namespace, options: dict) -> None:
    """Fail early with one line when the system cannot take these options (baselines and unknown names)."""
    if args.system in ("empty", "center-blob"):
        build_system(args.system, **{k: v for k, v in options.items() if k != "dataset"})


def run_judge(args, rows, ids, out: Path, notes: list[str]) -> dict | None:
    from evals.judge import Judge, judge_rows

    wanted = set(ids)
    try:
        judge = Judge(args.judge, model=args.judge_model, api_key=args.judge_key, cache_dir=out / "judge_cache",
                      timeout=args.judge_timeout)
        return judge_rows([r for r in rows if r["record"] in wanted], judge)
    except JudgeError as exc:
        print(f"judge: {exc}", file=sys.stderr)
        notes.append(f"LLM judge unavailable: {exc}")
        return None


if __name__ == "__main__":
    sys.exit(main())

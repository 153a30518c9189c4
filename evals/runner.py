"""Resumable evaluation runner: drives a System through every record of a Dataset into `<out>/turns.jsonl`.

    summary = run_eval(dataset, system_factory, out_dir, history="own", workers=1)

`system_factory()` builds one System (one per worker; with process workers it must be picklable, e.g.
functools.partial(build_system, "agent", planner="rule")). On restart the log is compacted to complete
dialogues and only the rest is run. `<out>/run_config.json` pins the run's identity (system, options, data,
history); resuming into a folder of a different run raises EvalError unless `fresh=True`.

Where the dialogues are computed is an executor (evals.executors: inline, thread, process, ray); whichever
it is, the rows come back to this process, which alone appends them to the log, so resume, compaction and
reports are the same for all of them.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from evals.datasets import Dataset
from evals.errors import EvalError
from evals.executors import DialogueResult, make_executor
from evals.results_log import ResultsLog

LOG_NAME = "turns.jsonl"
CONFIG_NAME = "run_config.json"


def check_config(out: Path, identity: dict, fresh: bool) -> None:
    path = out / CONFIG_NAME
    if fresh:
        for name in (LOG_NAME, CONFIG_NAME):
            (out / name).unlink(missing_ok=True)
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            previous = None
        if previous != identity:
            raise EvalError(f"{out} holds a run with a different configuration ({path.name}); "
                            "use another --out or pass --fresh to start over")
    else:
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(identity, indent=1, sort_keys=True), encoding="utf-8")


def run_eval(dataset: Dataset, system_factory: Callable, out_dir: str | Path, history: str = "own",
             workers: int = 1, worker_kind: str = "process", identity: dict | None = None, fresh: bool = False,
             retry_failed: bool = False, progress: bool = True, executor=None) -> dict:
    """Run the records not yet complete in out_dir.

    executor: None (inline for workers=1, else a `worker_kind` pool of `workers`), a kind name ("inline",
    "thread", "process", "ray") or an executor object (evals.executors). Returns {"ran", "skipped",
    "failures", "seconds", "throughput"}; throughput covers this invocation only (per worker: dialogues,
    turns, busy_s, build_s, idle_s, turns_per_s).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    check_config(out, identity if identity is not None else {"history": history, "data": str(dataset.path)}, fresh)
    log = ResultsLog(out / LOG_NAME)
    previous = log.read()
    complete = ResultsLog.complete_records(previous)
    if retry_failed:
        complete -= {r["record"] for r in previous if r.get("kind") == "failure"}
    wanted = {r.id for r in dataset.records}
    # keep finished dialogues (also those outside this --limit); drop partial ones
    log.compact(complete)
    todo = [r for r in dataset.records if r.id not in complete]
    skipped = len(wanted & complete)
    if executor is None:
        executor = worker_kind if workers > 1 and len(todo) > 1 else "inline"
    if isinstance(executor, str):
        executor = make_executor(executor, workers)
    t0 = time.perf_counter()
    bar = tqdm(total=len(wanted), initial=skipped, desc="dialogues", unit="dlg", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    sink = _LogSink(log, bar)
    extra: dict = {}
    try:
        if todo:
            extra = executor.run(todo, system_factory, history, sink) or {}
    finally:
        bar.close()
        log.close()
    seconds = time.perf_counter() - t0
    throughput = sink.throughput(seconds, getattr(executor, "kind", type(executor).__name__), extra)
    return {"ran": len(todo), "skipped": skipped, "failures": sink.failures, "seconds": seconds,
            "throughput": throughput}


class _LogSink:
    """The driver's end of every executor: appends rows to the log, advances the bar, counts per worker."""

    def __init__(self, log: ResultsLog, bar):
        self.log, self.bar = log, bar
        self.failures = 0
        self.streamed = 0   # turn rows logged through row() (inline executor) since the last dialogue()
        self.workers: dict[str, dict] = {}

    def row(self, row: dict) -> None:
        self.log.append(row)
        if row.get("kind") == "turn":
            self.streamed += 1
        elif row.get("kind") == "failure":
            self.failures += 1
            self.bar.set_postfix(failures=self.failures)

    def dialogue(self, result: DialogueResult) -> None:
        for row in result.rows:
            self.row(row)
        turns, self.streamed = self.streamed, 0
        if result.worker is not None:
            w = self.workers.setdefault(result.worker, {"worker": result.worker, "host": result.host,
                                                        "pid": result.pid, "dialogues": 0, "turns": 0,
                                                        "busy_s": 0.0, "build_s": result.build_s})
            w["dialogues"] += 1
            w["turns"] += turns
            w["busy_s"] += result.seconds
        self.bar.update(1)

    def throughput(self, wall_s: float, kind: str, extra: dict) -> dict:
        """Per worker: turns/s over this invocation's wall time, and idle_s = wall - build - busy."""
        workers = []
        for w in sorted(self.workers.values(), key=lambda w: w["worker"]):
            idle = max(0.0, wall_s - w["busy_s"] - (w["build_s"] or 0.0))
            workers.append(dict(w, idle_s=idle, turns_per_s=w["turns"] / wall_s if wall_s > 0 else None,
                                busy_turns_per_s=w["turns"] / w["busy_s"] if w["busy_s"] > 0 else None))
        turns = sum(w["turns"] for w in workers)
        summary = {"executor": kind, "wall_s": wall_s, "dialogues": sum(w["dialogues"] for w in workers),
                   "turns": turns, "turns_per_s": turns / wall_s if wall_s > 0 and turns else None,
                   "workers": workers, **extra}
        if workers:
            summary["idle_fraction_mean"] = statistics.fmean(w["idle_s"] / wall_s for w in workers) if wall_s > 0 else None
        return summary

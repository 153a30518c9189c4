"""Resumable evaluation runner: drives a System through every record of a Dataset into `<out>/turns.jsonl`.

    summary = run_eval(dataset, system_factory, out_dir, history="own", workers=1)

`system_factory()` builds one System (one per worker; with process workers it must be picklable, e.g.
functools.partial(build_system, "agent", planner="rule")). On restart the log is compacted to complete
dialogues and only the rest is run. `<out>/run_config.json` pins the run's identity (system, options, data,
history); resuming into a folder of a different run raises EvalError unless `fresh=True`.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from evals.datasets import Dataset
from evals.datasets.records import Record
from evals.dialogue_run import run_dialogue
from evals.errors import EvalError
from evals.results_log import ResultsLog

LOG_NAME = "turns.jsonl"
CONFIG_NAME = "run_config.json"

_worker_system = None


def _init_worker(factory: Callable) -> None:
    global _worker_system
    _worker_system = factory()
    if "torch" in sys.modules:  # one thread per worker process: workers x threads must not oversubscribe
        sys.modules["torch"].set_num_threads(1)


def _run_in_worker(record: Record, history: str) -> list[dict]:
    rows: list[dict] = []
    run_dialogue(_worker_system, record, rows.append, history)
    return rows


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
             retry_failed: bool = False, progress: bool = True) -> dict:
    """Run the records not yet complete in out_dir; returns {"ran", "skipped", "failures", "rows", "seconds"}."""
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
    t0 = time.perf_counter()
    failures = 0
    bar = tqdm(total=len(wanted), initial=skipped, desc="dialogues", unit="dlg", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)

    def emit(row: dict) -> None:
        nonlocal failures
        log.append(row)
        if row.get("kind") == "failure":
            failures += 1
            bar.set_postfix(failures=failures)

    try:
        if workers <= 1 or len(todo) <= 1:
            if todo:
                system = system_factory()
                for record in todo:
                    run_dialogue(system, record, emit, history)
                    bar.update(1)
        else:
            _run_parallel(todo, system_factory, history, workers, worker_kind, emit, bar)
    finally:
        bar.close()
        log.close()
    return {"ran": len(todo), "skipped": skipped, "failures": failures, "seconds": time.perf_counter() - t0}


def _run_parallel(todo, factory, history, workers, worker_kind, emit, bar) -> None:
    if worker_kind == "thread":
        import threading

        local = threading.local()

        def task(record: Record) -> list[dict]:
            if not hasattr(local, "system"):
                local.system = factory()
            rows: list[dict] = []
            run_dialogue(local.system, record, rows.append, history)
            return rows

        pool = ThreadPoolExecutor(max_workers=workers)
        submit = lambda record: pool.submit(task, record)  # noqa: E731
    elif worker_kind == "process":
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(factory,))
        submit = lambda record: pool.submit(_run_in_worker, record, history)  # noqa: E731
    else:
        raise EvalError(f"worker kind must be 'process' or 'thread', got {worker_kind!r}")
    from concurrent.futures.process import BrokenProcessPool

    with pool:
        pending = {submit(r) for r in todo}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    rows = future.result()
                except BrokenProcessPool:
                    raise EvalError("worker processes died (the system could not be built or crashed); "
                                    "finished dialogues are kept, rerun to resume") from None
                except Exception as exc:  # a worker died: its dialogue stays incomplete and reruns next time
                    print(f"worker error: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                for row in rows:
                    emit(row)
                bar.update(1)

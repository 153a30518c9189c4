"""Executors: where the dialogues of a run are computed. The runner (`evals.runner.run_eval`) owns the log,
the progress bar, resume and compaction; an executor only turns records into result rows and hands them
back to the driver, which alone appends them to `turns.jsonl`.

    inline   one System in the driver process; rows are logged as each turn finishes (--workers 1)
    thread   N threads in the driver process, one System each            (--worker-kind thread)
    process  N spawned processes, one System each, torch at 1 thread     (--worker-kind process, the default)
    ray      N Ray actors, one System each, on a local or remote cluster (--executor ray, `pip install -e '.[ray]'`)

Every worker builds its System once (`system_factory()`) and runs whole dialogues (one dialogue = one task),
so a conversation never moves between workers. A worker returns a `DialogueResult` (rows + timing); the
driver calls `sink.dialogue(result)` for it. A dialogue whose Ray actor died is put back in the queue and
rerun on a fresh actor (at most `max_attempts` times, then it is logged as a failure); a process or thread
worker that dies leaves its dialogue incomplete, to be rerun by the next invocation, as before.
"""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import socket
import sys
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Protocol

from evals.datasets.records import Record
from evals.dialogue_run import run_dialogue
from evals.errors import EvalError

EXECUTOR_KINDS = ("inline", "thread", "process", "ray")
RAY_INSTALL_HINT = "--executor ray needs the optional dependency ray: pip install -e '.[ray]' (or pip install 'ray>=2.10')"


@dataclass
class DialogueResult:
    """One finished dialogue: its rows, which worker ran it, when (worker clock) and for how long."""

    record: str
    rows: list[dict]
    worker: str | None = None      # None: produced by the driver itself (a dialogue given up after lost workers)
    started: float = 0.0           # time.time() on the worker when the dialogue began
    seconds: float = 0.0           # wall seconds the dialogue took on the worker
    build_s: float | None = None   # seconds the worker took to build its System (once per worker)
    host: str | None = None
    pid: int | None = None
    extra: dict = field(default_factory=dict)


class Sink(Protocol):
    def row(self, row: dict) -> None: ...          # one row, logged now (inline executor: per turn)
    def dialogue(self, result: DialogueResult) -> None: ...  # a finished dialogue: log its rows, count it


def run_one(system, record: Record, history: str, worker: str, build_s: float | None,
            emit: Callable[[dict], None] | None = None) -> DialogueResult:
    """Run one dialogue on a built System; rows go to `emit` when given (then result.rows is empty)."""
    rows: list[dict] = []
    started, t0 = time.time(), time.perf_counter()
    run_dialogue(system, record, emit or rows.append, history)
    return DialogueResult(record.id, rows, worker, started, time.perf_counter() - t0, build_s,
                          socket.gethostname(), os.getpid())


def _short_error(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# -- inline ---------------------------------------------------------------------------------------------------

class InlineExecutor:
    kind = "inline"
    workers = 1

    def run(self, todo: list[Record], factory: Callable, history: str, sink: Sink) -> dict:
        if not todo:
            return {}
        t0 = time.perf_counter()
        system = factory()
        build_s = time.perf_counter() - t0
        for record in todo:
            sink.dialogue(run_one(system, record, history, "main", build_s, emit=sink.row))
        return {}


# -- thread / process pools -------------------------------------------------------------------------------------

_worker_system = None
_worker_build_s: float | None = None


def limit_threads(n: int) -> None:
    """Cap this worker's compute threads at n (torch, OpenMP libraries, OpenCV): workers x threads must not
    oversubscribe the cores. Called before the System is built: the agent imports torch only when it loads its
    backends, at its first dialogue, so a cap applied only when torch is already imported would miss it."""
    n = max(1, int(n))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:
        pass
    try:
        import cv2

        cv2.setNumThreads(n)
    except ImportError:
        pass


def _init_worker(factory: Callable) -> None:
    global _worker_system, _worker_build_s
    limit_threads(1)
    t0 = time.perf_counter()
    _worker_system = factory()
    _worker_build_s = time.perf_counter() - t0


def _run_in_worker(record: Record, history: str) -> DialogueResult:
    return run_one(_worker_system, record, history, f"process-{os.getpid()}", _worker_build_s)


class PoolExecutor:
    """N thread or process workers (concurrent.futures), one System each."""

    def __init__(self, kind: str = "process", workers: int = 2):
        if kind not in ("thread", "process"):
            raise EvalError(f"worker kind must be 'process' or 'thread', got {kind!r}")
        self.kind, self.workers = kind, int(workers)

    def run(self, todo: list[Record], factory: Callable, history: str, sink: Sink) -> dict:
        if self.kind == "thread":
            local = threading.local()
            names = iter(range(10**9))
            lock = threading.Lock()

            def task(record: Record) -> DialogueResult:
                if not hasattr(local, "system"):
                    with lock:
                        local.name = f"thread-{next(names)}"
                    t0 = time.perf_counter()
                    local.system = factory()
                    local.build_s = time.perf_counter() - t0
                return run_one(local.system, record, history, local.name, local.build_s)

            pool = ThreadPoolExecutor(max_workers=self.workers)
            submit = lambda record: pool.submit(task, record)  # noqa: E731
        else:
            pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=_init_worker, initargs=(factory,))
            submit = lambda record: pool.submit(_run_in_worker, record, history)  # noqa: E731
        from concurrent.futures.process import BrokenProcessPool

        with pool:
            pending = {submit(r) for r in todo}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            raise EvalError("worker processes died (the system could not be built or crashed); "
                                            "finished dialogues are kept, rerun to resume") from None
                        except EvalError:  # e.g. UnsupportedHistory: nothing else would succeed either
                            raise
                        except Exception as exc:  # its dialogue stays incomplete and reruns next time
                            print(f"worker error: {type(exc).__name__}: {exc}", file=sys.stderr)
                            continue
                        sink.dialogue(result)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        return {}


# -- Ray -----------------------------------------------------------------------------------------------------------

def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None


def require_ray():
    if not ray_available():
        raise EvalError(RAY_INSTALL_HINT)
    import ray

    return ray


class DialogueActor:
    """The body of one Ray actor: builds one System at creation and runs whole dialogues on it.

    A build error is kept and raised (as EvalError) by every `run`, so it reaches the driver as one line
    instead of an actor that dies at creation.
    """

    def __init__(self, factory: Callable, worker: str, threads: int = 1):
        self.worker = worker
        limit_threads(threads)  # the actor's CPU share, not every core of the node
        t0 = time.perf_counter()
        self.system, self.error = None, None
        try:
            self.system = factory()
        except Exception as exc:
            self.error = _short_error(exc)
        self.build_s = time.perf_counter() - t0

    def ready(self) -> dict:
        return {"worker": self.worker, "error": self.error, "build_s": self.build_s,
                "host": socket.gethostname(), "pid": os.getpid()}

    def run(self, record: Record, history: str) -> DialogueResult:
        if self.error is not None:
            raise EvalError(f"the system could not be built on Ray worker {self.worker}: {self.error}")
        return run_one(self.system, record, history, self.worker, self.build_s)


class _Unavailable:
    """A System whose start() raises: the driver logs a dialogue given up after it lost its workers."""

    name = "unavailable"

    def __init__(self, why: str):
        self.why = why

    def start(self, image):
        raise RuntimeError(self.why)


class RayExecutor:
    """Dialogues as tasks on N Ray actors, each holding one System built once.

    address: None starts a new local Ray instance (stopped again at the end); "auto" (the cluster RAY_ADDRESS
    or `ray start` names), "HOST:PORT" or "ray://HOST:10001" joins a running one. When Ray is already initialised in this process, that
    instance is used and left running. Each actor asks for `cpus_per_worker` CPUs and `gpus_per_worker`
    GPUs (fractions share a GPU). A dialogue whose actor dies (node lost, OOM kill, segfault, ray.kill) is
    queued again and rerun on a fresh actor in the same slot; after `max_attempts` lost attempts it is logged
    as a failure. At most `max_replacements` actors are re-created in all (default 2 per worker).
    `on_result(executor, result)` is called in the driver after each dialogue is logged (tests use it).
    """

    kind = "ray"
    LOST = ("RayActorError", "WorkerCrashedError", "ObjectLostError", "OwnerDiedError", "NodeDiedError",
            "LocalRayletDiedError")

    def __init__(self, workers: int = 1, address: str | None = None, gpus_per_worker: float = 0.0,
                 cpus_per_worker: float = 1.0, max_attempts: int = 3, max_replacements: int | None = None,
                 ready_timeout: float = 900.0, init_options: dict | None = None,
                 on_result: Callable[["RayExecutor", DialogueResult], None] | None = None):
        if workers < 1:
            raise EvalError(f"--workers must be at least 1, got {workers}")
        if gpus_per_worker < 0 or cpus_per_worker < 0:
            raise EvalError("--gpus-per-worker and --cpus-per-worker must not be negative")
        self.workers, self.address = int(workers), address
        self.gpus_per_worker, self.cpus_per_worker = float(gpus_per_worker), float(cpus_per_worker)
        self.max_attempts = max(1, int(max_attempts))
        self.max_replacements = 2 * self.workers if max_replacements is None else int(max_replacements)
        self.ready_timeout = float(ready_timeout)
        self.init_options = dict(init_options or {})
        self.on_result = on_result
        self.actors: dict[int, object] = {}   # slot -> live actor handle (tests may ray.kill one)
        self.replaced = 0
        self.rerun: list[str] = []            # record ids queued again after losing their actor

    # the pieces
    def _init_ray(self, ray) -> bool:
        if ray.is_initialized():
            return False
        options = {"include_dashboard": False, **self.init_options}
        if self.address is None:  # a new local instance, even when RAY_ADDRESS or `ray start` names a cluster
            options.setdefault("object_store_memory", 512 * 1024**2)  # rows and records are small
        self._probe(self.address)
        try:
            ray.init(address=self.address or "local", **options)
        except Exception as exc:
            raise EvalError(f"could not start or join Ray (address {self.address or 'local'}): {_short_error(exc)}") from None
        return True

    @staticmethod
    def _probe(address: str | None, timeout: float = 5.0) -> None:
        """A HOST:PORT that takes no TCP connection fails now with one line (ray.init would retry for minutes)."""
        if not address or address in ("auto", "local"):
            return
        host, _, port = address.split("://", 1)[-1].rpartition(":")
        if not host or not port.isdigit():
            raise EvalError(f"--ray-address must be auto, HOST:PORT or ray://HOST:PORT, got {address!r}")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
        except OSError as exc:
            raise EvalError(f"cannot reach the Ray cluster at {address} ({exc.strerror or exc}); "
                            "is `ray start --head` running there?") from None

    def _check_fit(self, ray, local_instance: bool, n: int | None = None) -> None:
        n = self.workers if n is None else n
        total = ray.cluster_resources()
        cpus, gpus = total.get("CPU", 0.0), total.get("GPU", 0.0)
        if n * self.cpus_per_worker <= cpus and n * self.gpus_per_worker <= gpus:
            return
        message = (f"the Ray cluster has {cpus:g} CPUs and {gpus:g} GPUs: {n} workers x "
                   f"({self.cpus_per_worker:g} CPU, {self.gpus_per_worker:g} GPU) does not fit")
        if local_instance:  # an instance started for this run will not grow
            raise EvalError(message + "; lower --workers, --cpus-per-worker or --gpus-per-worker")
        print(f"warning: {message} now; waiting up to {self.ready_timeout:g} s for the cluster to scale up",
              file=sys.stderr)

    def _spawn(self, ray, remote_cls, factory, slot: int, generation: int):
        name = f"ray-{slot}" if generation == 0 else f"ray-{slot}.{generation}"
        threads = max(1, int(self.cpus_per_worker))
        handle = remote_cls.options(num_cpus=self.cpus_per_worker, num_gpus=self.gpus_per_worker,
                                    max_restarts=0, max_task_retries=0).remote(factory, name, threads)
        self.actors[slot] = handle
        return handle

    def _is_lost(self, exc: BaseException) -> bool:
        ray_exceptions = sys.modules["ray"].exceptions
        lost = tuple(getattr(ray_exceptions, n) for n in self.LOST if hasattr(ray_exceptions, n))
        return isinstance(exc, lost)

    def run(self, todo: list[Record], factory: Callable, history: str, sink: Sink) -> dict:
        if not todo:
            return {}
        ray = require_ray()
        self.replaced, self.rerun = 0, []
        self._t0 = time.perf_counter()
        started_here = self._init_ray(ray)
        try:
            return self._run(ray, started_here and self.address is None, todo, factory, history, sink)
        finally:
            for handle in list(self.actors.values()):
                try:
                    ray.kill(handle, no_restart=True)
                except Exception:
                    pass
            self.actors.clear()
            if started_here:
                ray.shutdown()

    def _run(self, ray, own_local_instance, todo, factory, history, sink) -> dict:
        n = min(self.workers, len(todo))
        self._check_fit(ray, own_local_instance, n)
        remote_cls = ray.remote(DialogueActor)
        factory_ref = ray.put(factory)  # shipped once, not once per actor
        generation = {slot: 0 for slot in range(n)}
        for slot in range(n):
            self._spawn(ray, remote_cls, factory_ref, slot, 0)
        # every first-generation actor must build its System before work is handed out: a build error or an
        # unschedulable actor stops the run here with one line
        ready_refs = {self.actors[slot].ready.remote(): slot for slot in range(n)}
        done, not_ready = ray.wait(list(ready_refs), num_returns=len(ready_refs), timeout=self.ready_timeout)
        if not_ready:
            raise EvalError(f"{len(not_ready)} of {n} Ray workers did not start within {self.ready_timeout:g} s "
                            f"(cluster resources: {ray.available_resources()}); lower --workers or "
                            "--gpus-per-worker, or add nodes")
        for ref in done:
            try:
                info = ray.get(ref)
            except Exception as exc:
                raise EvalError(f"Ray worker {ready_refs[ref]} died while building the system: {_short_error(exc)}") from None
            if info["error"]:
                raise EvalError(f"the system could not be built on Ray worker {info['worker']}: {info['error']}")
        startup_s = time.perf_counter() - self._t0   # Ray started or joined, every actor built its System

        queue: deque[Record] = deque(todo)
        attempts: dict[str, int] = {}
        inflight: dict[object, tuple[int, Record]] = {}   # ref -> (slot, record); one dialogue per actor at a time
        busy: set[int] = set()
        while queue or inflight:
            for slot in sorted(self.actors):
                if slot not in busy and queue:
                    record = queue.popleft()
                    inflight[self.actors[slot].run.remote(record, history)] = (slot, record)
                    busy.add(slot)
            if not inflight:
                raise EvalError(f"every Ray worker died ({self.replaced} re-created, the most allowed); "
                                f"{len(queue)} dialogues not run; finished dialogues are kept, rerun to resume")
            ready, _ = ray.wait(list(inflight), num_returns=1)
            ref = ready[0]
            slot, record = inflight.pop(ref)
            busy.discard(slot)
            try:
                result = ray.get(ref)
            except Exception as exc:
                cause = getattr(exc, "cause", None)
                if isinstance(cause, EvalError) or isinstance(exc, EvalError):
                    raise EvalError(str(cause or exc)) from None   # build error, UnsupportedHistory: stop the run
                if not self._is_lost(exc):   # a task error that is no lost actor: leave it for the next run
                    print(f"worker error: {_short_error(cause or exc)}", file=sys.stderr)
                    continue
                self._lost(ray, remote_cls, factory_ref, slot, generation, record, exc, attempts, queue, history, sink)
                continue
            sink.dialogue(result)
            if self.on_result is not None:
                self.on_result(self, result)
        return {"startup_s": startup_s, "replaced_workers": self.replaced, "rerun_dialogues": list(self.rerun)}

    def _lost(self, ray, remote_cls, factory_ref, slot, generation, record, exc, attempts, queue, history, sink):
        dead = self.actors.pop(slot, None)
        if dead is not None:
            try:
                ray.kill(dead, no_restart=True)
            except Exception:
                pass
        why = " ".join(_short_error(exc).split())[:200]
        print(f"Ray worker in slot {slot} died running {record.id} ({why}); ", end="", file=sys.stderr)
        attempts[record.id] = attempts.get(record.id, 0) + 1
        if attempts[record.id] >= self.max_attempts:
            print(f"giving {record.id} up after {attempts[record.id]} lost attempts", file=sys.stderr)
            rows: list[dict] = []
            run_dialogue(_Unavailable(f"lost its Ray worker {attempts[record.id]} times: {why}"), record,
                         rows.append, history)
            sink.dialogue(DialogueResult(record.id, rows))
        else:
            print(f"rerunning {record.id}", file=sys.stderr)
            self.rerun.append(record.id)
            queue.appendleft(record)
        if self.replaced < self.max_replacements:
            self.replaced += 1
            generation[slot] += 1
            self._spawn(ray, remote_cls, factory_ref, slot, generation[slot])


def make_executor(kind: str, workers: int = 1, **options):
    """An executor by name: "inline", "thread", "process" or "ray" (options go to RayExecutor)."""
    if kind == "ray":
        require_ray()
        return RayExecutor(workers=workers, **options)
    if options:
        raise EvalError(f"options {', '.join(sorted(options))} need the ray executor")
    if kind == "inline":
        return InlineExecutor()
    if kind in ("thread", "process"):
        return PoolExecutor(kind, workers)
    raise EvalError(f"executor must be one of {', '.join(EXECUTOR_KINDS)}, got {kind!r}")

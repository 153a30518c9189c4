"""Models load once per process, in a background thread started with the app, through agent.chat's own
builders (`build_planner_from_args`, `build_backends`); the page polls `status()` for a one-line progress, and
actions wait in `ready()`. A failed load (missing weights, planner endpoint down) is kept as one line
(`error: ...`), shown in the page, and retried by the next action that needs the models.
"""
from __future__ import annotations

import argparse
import threading
import time
from typing import Callable

from agent.session import SessionOptions
from agent.web.errors import ModelsNotReady, one_line


def load_from_args(args: argparse.Namespace, say: Callable[[str], None]) -> SessionOptions:
    """Session keyword arguments (planner, segmenter, grounders) from agent.chat-style arguments."""
    from agent.chat import build_backends, build_planner_from_args

    say("loading the planner")
    planner = build_planner_from_args(args, say)
    say("loading the segmenter and grounders")
    segmenter, grounders = build_backends(args)
    return {"planner": planner, "segmenter": segmenter, "grounders": grounders}


class ModelLoader:
    def __init__(self, args: argparse.Namespace | None = None,
                 load: Callable[[Callable[[str], None]], SessionOptions] | None = None):
        self._load = load or (lambda say: load_from_args(args, say))
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.kwargs: SessionOptions | None = None
        self.error: str | None = None
        self.message = "models not loaded yet"
        self.started = self.finished = 0.0

    def start(self) -> "ModelLoader":
        with self._lock:
            if self._thread is not None and self._thread.is_alive() or self.kwargs is not None:
                return self
            self.error, self.message, self.started = None, "loading models", time.monotonic()
            self._done.clear()
            self._thread = threading.Thread(target=self._run, name="pixelrist-models", daemon=True)
            self._thread.start()
        return self

    def _say(self, message: str) -> None:
        self.message = message

    def _run(self) -> None:
        try:
            self.kwargs = self._load(self._say)
            self.message = "models ready"
        except BaseException as exc:  # shown in the page as one line
            self.error = one_line(exc)
        finally:
            self.finished = time.monotonic()
            self._done.set()

    @property
    def loading(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def status(self) -> str:
        if self.error:
            return self.error
        if self.kwargs is not None:
            return f"models ready (loaded in {self.finished - self.started:.1f} s)"
        if self._thread is None:
            return self.message
        return f"{self.message}... {time.monotonic() - self.started:.0f} s"

    def ready(self, say: Callable[[str], None] | None = None, timeout: float = 900.0) -> SessionOptions:
        """The loaded Session keyword arguments; waits for the load (restarting a failed one), reporting status."""
        if self.kwargs is not None:
            return self.kwargs
        if self.error or self._thread is None:
            self.start()
        end = time.monotonic() + timeout
        while not self._done.wait(0.25):
            if say is not None:
                say(self.status())
            if time.monotonic() > end:
                raise ModelsNotReady("the models are still loading; try again in a moment")
        if self.kwargs is None:
            raise ModelsNotReady(self.error.removeprefix("error: ") if self.error else "the models did not load")
        return self.kwargs

"""`Session`: one multi-turn conversation about one image (or none), persisted by LangGraph's SqliteSaver.

    s = Session("kitchen.jpg")                  # ImageError (one line) for unreadable images
    r = s.ask("segment the red mug")            # -> tools.system.TurnResult (mask bool (H, W), text, target)
    r = s.ask("only its handle")
    s.undo(); s.history(); s.reset()
    s2 = Session.resume(s.thread_id)            # after a restart: image path + hash come back from the checkpoint

Thread ids are plain names (agent.thread_ids: letters, digits, "-", "_", ".", no leading dot, <= 128 characters):
they name the output folder out_dir/<thread>/. Anything else raises ThreadIdError (a ValueError, one line).
Each turn writes one checkpoint (durability="exit"); see agent.channels for why storage grows linearly.

TurnResult.extra: "rle", "box", "evidence", "intent", "overlay_path", "mask_path", "turn", "planner_fallback",
"confidence", and "interrupt" (a clarifying question's payload; the next ask() answers it).
"""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypedDict

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from agent.errors import TurnError  # noqa: F401  (re-exported: agent.session.TurnError)
from agent.nodes.components import build_runtime
from agent.nodes.context import TurnContext
from agent.state import Action, AgentState, TurnRecord, empty_memory
from agent.thread_ids import new_thread_id, validate_thread_id
from agent.turn_files import write_turn_files
from graphs.turn_graph import build_graph
from tools.backends import DEFAULT_GROUNDERS
from tools.images import ImageError, ImageInput, load_image
from tools.c_heap import use_one_malloc_arena
from tools.masks import decode_rle
from tools.spelling import load_dictionary_in_background
from tools.system import TurnResult

MAX_TURN_CHARS = 10_000
DEFAULT_DB = Path.home() / ".cache" / "pixelrist" / "conversations.sqlite"
DURABILITY = "exit"  # one checkpoint per turn, written when the turn ends (or crashes, or asks a question)


class SessionOptions(TypedDict, total=False):
    """Keyword arguments of Session besides the image: the loaded models (what agent.web.loader and the MCP
    server load once and share) and where conversations are stored."""

    planner: Any
    segmenter: Any
    grounders: Any
    db_path: str | Path | None
    out_dir: str | Path | None
    progress: Callable[[str], None] | None
    interrupt_on_ambiguity: bool


class SessionError(ValueError):
    """A conversation that cannot be resumed (unknown thread id, image gone); one-line message."""


def _open_saver(db_path: str | Path | None) -> tuple[SqliteSaver, str]:
    path = str(db_path or DEFAULT_DB)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    saver = SqliteSaver(sqlite3.connect(path, check_same_thread=False))
    saver.setup()
    return saver, path


def _stored_checkpoint(thread_id: str, db_path: str | Path | None):
    """The latest checkpoint tuple of a thread, or None when the database has no such thread."""
    validate_thread_id(thread_id)
    saver, _ = _open_saver(db_path)
    try:
        return saver.get_tuple({"configurable": {"thread_id": thread_id}})
    finally:
        saver.conn.close()


def thread_exists(thread_id: str, db_path: str | Path | None = None) -> bool:
    """True when the conversation database holds a thread with this id (ThreadIdError for a bad id)."""
    return _stored_checkpoint(thread_id, db_path) is not None


class Session:
    def __init__(self, image: ImageInput | None = None, *, planner: str | Any = "rule",
                 segmenter: str | Any | None = "mobile_sam", grounders=DEFAULT_GROUNDERS,
                 thread_id: str | None = None, db_path: str | Path | None = None, out_dir: str | Path | None = None,
                 progress: Callable[[str], None] | None = None, interrupt_on_ambiguity: bool = False):
        self.thread_id = validate_thread_id(thread_id) if thread_id is not None else new_thread_id()
        self.image = load_image(image) if image is not None else None  # ImageError for unusable input
        self.runtime = build_runtime(planner, segmenter, grounders, progress, interrupt_on_ambiguity,
                                     vision=self.image is not None)
        self.saver, self.db_path = _open_saver(db_path)
        self.graph = build_graph(checkpointer=self.saver)
        self.context = TurnContext(runtime=self.runtime, progress=progress)
        self.out_dir = Path(out_dir) if out_dir else None
        self.image_ref = None
        if self.image is not None:
            self.runtime.cache.register(self.image)
            self.image_ref = {"path": self._image_path(), "sha256": self.image.sha256,
                              "width": self.image.width, "height": self.image.height}
        self._prefetch: threading.Thread | None = None
        self._stop_prefetch = threading.Event()
        self._seed()

    # ---- setup ---------------------------------------------------------------------------------
    def _image_path(self) -> str | None:
        """The image's file path; arrays/bytes get a PNG copy (beside the db) so the thread can be resumed."""
        if self.image.path:
            return str(Path(self.image.path).resolve())
        folder = (self.out_dir or (Path(self.db_path).parent if self.db_path != ":memory:" else None))
        if folder is None:
            return None
        path = Path(folder) / "images" / f"{self.image.sha256[:16]}.png"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            self.image.to_pil().save(path)
        return str(path)

    @property
    def config(self) -> dict:
        return {"configurable": {"thread_id": self.thread_id}}

    def _seed(self) -> None:
        """Write the turn-0 checkpoint (image ref, empty memory) unless the thread already exists."""
        if self.graph.get_state(self.config).values:
            stored = self.graph.get_state(self.config).values.get("image")
            if self.image_ref and stored and stored["sha256"] != self.image_ref["sha256"]:
                raise SessionError(f"thread {self.thread_id} belongs to another image ({stored['sha256'][:12]})")
            return
        self.graph.update_state(self.config, {"image": self.image_ref, "memory": empty_memory(), "turn": 0},
                                as_node="respond")

    def prepare(self) -> None:
        """Start computing, on a background thread, what turns need while the user types: first what nearly every
        first turn needs (the image embedding and the detector's boxes: AgentRuntime.prefetch), then the region
        proposals (AgentRuntime.prefetch_proposals). The next turn waits for the first part rather than computing
        it again, and stops the second between two decoder calls (a turn that needs proposals then computes them).
        Call it again after a turn to go on with what is still missing; a call while one runs starts nothing. A
        failure there is left to the turn, which meets it and reports it in one line."""
        if self.image_ref is None or (self._prefetch is not None and self._prefetch.is_alive()):
            return
        vision = self.runtime.cache.get(self.image_ref)
        if vision.proposals is not None and "prefetch" in vision.seconds:
            return  # nothing left to compute ahead
        stop = threading.Event()
        load_dictionary_in_background()  # ~0.1 s, once a process
        use_one_malloc_arena()  # what the prefetch thread frees stays reusable by the turns (tools.c_heap)

        def work() -> None:
            try:
                self.runtime.prefetch(vision)
                self.runtime.prefetch_proposals(vision, stop.is_set)
            except Exception:  # noqa: BLE001 - the turn that needs it raises the same error with its message
                pass

        self._stop_prefetch = stop
        self._prefetch = threading.Thread(target=work, name="prefetch-image", daemon=True)
        self._prefetch.start()

    def wait_prepared(self) -> None:
        """Return once a prepare() started earlier has finished, proposals included (at once when none was
        started)."""
        if self._prefetch is not None:
            self._prefetch.join()

    def _overtake_prefetch(self) -> None:
        """Before a turn: ask a running prefetch to stop after its current step and wait for it."""
        if self._prefetch is not None:
            self._stop_prefetch.set()
            self._prefetch.join()

    # ---- turns ---------------------------------------------------------------------------------
    def ask(self, text: str) -> TurnResult:
        if not isinstance(text, str) or not text.strip():
            raise TurnError("empty turn: type a request or a question")
        if len(text) > MAX_TURN_CHARS:
            raise TurnError(f"turn is {len(text)} characters; the limit is {MAX_TURN_CHARS}")
        t0 = time.perf_counter()
        self._overtake_prefetch()
        snapshot = self.graph.get_state(self.config)
        if snapshot.interrupts:
            out = self._run(Command(resume=text.strip()))
        else:
            if snapshot.next:  # a turn crashed midway: go back to the last finished turn first
                self._rollback_to(int(snapshot.values.get("turn", 0)))
            out = self._run({"messages": [HumanMessage(content=text.strip())]})
        seconds = time.perf_counter() - t0
        if out.get("__interrupt__"):
            payload = out["__interrupt__"][0].value
            intent = (self.graph.get_state(self.config).values.get("intent") or {})
            return TurnResult(text=payload["question"], target=intent.get("target"), timings={"total": seconds},
                              extra={"interrupt": payload, "intent": intent, "turn": int(out.get("turn", 0)) + 1})
        return self._result(out["results"][-1], seconds)

    def act(self, action: Action) -> TurnResult:
        """Run a click or recall turn (agent.state.Action) through the graph; a pending clarifying question or
        a crashed turn is dropped first. TurnError (one line) for a bad action; nothing is written then."""
        t0 = time.perf_counter()
        self._overtake_prefetch()
        finished = self._drop_unfinished_turn()
        try:
            out = self._run({"action": action})
        except TurnError:
            self._rollback_to(finished)  # the failed turn leaves no trace
            raise
        return self._result(out["results"][-1], time.perf_counter() - t0)

    def _run(self, graph_input: Any) -> dict[str, Any]:
        """One graph run with this session's backends (progress lines reach the callback through the run context).
        Returns the final state values, with "__interrupt__" when the run paused on a clarifying question. Only
        "values" is streamed, so LangGraph runs the nodes on this thread (agent.nodes.context says why)."""
        out: dict[str, Any] = {}
        for chunk in self.graph.stream(graph_input, self.config, context=self.context, stream_mode="values",
                                       durability=DURABILITY):
            if "__interrupt__" in chunk:
                out = {**out, "__interrupt__": chunk["__interrupt__"]}
            else:
                out = chunk
        return out

    def values(self) -> AgentState:
        """The thread's current state values (image, memory, results, turn, messages)."""
        return self.graph.get_state(self.config).values or {}

    def _result(self, record: TurnRecord, seconds: float) -> TurnResult:
        mask = decode_rle(record["rle"]) if record.get("rle") else None
        timings = {**record.get("timings", {}), "total": round(seconds, 4)}
        vision = self.runtime.cache.get(self.image_ref) if self.image_ref else None
        if vision is not None:
            timings.update({f"{k}_once": round(v, 4) for k, v in vision.seconds.items()})
        extra = {"rle": record.get("rle"), "box": record.get("box"), "evidence": record.get("evidence", []),
                 "intent": record.get("intent"), "turn": record["turn"], "confidence": record.get("confidence"),
                 "planner_fallback": record.get("planner_fallback"), "overlay_path": None, "mask_path": None}
        if self.out_dir is not None:
            extra.update(self._write_artifacts(record, mask))
        return TurnResult(text=record["answer"], target=record.get("target"), mask=mask, score=record.get("score"),
                          timings=timings, extra=extra)

    def _write_artifacts(self, record: TurnRecord, mask) -> dict[str, str | None]:
        """Per turn: mask PNG, overlay PNG, RLE and record JSON under out_dir/<thread>/ (agent.turn_files)."""
        files = write_turn_files(self.out_dir, self.thread_id, record, self.image_ref,
                                 self.image.pixels if self.image is not None else None, mask)
        return {"mask_path": files["mask_path"], "overlay_path": files["overlay_path"]}

    # ---- reference history (evals) --------------------------------------------------------------
    def add_given_turn(self, human: str, answer: str) -> None:
        """Append an exchange to the dialogue without running it (the planner sees it on later turns; the
        intent memory is unchanged): evals' --history closing gives the reference turns this way."""
        self._run_reference({"kind": "given", "text": str(human), "answer": str(answer)})

    def use_reference_answer(self, text: str) -> None:
        """Replace the last answer in the dialogue with `text` (evals' --history gold); the turn's record,
        mask and memory stay as the agent produced them."""
        self._run_reference({"kind": "reference_answer", "answer": str(text)})

    def _run_reference(self, action: Action) -> None:
        """A reference turn through the graph (agent.nodes.reference_history); a crashed or paused turn is
        dropped first."""
        self._drop_unfinished_turn()
        self._run({"action": action})

    def _drop_unfinished_turn(self) -> int:
        """Go back to the last finished turn when a turn crashed midway or waits on a clarifying question;
        returns that turn's number."""
        snapshot = self.graph.get_state(self.config)
        finished = int(snapshot.values.get("turn", 0))
        if snapshot.next or snapshot.interrupts:
            self._rollback_to(finished)
        return finished

    # ---- memory ----------------------------------------------------------------------------------
    def history(self) -> list[dict]:
        """Finished turn records (user, answer, intent, target, rle, box, score, evidence, timings)."""
        return list(self.graph.get_state(self.config).values.get("results", []))

    def _rollback_to(self, turn: int) -> bool:
        """Make the checkpoint that ended turn `turn` the head of the thread (a fork in LangGraph's history)."""
        for snap in self.graph.get_state_history(self.config):
            if not snap.next and int(snap.values.get("turn", -1)) == turn and "image" in snap.values:
                self.graph.update_state(snap.config, {"turn": turn}, as_node="respond")
                return True
        return False

    def undo(self) -> bool:
        """Drop the last finished turn; False when there is none."""
        turn = int(self.graph.get_state(self.config).values.get("turn", 0))
        return turn > 0 and self._rollback_to(turn - 1)

    def reset(self) -> None:
        """Start a new thread about the same image."""
        self.thread_id = new_thread_id()
        self._seed()

    @classmethod
    def resume(cls, thread_id: str, db_path: str | Path | None = None, **kw) -> "Session":
        """Reopen a stored conversation; the image is reloaded from the stored path and hash-checked."""
        tup = _stored_checkpoint(thread_id, db_path)
        if tup is None:
            raise SessionError(f"no stored conversation with thread id {thread_id!r}")
        ref = tup.checkpoint.get("channel_values", {}).get("image")
        image = kw.pop("image", None)
        if image is None and ref:
            if not ref.get("path"):
                raise SessionError("the stored image has no file path; pass image=... to resume")
            image = load_image(ref["path"])
        if ref and image is not None:
            image = load_image(image)
            if image.sha256 != ref["sha256"]:
                raise ImageError(f"{ref.get('path')}: the image changed since the conversation was stored")
        return cls(image, thread_id=thread_id, db_path=db_path, **kw)

    def close(self) -> None:
        """Stop a running prefetch (after its current step) and close the conversation store."""
        self._overtake_prefetch()
        self.saver.conn.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""The conversations of the web app and what each page action does to them (plain Python, no Gradio).

A `WebChat` owns the open conversations (one agent.session.Session each, keyed by a page key that a browser tab
keeps in its gr.State) and returns a `Page` (everything the page shows) after every action:

    chat = WebChat(loader, db_path="~/.cache/pixelrist/conversations.sqlite", work_dir="/tmp/pixelrist-web")
    page = chat.open_image("photo.jpg")                  # checked, copied, encoded (progress through `say`)
    page = chat.ask(page.key, "the man on the left")     # Session.ask; "the mask from turn 2" goes back to turn 2
    page = chat.click(page.key, 310, 200, positive=True) # agent.clicks.add_click (display -> image pixels)
    page = chat.select(page.key, 0); chat.undo(page.key); chat.reset(page.key); chat.resume("3f2a...")

Every action either finishes or raises before writing (a Session turn is one checkpoint), so the conversation
on disk stays intact after any error; the caller shows the error as one line and re-renders `page(key)`.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from agent.clicks import add_click, recall_turn
from agent.memory import record_of_turn, turn_reference
from agent.turn_files import write_conversation, write_turn_files
from agent.web.errors import WebInputError
from agent.web.references import split_turn_reference
from agent.web.strip import strip_items
from agent.web.uploads import demo_images, store_upload
from agent.web.view import TurnView, display_scale, render_turn

if TYPE_CHECKING:
    from agent.session import SessionOptions

MAX_OPEN = 8  # conversations kept open in memory (older ones are closed; reopen them by thread id)


@dataclass
class Page:
    key: str | None = None
    thread_id: str | None = None
    messages: list[dict[str, str]] = field(default_factory=list)
    view: TurnView | None = None
    strip: list[tuple[str, str]] = field(default_factory=list)
    strip_turns: list[int] = field(default_factory=list)
    mask_png: str | None = None
    mask_rle: str | None = None
    conversation: str | None = None
    status: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # "ask": Session time of the last action


@dataclass
class Conversation:
    session: Any
    selected: int | None = None  # the turn on show; None = the latest


class WebChat:
    def __init__(self, loader: Any, db_path: str | Path | None = None, work_dir: str | Path | None = None):
        from agent.session import DEFAULT_DB

        self.loader = loader
        self.db_path = str(Path(db_path).expanduser()) if db_path and str(db_path) != ":memory:" else (db_path or str(DEFAULT_DB))
        base = Path(self.db_path).parent if self.db_path != ":memory:" else Path(work_dir or ".")
        self.images_dir = base / "web_images"
        self.work = Path(work_dir) if work_dir else base / "web"
        self._open: OrderedDict[str, Conversation] = OrderedDict()
        self._sink: Callable[[str], None] | None = None
        self._lock = threading.RLock()
        self._demos: dict[str, Path] | None = None

    # ---- plumbing --------------------------------------------------------------------------------
    def _say(self, message: str) -> None:
        if self._sink is not None:
            self._sink(message)

    def demos(self) -> dict[str, Path]:
        if self._demos is None:
            self._demos = demo_images(self.work / "demo_images")
        return self._demos

    def _conversation(self, key: str | None) -> Conversation:
        conv = self._open.get(key or "")
        if conv is None:
            raise WebInputError("open an image first: upload one, pick a demo image, or reopen a thread id")
        self._open.move_to_end(key)
        return conv

    def _keep(self, session: Any, key: str | None = None) -> str:
        key = key or uuid.uuid4().hex
        old = self._open.pop(key, None)
        if old is not None and old.session is not session:
            old.session.close()
        self._open[key] = Conversation(session)
        while len(self._open) > MAX_OPEN:
            _, dropped = self._open.popitem(last=False)
            dropped.session.close()
        return key

    def _session_kwargs(self, say: Callable[[str], None] | None) -> SessionOptions:
        return dict(self.loader.ready(say), db_path=self.db_path, progress=self._say)

    def _encode(self, session: Any, say: Callable[[str], None] | None) -> None:
        if say is not None:
            say("encoding the image")
        vision = session.runtime.cache.get(session.image_ref)
        if vision is not None:
            session.runtime.prefetch(vision)  # the embedding and the detector's boxes
            session.prepare()  # the region proposals on a background thread; a turn stops it (Session.prepare)

    def run(self, action: Callable[[], Page], say: Callable[[str], None] | None = None) -> Page:
        """One action at a time, with the engine's progress messages routed to `say`."""
        with self._lock:
            self._sink = say
            try:
                return action()
            finally:
                self._sink = None

    # ---- actions -----------------------------------------------------------------------------------
    def open_image(self, path: str | Path, key: str | None = None, say: Callable[[str], None] | None = None) -> Page:
        def act() -> Page:
            from agent.session import Session

            stored = store_upload(path, self.images_dir)
            kwargs = self._session_kwargs(say)
            session = Session(stored, **kwargs)
            self._encode(session, say)
            new_key = self._keep(session, key)
            return self.page(new_key, f"opened {Path(path).name} ({session.image.width}x{session.image.height}); "
                                      f"thread {session.thread_id}")
        return self.run(act, say)

    def open_demo(self, name: str, key: str | None = None, say: Callable[[str], None] | None = None) -> Page:
        demos = self.demos()
        if name not in demos:
            raise WebInputError(f"no demo image called {name!r}")
        return self.open_image(demos[name], key, say)

    def resume(self, thread_id: str, key: str | None = None, say: Callable[[str], None] | None = None) -> Page:
        def act() -> Page:
            from agent.session import Session, SessionError, thread_exists
            from agent.thread_ids import validate_thread_id

            tid = validate_thread_id((thread_id or "").strip())
            for k, conv in self._open.items():
                if conv.session.thread_id == tid:
                    return self.page(k, f"thread {tid} is open")
            if not thread_exists(tid, self.db_path):
                raise SessionError(f"no stored conversation with thread id {tid!r}")
            session = Session.resume(tid, **self._session_kwargs(say))
            self._encode(session, say)
            new_key = self._keep(session, key)
            return self.page(new_key, f"reopened thread {tid} ({len(session.history())} turns)")
        return self.run(act, say)

    def ask(self, key: str, text: str, say: Callable[[str], None] | None = None) -> Page:
        def act() -> Page:
            conv = self._conversation(key)
            t0 = time.perf_counter()
            turn, rest = split_turn_reference(text or "")
            if turn is not None:
                result = recall_turn(conv.session, turn, user_text=text if rest is None else f"the mask from turn {turn}")
                if rest is not None:
                    result = conv.session.ask(rest)
            else:
                result = conv.session.ask(text)
            seconds = time.perf_counter() - t0
            conv.selected = None
            return self._after(key, result, seconds)
        return self.run(act, say)

    def click(self, key: str, x: float, y: float, positive: bool = True, say: Callable[[str], None] | None = None) -> Page:
        """A click at (x, y) on the displayed overlay; an earlier turn on show becomes the current target first."""
        def act() -> Page:
            conv = self._conversation(key)
            session = conv.session
            scale = display_scale(session.image.width, session.image.height)
            t0 = time.perf_counter()
            latest = int(session.graph.get_state(session.config).values.get("turn", 0))
            if conv.selected is not None and conv.selected != latest:
                if record_of_turn(session.graph.get_state(session.config).values.get("memory"),
                                  turn_reference(conv.selected)) is not None:
                    recall_turn(session, conv.selected)
            result = add_click(session, min(x / scale, session.image.width - 1), min(y / scale, session.image.height - 1),
                               positive)
            conv.selected = None
            return self._after(key, result, time.perf_counter() - t0)
        return self.run(act, say)

    def _after(self, key: str, result: Any, seconds: float) -> Page:
        extra = result.extra or {}
        status = f"turn {extra.get('turn')} done in {seconds:.2f} s"
        if extra.get("planner_fallback"):
            status += f" (planner fallback: {extra['planner_fallback']})"
        if extra.get("interrupt"):
            status = f"turn {extra.get('turn')}: a question for you (answer it in the chat box)"
        page = self.page(key, status)
        page.seconds["ask"] = seconds
        if extra.get("interrupt"):
            page.messages.append({"role": "assistant", "content": result.text})
        return page

    def undo(self, key: str) -> Page:
        def act() -> Page:
            conv = self._conversation(key)
            done = conv.session.undo()
            conv.selected = None
            return self.page(key, "undid the last turn" if done else "nothing to undo")
        return self.run(act)

    def reset(self, key: str) -> Page:
        def act() -> Page:
            conv = self._conversation(key)
            conv.session.reset()
            conv.selected = None
            return self.page(key, f"new conversation about the same image: thread {conv.session.thread_id}")
        return self.run(act)

    def select(self, key: str, index: int) -> Page:
        """Show the turn at `index` of the strip."""
        def act() -> Page:
            conv = self._conversation(key)
            turns = [int(r.get("turn", 0)) for r in conv.session.history()]
            if not 0 <= int(index) < len(turns):
                raise WebInputError(f"no turn at strip position {index}")
            conv.selected = turns[int(index)]
            return self.page(key, f"showing turn {conv.selected}; refer to it as \"the mask from turn {conv.selected}\", "
                                  "or click on it to refine it")
        return self.run(act)

    # ---- what the page shows ------------------------------------------------------------------------
    def page(self, key: str | None, status: str = "") -> Page:
        conv = self._open.get(key or "")
        if conv is None:
            return Page(status=status)
        session = conv.session
        values = session.graph.get_state(session.config).values or {}
        history = list(values.get("results", []))
        memory = values.get("memory") or {}
        by_turn = {int(r.get("turn", 0)): r for r in history}
        shown = by_turn.get(conv.selected) if conv.selected is not None else (history[-1] if history else None)
        if shown is None:
            conv.selected = None
        target = None
        text_read = None
        if shown is not None:
            earlier = [r for r in memory.get("history", []) if int(r.get("turn", 0)) <= int(shown.get("turn", 0))]
            target = earlier[-1] if earlier else None
            own = record_of_turn(memory, turn_reference(shown.get("turn")))
            text_read = (own or {}).get("text_read")
        view = render_turn(session.image.pixels, shown, target, text_read)
        messages = []
        for r in history:
            messages.append({"role": "user", "content": str(r.get("user") or "")})
            messages.append({"role": "assistant", "content": f"[turn {r.get('turn')}] {r.get('answer') or ''}"})
        folder = self.work / "downloads"
        files = write_turn_files(folder, session.thread_id, shown, session.image_ref, overlay=False,
                                 record_json=False) if shown and shown.get("rle") else None
        png, rle = (files["mask_path"], files["rle_path"]) if files else (None, None)
        return Page(key=key, thread_id=session.thread_id, messages=messages, view=view,
                    strip=strip_items(session.image.pixels, session.image.sha256, history, self.work / "thumbs"),
                    strip_turns=list(by_turn), mask_png=png, mask_rle=rle,
                    conversation=str(write_conversation(folder, session.thread_id, session.image_ref, history)),
                    status=status)

    def close(self) -> None:
        for conv in self._open.values():
            conv.session.close()
        self._open.clear()

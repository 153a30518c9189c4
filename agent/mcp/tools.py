"""The MCP server's tool functions in plain Python (no MCP types): `PixelTools`.

    tools = PixelTools(args)                          # agent.chat-style arguments; allowed_dirs, db_path
    tools.start()                                     # models start loading in the background (once per process)
    record, overlay_png = tools.segment_chat("photo.jpg", "the man on the left", None, say=print)
    record, _ = tools.segment_chat("photo.jpg", "no, the other one", record["conversation_id"])
    tools.list_conversation(cid); tools.undo(cid); tools.mask_png(cid, turn=2)
    text, artifact = tools.vision("segment_box", image_path="photo.jpg", box=[10, 10, 200, 300])

The rules are the LangChain tool's (agent.langchain_tool): conversation ids are plain names (agent.thread_ids),
image paths resolve (symlinks followed) inside `allowed_dirs` when it is given (the single vision tools too),
conversations are agent.session.Session threads in the same SQLite file as agent.chat's. Models load once per
process (agent.web.loader.ModelLoader: agent.chat's own builders) and every model call runs one at a time.
Expected failures raise `ToolInputError` or one of agent.chat's expected errors, each with a one-line message;
`one_line(exc)` renders any exception as the line a client sees.
"""
from __future__ import annotations

import argparse
import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from agent.json_types import JSONObject
from agent.langchain_tool import ImagePathError, check_image_path
from agent.mcp.encoding import OVERLAY_MAX_SIDE, jsonable, mask_uri, png_bytes
from agent.thread_ids import validate_thread_id

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool
    
    from agent.session import SessionOptions

_log = logging.getLogger("agent.mcp")
MAX_OPEN = 16          # conversations kept open (older ones are closed; they resume from the database)
MAX_LINE = 400         # characters of a one-line error
VISION_TOOLS = ("segment_box", "read_text", "find_text", "propose_regions")

Say = Callable[[str], None]


class ToolInputError(ValueError):
    """A request the server refuses (no such turn, no mask in that turn); one-line message."""


def expected_errors() -> tuple[type[BaseException], ...]:
    from agent.errors import expected_errors as input_errors
    from agent.web.errors import ModelsNotReady

    return (*input_errors(), ImagePathError, ToolInputError, ModelsNotReady)


def one_line(exc: BaseException) -> str:
    """`error: <message>` on one line; an unexpected exception says only its type (the traceback goes to the log)."""
    if isinstance(exc, expected_errors()):
        text = " ".join(str(exc).split()) or type(exc).__name__
    else:
        _log.error("unexpected error in an MCP tool", exc_info=exc)
        text = f"internal error ({type(exc).__name__}); the conversation is unchanged"
    return "error: " + (text if len(text) <= MAX_LINE else text[: MAX_LINE - 3] + "...")


class PixelTools:
    def __init__(self, args: argparse.Namespace | None = None, allowed_dirs: list[str] | None = None,
                 db_path: str | None = None, loader: Any = None):
        """`args`: agent.chat's parsed flags (planner, segmenter, grounders); `loader`: an object with
        `start()` and `ready(say) -> Session kwargs` (tests inject one); `allowed_dirs`: None reads any path."""
        from agent.web.loader import ModelLoader

        if args is None:
            from agent.chat import build_parser

            args = build_parser().parse_args([])
        self.args = args
        self.allowed_dirs = [str(Path(d).expanduser().resolve()) for d in allowed_dirs] if allowed_dirs else None
        self.db_path = db_path if db_path is not None else getattr(args, "db", None)
        self.loader = loader or ModelLoader(args)
        self._open: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.RLock()  # one model call at a time: sessions share models and the database
        self._sink: Say | None = None
        self._vision: dict[str, BaseTool] | None = None

    # ---- plumbing --------------------------------------------------------------------------------
    def start(self) -> "PixelTools":
        """Start loading the models in the background (the first turn waits for them)."""
        self.loader.start()
        return self

    def _say(self, message: str) -> None:  # the Sessions' progress callback, routed to the current call
        if self._sink is not None:
            self._sink(message)

    def _run(self, action: Callable[[], Any], say: Say | None) -> Any:
        with self._lock:
            self._sink = say
            try:
                return action()
            finally:
                self._sink = None

    def _models(self) -> SessionOptions:
        return self.loader.ready(self._sink)

    def check_image(self, image_path: str) -> str:
        if not isinstance(image_path, str) or not image_path.strip():
            raise ImagePathError("image_path must be a non-empty path")
        resolved = check_image_path(image_path, self.allowed_dirs)
        if not Path(resolved).is_file():
            raise FileNotFoundError(f"{image_path}: no such file")
        return resolved

    def _keep(self, session: Any) -> Any:
        self._open[session.thread_id] = session
        self._open.move_to_end(session.thread_id)
        while len(self._open) > MAX_OPEN:
            _, dropped = self._open.popitem(last=False)
            dropped.close()
        return session

    def _new_session(self, image: str | None, conversation_id: str | None, resume: bool) -> Any:
        from agent.session import Session

        kwargs = dict(self._models(), db_path=self.db_path, progress=self._say)
        if resume:
            session = Session.resume(conversation_id, **({"image": image} if image else {}), **kwargs)
            stored = session.image.path if session.image is not None else None
            if self.allowed_dirs is not None and stored:
                try:
                    check_image_path(stored, self.allowed_dirs)
                except ImagePathError:
                    session.close()
                    raise ImagePathError(f"conversation {conversation_id} is about an image outside the folders "
                                         "this server may read") from None
            return self._keep(session)
        return self._keep(Session(image, thread_id=conversation_id, **kwargs))

    def _conversation(self, conversation_id: str, image: str | None = None) -> Any:
        """The open or stored Session of a conversation (SessionError when there is none)."""
        from agent.session import SessionError, thread_exists

        conversation_id = validate_thread_id(conversation_id)
        session = self._open.get(conversation_id)
        if session is not None:
            self._open.move_to_end(conversation_id)
            stored = session.image.path if session.image is not None else None
            if image and stored and Path(stored).resolve() != Path(image):
                raise SessionError(f"conversation {conversation_id} is about {stored}, not {image}")
            return session
        if not thread_exists(conversation_id, self.db_path):
            raise SessionError(f"no stored conversation with id {conversation_id!r}")
        return self._new_session(image, conversation_id, resume=True)

    # ---- conversations ---------------------------------------------------------------------------
    def segment_chat(self, image_path: str, request: str, conversation_id: str | None = None,
                     say: Say | None = None) -> tuple[JSONObject, bytes | None]:
        """One turn: (the turn record, the overlay PNG or None when the turn has no mask)."""
        from agent.session import TurnError, thread_exists

        conversation_id = validate_thread_id(conversation_id) if conversation_id else None  # "" starts one too
        image = self.check_image(image_path)
        if not isinstance(request, str) or not request.strip():
            raise TurnError("empty request: say what to segment or ask a question")

        def act() -> tuple[JSONObject, bytes | None]:
            t0 = time.perf_counter()
            if conversation_id and (conversation_id in self._open or thread_exists(conversation_id, self.db_path)):
                session = self._conversation(conversation_id, image)
            else:  # a new conversation, under the caller's id when it gave one
                session = self._new_session(image, conversation_id, resume=False)
            result = session.ask(request)
            extra = result.extra or {}
            turn = int(extra.get("turn") or 0)
            record = {"conversation_id": session.thread_id, "turn": turn, "text": result.text,
                      "target": result.target, "box": extra.get("box"), "score": result.score,
                      "evidence": [str(e) for e in extra.get("evidence") or []], "mask": extra.get("rle"),
                      "mask_uri": mask_uri(session.thread_id, turn) if extra.get("rle") else None,
                      "image_path": session.image.path if session.image is not None else None,
                      "seconds": round(time.perf_counter() - t0, 4)}
            overlay = None
            if result.mask is not None and session.image is not None:
                from tools.overlay import render_overlay

                pixels = render_overlay(session.image.pixels, [result.mask], labels=[result.target or ""])
                overlay = png_bytes(pixels, OVERLAY_MAX_SIDE, compress_level=1)
            return jsonable(record), overlay

        return self._run(act, say)

    def list_conversation(self, conversation_id: str) -> JSONObject:
        def act() -> JSONObject:
            session = self._conversation(conversation_id)
            turns = []
            for rec in session.history():
                turn = int(rec.get("turn") or 0)
                turns.append({"turn": turn, "request": rec.get("user"), "text": rec.get("answer"),
                              "target": rec.get("target"), "box": rec.get("box"), "score": rec.get("score"),
                              "mask_uri": mask_uri(session.thread_id, turn) if rec.get("rle") else None})
            image = session.image
            return jsonable({"conversation_id": session.thread_id, "image_path": image.path if image else None,
                             "width": image.width if image else None, "height": image.height if image else None,
                             "turns": turns})

        return self._run(act, None)

    def undo(self, conversation_id: str) -> JSONObject:
        def act() -> JSONObject:
            session = self._conversation(conversation_id)
            undone = session.undo()
            return {"conversation_id": session.thread_id, "undone": bool(undone), "turns": len(session.history())}

        return self._run(act, None)

    def mask_png(self, conversation_id: str, turn: int | None = None) -> tuple[int, bytes]:
        """(turn, PNG bytes: 255 inside the mask) of `turn`, or of the latest turn with a mask when None."""
        from tools.masks import decode_rle

        def act() -> tuple[int, bytes]:
            session = self._conversation(conversation_id)
            records = [r for r in session.history() if r.get("rle")]
            if turn is not None:
                records = [r for r in records if int(r.get("turn") or 0) == int(turn)]
            if not records:
                which = f"turn {turn}" if turn is not None else "any turn"
                raise ToolInputError(f"conversation {session.thread_id} has no mask in {which}")
            rec = records[-1]
            return int(rec["turn"]), png_bytes(decode_rle(rec["rle"]))

        return self._run(act, None)

    # ---- single vision tools ---------------------------------------------------------------------
    def _vision_tools(self) -> dict[str, BaseTool]:
        """tools.langchain_tools' tools over this server's loaded segmenter, OCR reader and proposals."""
        if self._vision is None:
            from tools.langchain_tools import build_vision_tools

            models = self._models()
            found = {getattr(g, "name", type(g).__name__): g for g in models.get("grounders") or ()}
            ocr = getattr(found.get("ocr"), "reader", None)
            tools = build_vision_tools(segmenter=models.get("segmenter"), ocr_reader=ocr,
                                       proposal_grounder=found.get("proposals"))
            self._vision = {t.name: t for t in tools}
        return self._vision

    def vision(self, name: str, say: Say | None = None, **arguments: Any) -> tuple[str, Any]:
        """(text, artifact) of one of VISION_TOOLS; ToolInputError with the tool's own one-line error."""
        if name not in VISION_TOOLS:
            raise ToolInputError(f"unknown vision tool {name!r}")
        arguments["image_path"] = self.check_image(arguments.get("image_path"))

        def act() -> tuple[str, Any]:
            tool = self._vision_tools()[name]
            message = tool.invoke({"type": "tool_call", "id": f"mcp-{name}", "name": name, "args": arguments})
            text = str(message.content)
            if getattr(message, "status", "success") == "error" or text.startswith("error:"):
                raise ToolInputError(text.removeprefix("error:").strip())
            return text, jsonable(message.artifact)

        return self._run(act, say)

    def close(self) -> None:
        with self._lock:
            for session in self._open.values():
                session.close()
            self._open.clear()

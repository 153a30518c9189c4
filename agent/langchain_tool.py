"""The whole multi-turn segmenter as one LangChain tool, for agents that call tools themselves.

    tool = PixelChatTool(session_kwargs={"db_path": "conv.sqlite", "out_dir": "runs/tool"})
    msg = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name,
                       "args": {"image_path": "kitchen.jpg", "request": "the red mug"}})
    msg.content   # the explanation, e.g. "I segmented the red mug on the left (box ...) ..."
    msg.artifact  # {"masks": [COCO RLE], "bbox": [x0, y0, x1, y1] | None, "mask_path", "overlay_path",
                  #  "conversation_id", "target", "turn", "score"}

Args: image_path, request, conversation_id (optional). Calls with the same conversation_id continue
one conversation (a `Session` thread: "only its handle", "no, the other one", "what is under it?" refer
to earlier turns); without one a new conversation starts and its id is in the artifact. Conversations
persist in the Session's SQLite database, so an id keeps working after a restart. Bad input returns
"error: ..." as content (artifact {"error": ...}) instead of raising.

The arguments come from a model, so they are checked: conversation_id must be a plain name (agent.thread_ids;
it names the output folder), and with `allowed_image_dirs=[...]` image_path must resolve (symlinks followed)
to a file inside one of those folders.

`build_agent_tools(allowed_image_dirs=None, **session_kwargs)` returns this tool plus the single-step vision
tools of tools.langchain_tools (segment_box, read_text, find_text, propose_regions) when that module is present.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field, PrivateAttr

from agent.json_types import JSONObject

if TYPE_CHECKING:
    from agent.session import Session


class PixelChatArgs(BaseModel):
    image_path: str = Field(description="path of the image file the conversation is about")
    request: str = Field(description="the user's request or question, e.g. 'segment the red mug' or 'only its handle'")
    conversation_id: str | None = Field(
        default=None, description="id returned by an earlier call to continue that conversation; omit to start one")


class ImagePathError(ValueError):
    """An image_path outside the tool's allowed folders (one-line message)."""


def check_image_path(image_path: str, allowed_dirs: list[str] | None) -> str:
    """The resolved path (symlinks followed); ImagePathError unless it lies inside one of `allowed_dirs`
    (None: any path)."""
    resolved = Path(image_path).expanduser().resolve()
    if allowed_dirs is None:
        return str(resolved)
    roots = [Path(d).expanduser().resolve() for d in allowed_dirs]
    if not any(resolved.is_relative_to(root) for root in roots):
        raise ImagePathError(f"image_path {image_path!r} is outside the folders this tool may read")
    return str(resolved)


class PixelChatTool(BaseTool):
    """Multi-turn, pixel-grounded segmentation conversation about an image (see the module docstring)."""

    name: str = "pixel_chat"
    description: str = (
        "Segment things in an image through a conversation and explain the result with pixel facts. "
        "Give image_path and a request ('segment the red mug', 'only its handle', 'no, the other one', "
        "'what is under it?', 'what colour is it?'). Pass the conversation_id from the previous result to "
        "continue the same conversation; the artifact holds the mask (COCO RLE), bbox and overlay path."
    )
    args_schema: type[BaseModel] = PixelChatArgs
    response_format: str = "content_and_artifact"
    session_kwargs: dict[str, Any] = Field(default_factory=dict)  # SessionOptions (pydantic: a plain dict)
    allowed_image_dirs: list[str] | None = None  # None: any readable path
    _sessions: dict[str, Session] = PrivateAttr(default_factory=dict)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    def _session(self, image_path: str, conversation_id: str | None) -> Any:
        from agent.session import Session, SessionError, thread_exists
        from agent.thread_ids import validate_thread_id

        conversation_id = validate_thread_id(conversation_id) if conversation_id else None  # "" starts one too
        image_path = check_image_path(image_path, self.allowed_image_dirs)
        if conversation_id and conversation_id in self._sessions:
            session = self._sessions[conversation_id]
            stored = session.image.path if session.image is not None else None
            if stored and Path(stored).resolve() != Path(image_path):
                raise SessionError(f"conversation {conversation_id} is about {stored}, not {image_path}")
            return session
        if conversation_id and thread_exists(conversation_id, self.session_kwargs.get("db_path")):
            session = Session.resume(conversation_id, image=image_path, **self.session_kwargs)
        else:  # a new conversation, under the caller's id when it gave one
            session = Session(image_path, thread_id=conversation_id, **self.session_kwargs)
        self._sessions[session.thread_id] = session
        return session

    def _run(self, image_path: str, request: str, conversation_id: str | None = None,
             run_manager: Any = None) -> tuple[str, JSONObject]:
        from agent.errors import expected_errors

        try:
            with self._lock:  # one turn at a time: sessions share models and the database
                session = self._session(image_path, conversation_id)
                result = session.ask(request)
        except (*expected_errors(), ImagePathError) as exc:
            message = " ".join(str(exc).split())[:400] or type(exc).__name__
            return f"error: {message}", {"error": message, "conversation_id": conversation_id}
        extra = result.extra or {}
        artifact = {"masks": [extra["rle"]] if extra.get("rle") else [], "bbox": extra.get("box"),
                    "mask_path": extra.get("mask_path"), "overlay_path": extra.get("overlay_path"),
                    "conversation_id": session.thread_id, "target": result.target, "turn": extra.get("turn"),
                    "score": result.score}
        return f"{result.text} [conversation_id: {session.thread_id}]", artifact

    def close(self) -> None:
        """Close every open conversation's database connection."""
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()


def build_agent_tools(allowed_image_dirs: list[str] | None = None, **session_kwargs: Any) -> list[BaseTool]:
    """[PixelChatTool(session_kwargs, allowed_image_dirs)] + the single-step vision tools (when
    tools.langchain_tools is present; they do not check image folders)."""
    tools: list[BaseTool] = [PixelChatTool(session_kwargs=session_kwargs, allowed_image_dirs=allowed_image_dirs)]
    try:
        from tools.langchain_tools import build_vision_tools
    except ImportError:
        return tools
    return tools + list(build_vision_tools())

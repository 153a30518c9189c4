"""The MCP server (mcp SDK 2.x `MCPServer`, the former FastMCP) over a `PixelTools`.

    server = build_server(PixelTools(args, allowed_dirs=["/data/photos"]))
    server.run()                                               # stdio
    server.run("streamable-http", host="127.0.0.1", port=8765)  # http://127.0.0.1:8765/mcp

Every tool runs its work on a worker thread (one model call at a time, in PixelTools), so the event loop keeps
answering; segment_chat sends the engine's progress lines ("loading the segmenter and grounders", "encoding the
image", ...) as MCP progress notifications when the client asked for them (a progress token). Failures come back
as tool results with isError and one line of text (`error: ...`), never a traceback: expected ones say what is
wrong, bad arguments name the fields, anything else names only its type (the traceback goes to stderr).
"""
from __future__ import annotations

import base64
import logging
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated, Any, AsyncIterator, Callable

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError, UnexpectedToolError
from mcp_types import CallToolResult, ImageContent, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from agent.json_types import JSONObject
from agent.mcp.encoding import MASK_URI
from agent.mcp.results import (Conversation, ImagePath, Regions, SegmentBoxResult, TextLines, TurnRecord,
                               UndoResult)
from agent.mcp.tools import PixelTools, one_line

_log = logging.getLogger("agent.mcp")

INSTRUCTIONS = (
    "Pixel-level segmentation of images through multi-turn conversations. Call segment_chat with an image_path "
    "and a request ('segment the man on the left'); pass the conversation_id it returns to continue ('no, the "
    "other one', 'only his head', 'what colour is it?'). Each result has the explanation, an overlay image and "
    "the mask as COCO RLE in structuredContent; get_mask returns a turn's mask as a PNG.")


# ---- output schemas --------------------------------------------------------------------------------
def error_result(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _argument_error(name: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return f"error: bad arguments for {name}: " + "; ".join(parts)


class PixelServer(MCPServer):
    """MCPServer whose every tool failure is one line of text (argument errors included)."""

    async def call_tool(self, name: str, arguments: JSONObject, context: Context | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            _log.error("tool %s crashed", name, exc_info=exc.__cause__ or exc)
            return error_result(f"error: internal error in {name} ({type(exc.__cause__).__name__})")
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                return error_result(_argument_error(name, exc.__cause__))
            return error_result("error: " + " ".join(str(exc).split())[:400])


def _reporter(ctx: Context | None) -> Callable[[str], None] | None:
    """A progress callback for worker threads: each new message becomes an MCP progress notification."""
    if ctx is None:
        return None
    state = {"n": 0, "last": None}

    def say(message: str) -> None:
        message = " ".join(str(message).split())
        if not message or message == state["last"]:
            return
        state["n"] += 1
        state["last"] = message
        try:
            anyio.from_thread.run(ctx.report_progress, state["n"], None, message)
        except Exception:  # progress is best effort; never fail a turn over it
            pass

    return say


async def _in_thread(fn: Callable[[], Any]) -> Any:
    return await anyio.to_thread.run_sync(fn)


def _png_block(data: bytes) -> ImageContent:
    return ImageContent(type="image", data=base64.b64encode(data).decode("ascii"), mime_type="image/png")


# ---- the server ------------------------------------------------------------------------------------
def build_server(tools: PixelTools, preload: bool = True, log_level: str = "WARNING") -> MCPServer:
    """The MCP server over `tools`; with preload the models start loading when the server starts serving."""

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[None]:
        if preload:
            tools.start()
        try:
            yield None
        finally:
            tools.close()

    server = PixelServer("pixelrist", instructions=INSTRUCTIONS, version=_version(), lifespan=lifespan,
                         log_level=log_level)
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                             open_world_hint=False))
    async def segment_chat(image_path: ImagePath,
                           request: Annotated[str, Field(description="the request or question, e.g. 'segment the "
                                                                      "man on the left', 'no, the other one'")],
                           conversation_id: Annotated[str | None, Field(
                               description="the id an earlier result returned, to continue that conversation; "
                                           "omit to start one")] = None,
                           ctx: Context | None = None) -> Annotated[CallToolResult, TurnRecord]:
        """One turn of a multi-turn segmentation conversation about an image. Returns the explanation (which
        points at the mask's pixels), an overlay image, and the turn record (conversation_id, turn, target,
        box, score, evidence, mask as COCO RLE) as structured content. Later turns can refine ('only his
        head'), correct ('no, the other one'), relate ('what is under it?') or ask ('what colour is it?')."""
        try:
            record, overlay = await _in_thread(partial(tools.segment_chat, image_path, request, conversation_id,
                                                       say=_reporter(ctx)))
        except Exception as exc:
            return error_result(one_line(exc))
        text = f"{record['text']} [conversation_id: {record['conversation_id']}; turn {record['turn']}]"
        content: list[Any] = [TextContent(type="text", text=text)]
        if overlay is not None:
            content.append(_png_block(overlay))
        return CallToolResult(content=content, structured_content=record)

    @server.tool(annotations=read_only)
    async def list_conversation(conversation_id: Annotated[str, Field(description="a conversation id")]
                                ) -> Annotated[CallToolResult, Conversation]:
        """The turns of a stored conversation: request, explanation, target, box, score, mask URI."""
        try:
            conv = await _in_thread(partial(tools.list_conversation, conversation_id))
        except Exception as exc:
            return error_result(one_line(exc))
        lines = [f"conversation {conv['conversation_id']} about {conv['image_path']}: {len(conv['turns'])} turn(s)"]
        lines += [f"[{t['turn']}] {t['request']} -> {t['text']}" for t in conv["turns"]]
        return CallToolResult(content=[TextContent(type="text", text="\n".join(lines))], structured_content=conv)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False))
    async def undo(conversation_id: Annotated[str, Field(description="a conversation id")]
                   ) -> Annotated[CallToolResult, UndoResult]:
        """Drop the last turn of a conversation (the next turn continues from the one before)."""
        try:
            out = await _in_thread(partial(tools.undo, conversation_id))
        except Exception as exc:
            return error_result(one_line(exc))
        text = (f"dropped the last turn; {out['turns']} turn(s) left" if out["undone"] else "nothing to undo")
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=out)

    @server.tool(annotations=read_only)
    async def get_mask(conversation_id: Annotated[str, Field(description="a conversation id")],
                       turn: Annotated[int | None, Field(description="turn number; omit for the latest mask")] = None
                       ) -> CallToolResult:
        """A conversation turn's mask as a PNG image (white inside the mask)."""
        try:
            number, data = await _in_thread(partial(tools.mask_png, conversation_id, turn))
        except Exception as exc:
            return error_result(one_line(exc))
        uri = MASK_URI.format(conversation_id=conversation_id, turn=number)
        return CallToolResult(content=[TextContent(type="text", text=f"mask of turn {number} ({uri})"),
                                       _png_block(data)])

    @server.resource(MASK_URI, name="turn_mask", mime_type="image/png",
                     description="a conversation turn's mask as a PNG (white inside the mask)")
    async def turn_mask(conversation_id: str, turn: str) -> bytes:
        try:
            number = int(turn)
        except ValueError:
            raise ResourceError(f"error: turn must be a number, got {turn!r}") from None
        try:
            _, data = await _in_thread(partial(tools.mask_png, conversation_id, number))
        except Exception as exc:
            raise ResourceError(one_line(exc)) from None
        return data

    _add_vision_tools(server, tools, read_only)
    return server


def _add_vision_tools(server: MCPServer, tools: PixelTools, annotations: ToolAnnotations) -> None:
    """The single-step tools of tools.langchain_tools, same names and arguments."""
    async def run(name: str, ctx: Context | None, wrap: str | None, **arguments: Any) -> CallToolResult:
        try:
            text, artifact = await _in_thread(partial(tools.vision, name, say=_reporter(ctx), **arguments))
        except Exception as exc:
            return error_result(one_line(exc))
        structured = {wrap: artifact} if wrap else artifact
        return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)

    @server.tool(annotations=annotations)
    async def segment_box(image_path: ImagePath,
                          box: Annotated[list[float], Field(description="[x0, y0, x1, y1] in image pixels")],
                          ctx: Context | None = None) -> Annotated[CallToolResult, SegmentBoxResult]:
        """Segment the object inside a box and return its mask (COCO RLE), area, bbox and predicted IoU."""
        return await run("segment_box", ctx, None, image_path=image_path, box=box)

    @server.tool(annotations=annotations)
    async def read_text(image_path: ImagePath, ctx: Context | None = None) -> Annotated[CallToolResult, TextLines]:
        """Read all text in an image (OCR): each line with its box and confidence."""
        return await run("read_text", ctx, "lines", image_path=image_path)

    @server.tool(annotations=annotations)
    async def find_text(image_path: ImagePath,
                        text: Annotated[str, Field(description="the text to look for, e.g. EXIT")],
                        ctx: Context | None = None) -> Annotated[CallToolResult, Regions]:
        """Find where a given text is written in an image (fuzzy, case-insensitive)."""
        return await run("find_text", ctx, "regions", image_path=image_path, text=text)

    @server.tool(annotations=annotations)
    async def propose_regions(image_path: ImagePath,
                              query: Annotated[str, Field(description="optional attribute words to rank by, e.g. "
                                                                      "'the red round thing on the left'")] = "",
                              top_k: Annotated[int, Field(description="how many regions to return", ge=1, le=100)] = 10,
                              ctx: Context | None = None) -> Annotated[CallToolResult, Regions]:
        """Split an image into candidate regions with descriptors (position, size, colours, shape, text) and
        masks (COCO RLE), ranked by an optional attribute query. Slow on a CPU (10-20 s a photo)."""
        return await run("propose_regions", ctx, "regions", image_path=image_path, query=query, top_k=top_k)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("pixelrist")
    except Exception:
        return "0"

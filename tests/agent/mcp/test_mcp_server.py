"""The MCP server (agent.mcp) through real MCP clients of the official SDK.

Fast tests connect the SDK's `Client` to the server in-process (no models: every refusal happens before they
load). The slow ones spawn `python -m agent.mcp` and talk to it as an agent host does: `ClientSession` over
`stdio_client` (two turns of one conversation on the coco_tiny photo 491008 with the embedded stack, then the
refusals, on the same server), and the streamable HTTP transport.
"""
from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import numpy as np
import pytest
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from PIL import Image

from agent.mcp.server import build_server
from agent.mcp.tools import PixelTools

REPO = Path(__file__).resolve().parents[3]
PHOTO = ("val2017", "000000491008.jpg")
PHOTO_ID = 491008
TOOLS = {"segment_chat", "list_conversation", "undo", "get_mask", "segment_box", "read_text", "find_text",
         "propose_regions"}


class NoModels:
    """A loader for tests whose calls must fail before any model is needed."""

    def start(self):
        return self

    def ready(self, say=None):
        raise AssertionError("this call should not need the models")


def in_process(tmp_path: Path, allowed: list[str] | None = None):
    return build_server(PixelTools(allowed_dirs=allowed, db_path=str(tmp_path / "c.sqlite"), loader=NoModels()),
                        preload=False)


def run(coro_fn, timeout: float = 600):
    async def main():
        with anyio.fail_after(timeout):
            return await coro_fn()

    return anyio.run(main)


def error_text(result) -> str:
    assert result.is_error, result
    assert len(result.content) == 1 and result.content[0].type == "text"
    text = result.content[0].text
    assert text.startswith("error: ") and "\n" not in text and "Traceback" not in text, text
    return text


# ---- fast, in-process ---------------------------------------------------------------------------------
def test_tools_and_their_schemas_match_the_langchain_toolset(tmp_path):
    from agent.langchain_tool import PixelChatTool
    from tools.langchain_tools import build_vision_tools

    async def main():
        async with Client(in_process(tmp_path)) as client:
            return (await client.list_tools()).tools, (await client.list_resource_templates()).resource_templates

    tools, templates = run(main)
    by_name = {t.name: t for t in tools}
    assert set(by_name) == TOOLS
    # the single tools keep the LangChain tools' names and arguments (and which are required)
    for lc in build_vision_tools():
        lc_schema = lc.tool_call_schema.model_json_schema()
        schema = by_name[lc.name].input_schema
        assert set(schema["properties"]) == set(lc_schema["properties"]), lc.name
        assert set(schema.get("required", [])) == set(lc_schema.get("required", [])), lc.name
    chat = by_name["segment_chat"]
    lc_chat = PixelChatTool().tool_call_schema.model_json_schema()
    assert set(chat.input_schema["properties"]) == set(lc_chat["properties"]) == {"image_path", "request",
                                                                                   "conversation_id"}
    assert set(chat.input_schema["required"]) == {"image_path", "request"}
    out = chat.output_schema
    assert out["type"] == "object" and {"conversation_id", "turn", "target", "box", "score", "evidence",
                                        "mask", "text"} <= set(out["properties"])
    assert by_name["list_conversation"].output_schema and by_name["undo"].output_schema
    assert by_name["get_mask"].annotations.read_only_hint
    assert [t.uri_template for t in templates] == ["pixelrist://conversations/{conversation_id}/turns/{turn}/mask.png"]


def test_refusals_are_one_line_tool_errors_before_any_model_loads(tmp_path):
    allowed = tmp_path / "photos"
    allowed.mkdir()
    inside = allowed / "a.png"
    Image.new("RGB", (32, 24), (200, 30, 30)).save(inside)
    outside = tmp_path / "b.png"
    Image.new("RGB", (32, 24), (30, 30, 200)).save(outside)
    (allowed / "escape.png").symlink_to(outside)

    async def main():
        async with Client(in_process(tmp_path, [str(allowed)])) as client:
            calls = {
                "missing file": ("segment_chat", {"image_path": str(allowed / "none.png"), "request": "the dog"}),
                "outside": ("segment_chat", {"image_path": str(outside), "request": "the dog"}),
                "symlink out": ("segment_chat", {"image_path": str(allowed / "escape.png"), "request": "the dog"}),
                "dot-dot": ("segment_chat", {"image_path": str(allowed / ".." / "b.png"), "request": "the dog"}),
                "bad id": ("segment_chat", {"image_path": str(inside), "request": "x", "conversation_id": "../up"}),
                "slash id": ("list_conversation", {"conversation_id": "a/b"}),
                "unknown id": ("undo", {"conversation_id": "never-seen"}),
                "unknown mask": ("get_mask", {"conversation_id": "never-seen", "turn": 1}),
                "no request": ("segment_chat", {"image_path": str(inside)}),
                "bad box": ("segment_box", {"image_path": str(inside), "box": "left"}),
                "vision outside": ("read_text", {"image_path": str(outside)}),
                "unknown tool": ("paint", {}),
            }
            out = {key: error_text(await client.call_tool(name, args)) for key, (name, args) in calls.items()}
            tools = (await client.list_tools()).tools  # still serving
            return out, tools

    out, tools = run(main)
    assert "no such file" in out["missing file"]
    for key in ("outside", "symlink out", "dot-dot", "vision outside"):
        assert "outside the folders" in out[key], (key, out[key])
    assert "not a plain name" in out["bad id"] and "not a plain name" in out["slash id"]
    assert "no stored conversation" in out["unknown id"] and "no stored conversation" in out["unknown mask"]
    assert out["no request"] == "error: bad arguments for segment_chat: request: Field required"
    assert out["bad box"].startswith("error: bad arguments for segment_box: box")
    assert "paint" in out["unknown tool"]
    assert {t.name for t in tools} == TOOLS


# ---- slow: a real server process ---------------------------------------------------------------------
def server_params(*args: str) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if k.startswith(("PIXELRIST_", "OMP_", "MKL_", "CI"))}
    return StdioServerParameters(command=sys.executable, args=["-m", "agent.mcp", *args], cwd=str(REPO), env=env)


def person_masks(coco_tiny: Path) -> list[np.ndarray]:
    """The photo's two COCO person masks, left one first."""
    from pycocotools.coco import COCO

    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(coco_tiny / "annotations" / "instances_val2017.json"))
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[PHOTO_ID], catIds=[1], iscrowd=False))
    return [coco.annToMask(a).astype(bool) for a in sorted(anns, key=lambda a: a["bbox"][0])]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def summary(record: dict) -> dict:
    """The structured record without the RLE counts (for the printed log)."""
    out = dict(record)
    if out.get("mask"):
        out["mask"] = {"size": out["mask"]["size"], "counts": f"<{len(out['mask']['counts'])} chars>"}
    return out


@pytest.mark.slow
def test_stdio_two_turns_of_one_conversation_then_refusals(coco_tiny, tmp_path):
    from tools.masks import decode_rle

    photo = coco_tiny.joinpath(*PHOTO)
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(photo.read_bytes())
    params = server_params("--db", str(tmp_path / "c.sqlite"), "--allow-dir", str(coco_tiny / "val2017"))
    progress: list[str] = []

    async def on_progress(value, total, message):
        progress.append(message or "")

    async def main():
        with open(tmp_path / "server.log", "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                results, cid = [], None
                for request in ("segment the person on the left", "no, the other one"):
                    args = {"image_path": str(photo), "request": request}
                    if cid:
                        args["conversation_id"] = cid
                    t = time.perf_counter()
                    result = await session.call_tool("segment_chat", args, progress_callback=on_progress)
                    results.append((result, time.perf_counter() - t))
                    assert not result.is_error, result.content[0].text
                    cid = result.structured_content["conversation_id"]
                refusals = {
                    "bad path": await session.call_tool("segment_chat", {"image_path": str(photo.parent / "nope.jpg"),
                                                                         "request": "the man"}),
                    "bad id": await session.call_tool("segment_chat", {"image_path": str(photo), "request": "the man",
                                                                       "conversation_id": "../../etc/passwd"}),
                    "outside": await session.call_tool("segment_chat", {"image_path": str(outside),
                                                                        "request": "the man"}),
                }
                listing = await session.call_tool("list_conversation", {"conversation_id": cid})
                mask_tool = await session.call_tool("get_mask", {"conversation_id": cid, "turn": 1})
                resource = await session.read_resource(f"pixelrist://conversations/{cid}/turns/2/mask.png")
                undone = await session.call_tool("undo", {"conversation_id": cid})
                after = await session.call_tool("list_conversation", {"conversation_id": cid})
                return results, refusals, listing, mask_tool, resource, undone, after

    try:
        results, refusals, listing, mask_tool, resource, undone, after = run(main)
    finally:
        log = (tmp_path / "server.log").read_text() if (tmp_path / "server.log").exists() else ""
        print("server stderr:", log[-2000:] or "(empty)")

    left, right = person_masks(coco_tiny)
    masks = []
    for (result, seconds), expected in zip(results, (left, right)):
        record = result.structured_content
        print(f"\n{seconds:.2f} s  {result.content[0].text}\n{json.dumps(summary(record))}")
        kinds = [c.type for c in result.content]
        assert kinds == ["text", "image"] and result.content[1].mime_type == "image/png"
        overlay = Image.open(io.BytesIO(base64.b64decode(result.content[1].data)))
        assert overlay.size == (640, 427) and overlay.format == "PNG"
        assert record["conversation_id"] in result.content[0].text and record["evidence"]
        mask = decode_rle(record["mask"])
        assert mask.shape == (427, 640) and iou(mask, expected) > 0.6, iou(mask, expected)
        assert record["box"] and record["target"] and record["score"] > 0.5
        masks.append(mask)
    first, second = (r.structured_content for r, _ in results)
    assert (first["turn"], second["turn"]) == (1, 2) and first["conversation_id"] == second["conversation_id"]
    assert iou(masks[0], masks[1]) < 0.05
    assert any("encoding the image" in m or "loading" in m for m in progress), progress

    texts = {key: error_text(r) for key, r in refusals.items()}
    print("refusals:", json.dumps(texts, indent=1))
    assert "no such file" in texts["bad path"] and "not a plain name" in texts["bad id"]
    assert "outside the folders" in texts["outside"]

    assert [t["turn"] for t in listing.structured_content["turns"]] == [1, 2]
    assert mask_tool.content[1].type == "image"
    png = Image.open(io.BytesIO(base64.b64decode(mask_tool.content[1].data)))
    assert np.array_equal(np.asarray(png) > 0, masks[0])
    blob = resource.contents[0]
    assert blob.mime_type == "image/png"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(base64.b64decode(blob.blob)))) > 0, masks[1])
    assert undone.structured_content == {"conversation_id": first["conversation_id"], "undone": True, "turns": 1}
    assert [t["turn"] for t in after.structured_content["turns"]] == [1]


@pytest.mark.slow
def test_stdio_lists_tools_with_schemas(tmp_path):
    async def main():
        async with stdio_client(server_params("--no-preload", "--db", str(tmp_path / "c.sqlite"))) as (r, w), \
                ClientSession(r, w) as session:
            init = await session.initialize()
            return init, (await session.list_tools()).tools

    init, tools = run(main, timeout=180)
    assert init.server_info.name == "pixelrist"
    by_name = {t.name: t for t in tools}
    assert set(by_name) == TOOLS
    assert by_name["segment_chat"].output_schema["properties"]["mask"]
    assert by_name["segment_box"].input_schema["required"] == ["image_path", "box"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_streamable_http_serves_the_same_tools(tmp_path):
    from mcp.client.streamable_http import streamable_http_client

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "agent.mcp", "--http", "--port", str(port), "--no-preload",
                             "--db", str(tmp_path / "c.sqlite")], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "http.log", "w"))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, (tmp_path / "http.log").read_text()
            time.sleep(0.5)

        async def main():
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (r, w), ClientSession(r, w) as session:
                await session.initialize()
                tools = (await session.list_tools()).tools
                bad = await session.call_tool("segment_chat", {"image_path": "/no/such.jpg", "request": "x"})
                return tools, bad

        tools, bad = run(main, timeout=120)
        assert {t.name for t in tools} == TOOLS
        assert "no such file" in error_text(bad)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

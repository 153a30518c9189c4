"""PixelChatTool inside a LangGraph agent loop (StateGraph: model node <-> langgraph.prebuilt.ToolNode).

The model node is SCRIPTED: it emits AIMessage tool calls and reads the conversation_id back from the
previous ToolMessage's artifact. SmolLM2-135M (the only local LLM here) has no tool-calling chat
template and does not produce tool calls reliably, so the loop's tool calls are not made by a model.
Everything else is real: the tool, the Session threads, MobileSAM and OCR on a drawn EXIT sign.
"""
from __future__ import annotations

import numpy as np
import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from PIL import Image, ImageDraw, ImageFont

from agent.langchain_tool import PixelChatTool, build_agent_tools
from tools.masks import decode_rle

SIGN_BOX = (150, 60, 290, 130)


@pytest.fixture(scope="module")
def image_path(tmp_path_factory) -> str:
    img = Image.new("RGB", (320, 240), (90, 120, 90))
    draw = ImageDraw.Draw(img)
    draw.rectangle(SIGN_BOX, fill=(200, 30, 30))
    draw.text((165, 70), "EXIT", fill=(255, 255, 255), font=ImageFont.load_default(size=44))
    path = tmp_path_factory.mktemp("tool") / "exit.png"
    img.save(path)
    return str(path)


def scripted_model(image_path: str, requests: list[str]):
    """A model node: one tool call per request, continuing the conversation the first call started."""

    def model(state: MessagesState) -> dict:
        results = [m for m in state["messages"] if isinstance(m, ToolMessage)]
        if len(results) == len(requests):
            return {"messages": [AIMessage(content=f"done: {results[-1].content}")]}
        args = {"image_path": image_path, "request": requests[len(results)]}
        if results and results[-1].artifact and results[-1].artifact.get("conversation_id"):
            args["conversation_id"] = results[-1].artifact["conversation_id"]
        call = {"name": "pixel_chat", "args": args, "id": f"call_{len(results)}", "type": "tool_call"}
        return {"messages": [AIMessage(content="", tool_calls=[call])]}

    return model


def build_loop(tool: PixelChatTool, model) -> object:
    graph = StateGraph(MessagesState)
    graph.add_node("model", model)
    graph.add_node("tools", ToolNode([tool]))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
    graph.add_edge("tools", "model")
    return graph.compile()


@pytest.mark.slow
def test_two_calls_with_one_conversation_id_refine_turn_one(image_path, tmp_path):
    tool = PixelChatTool(session_kwargs={"grounders": ("ocr",), "db_path": str(tmp_path / "c.sqlite"),
                                         "out_dir": str(tmp_path / "out")})
    loop = build_loop(tool, scripted_model(image_path, ["the sign that says EXIT", "only its left half"]))
    final = loop.invoke({"messages": [HumanMessage(content="segment the EXIT sign, then only its left half")]})
    first, second = [m for m in final["messages"] if isinstance(m, ToolMessage)]
    a, b = first.artifact, second.artifact
    assert a["conversation_id"] == b["conversation_id"] and (a["turn"], b["turn"]) == (1, 2)
    assert "EXIT" in first.content and a["conversation_id"] in first.content
    m1, m2 = decode_rle(a["masks"][0]), decode_rle(b["masks"][0])
    # turn two depends on turn one: a strict part of the first mask, on its left side
    assert m2.sum() > 0 and (m2 & ~m1).sum() == 0 and m2.sum() < 0.8 * m1.sum()
    assert b["bbox"][2] <= a["bbox"][2] - 0.3 * (a["bbox"][2] - a["bbox"][0])
    x0, y0, x1, y1 = a["bbox"]
    assert SIGN_BOX[0] - 4 <= x0 and x1 <= SIGN_BOX[2] + 5 and SIGN_BOX[1] - 4 <= y0 and y1 <= SIGN_BOX[3] + 5
    assert a["overlay_path"] and a["mask_path"] and final["messages"][-1].content.startswith("done:")

    # A fresh tool object (as after a restart) continues the stored conversation by id.
    tool.close()
    again = PixelChatTool(session_kwargs={"grounders": ("ocr",), "db_path": str(tmp_path / "c.sqlite")})
    content, artifact = again._run(image_path, "what colour is it?", a["conversation_id"])
    assert artifact["turn"] == 3 and artifact["masks"] == [] and "red" in content.lower()
    # Without an id a new conversation starts.
    _, fresh = again._run(image_path, "the sign that says EXIT")
    assert fresh["conversation_id"] != a["conversation_id"] and fresh["turn"] == 1
    again.close()


def test_bad_input_returns_an_error_message(tmp_path):
    tool = PixelChatTool(session_kwargs={"grounders": ("ocr",), "db_path": str(tmp_path / "c.sqlite")})
    message = tool.invoke({"type": "tool_call", "id": "x", "name": "pixel_chat",
                           "args": {"image_path": str(tmp_path / "missing.png"), "request": "the dog"}})
    assert isinstance(message, ToolMessage) and message.content.startswith("error: ")
    assert "no such file" in message.content and message.artifact["error"]


def test_agent_tools_list_and_schema():
    tools = build_agent_tools(db_path=":memory:")
    names = [t.name for t in tools]
    assert names[0] == "pixel_chat" and len(names) == len(set(names))
    schema = tools[0].tool_call_schema.model_json_schema()
    assert set(schema["properties"]) == {"image_path", "request", "conversation_id"}
    assert set(schema["required"]) == {"image_path", "request"}
    assert tools[0].response_format == "content_and_artifact"

"""The MCP server's segment_chat as a LangChain tool through langchain-mcp-adapters, called from a LangGraph
ToolNode (a scripted model node makes the calls, as in tests/agent/test_langchain_tool.py): the same two turns
of one conversation on the coco_tiny photo 491008.

langchain-mcp-adapters is not a dependency: 0.3.2 (the latest release when this was written) requires mcp<2 and
0.3.1 fails to import under mcp 2.x, so in the project's venv this module is skipped with one line. A host venv
with the adapters (and mcp 1.x) can run it against the project's server: PIXELRIST_MCP_SERVER_PYTHON names the
Python that runs `-m agent.mcp` (default: this one). The test imports nothing from the project.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

try:
    from langchain_mcp_adapters.client import MultiServerMCPClient
    from langchain_mcp_adapters.tools import load_mcp_tools
except ImportError as exc:  # absent, or built for another major version of mcp
    pytest.skip(f"langchain-mcp-adapters not usable here: {' '.join(str(exc).split())[:200]}",
                allow_module_level=True)

import anyio
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition

REPO = Path(__file__).resolve().parents[3]
SERVER_PYTHON = os.environ.get("PIXELRIST_MCP_SERVER_PYTHON", sys.executable)
REQUESTS = ["segment the person on the left", "no, the other one"]


def scripted_model(image_path: str):
    def model(state: MessagesState) -> dict:
        results = [m for m in state["messages"] if isinstance(m, ToolMessage)]
        if len(results) == len(REQUESTS):
            return {"messages": [AIMessage(content="done")]}
        args = {"image_path": image_path, "request": REQUESTS[len(results)]}
        if results and results[-1].artifact:
            args["conversation_id"] = results[-1].artifact["structured_content"]["conversation_id"]
        call = {"name": "segment_chat", "args": args, "id": f"call_{len(results)}", "type": "tool_call"}
        return {"messages": [AIMessage(content="", tool_calls=[call])]}

    return model


@pytest.mark.slow
def test_two_turns_through_the_adapters_from_a_langgraph_tool_node(coco_tiny, tmp_path):
    photo = coco_tiny / "val2017" / "000000491008.jpg"
    env = {k: v for k, v in os.environ.items() if k.startswith(("PIXELRIST_", "HOME", "PATH"))}
    client = MultiServerMCPClient({"pixelrist": {
        "transport": "stdio", "command": SERVER_PYTHON, "cwd": str(REPO), "env": env,
        "args": ["-m", "agent.mcp", "--db", str(tmp_path / "c.sqlite"), "--allow-dir", str(photo.parent)]}})

    async def main():
        with anyio.fail_after(600):
            async with client.session("pixelrist") as session:  # one server process for both turns
                tools = {t.name: t for t in await load_mcp_tools(session)}
                assert "segment_chat" in tools and "list_conversation" in tools
                graph = StateGraph(MessagesState)
                graph.add_node("model", scripted_model(str(photo)))
                graph.add_node("tools", ToolNode([tools["segment_chat"]]))
                graph.add_edge(START, "model")
                graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: END})
                graph.add_edge("tools", "model")
                final = await graph.compile().ainvoke({"messages": [HumanMessage(content="segment them")]})
                refused = await tools["segment_chat"].ainvoke(
                    {"type": "tool_call", "id": "bad", "name": "segment_chat",
                     "args": {"image_path": str(tmp_path / "x.jpg"), "request": "the man"}})
                return final, refused

    final, refused = anyio.run(main)
    first, second = [m for m in final["messages"] if isinstance(m, ToolMessage)]
    a, b = first.artifact["structured_content"], second.artifact["structured_content"]
    for message, record in ((first, a), (second, b)):
        blocks = message.content if isinstance(message.content, list) else [message.content]
        kinds = [blk.get("type") if isinstance(blk, dict) else "text" for blk in blocks]
        print(f"\n{kinds}: {record['text']}\n  turn {record['turn']}, box {record['box']}, evidence {record['evidence']}")
        assert "image" in kinds and record["mask"]["size"] == [427, 640]
    assert a["conversation_id"] == b["conversation_id"] and (a["turn"], b["turn"]) == (1, 2)
    # the person on the left, then the other one (COCO boxes: x 216-342 and x 353-475)
    assert a["box"][2] < 350 and b["box"][0] > 340
    assert refused.status == "error" and "outside the folders" in str(refused.content)

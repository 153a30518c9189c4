"""The turn graph's wiring, routes and the langgraph.json entry."""
from __future__ import annotations

import importlib
import json
from pathlib import Path

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agent.nodes.components import build_runtime
from graphs.turn_graph import build_graph, route_after_ground, route_after_interpret

ROOT = Path(__file__).resolve().parents[2]


def test_nodes_and_routes():
    graph = build_graph(build_runtime(vision=False))
    nodes = set(graph.get_graph().nodes)
    assert {"interpret", "ground", "segment", "select", "explain", "respond"} <= nodes
    image = {"path": None, "sha256": "x", "width": 4, "height": 4}
    assert route_after_interpret({"intent": {"kind": "new_target"}, "image": None}) == "explain"
    assert route_after_interpret({"intent": {"kind": "new_target"}, "image": image}) == "ground"
    assert route_after_interpret({"intent": {"kind": "answer_only", "question": "color"}, "image": image}) == "explain"
    assert route_after_interpret({"intent": {"kind": "answer_only", "question": "count"}, "image": image}) == "ground"
    assert route_after_ground({"intent": {"kind": "answer_only"}}) == "explain"
    assert route_after_ground({"intent": {"kind": "relate"}}) == "segment"


def test_text_only_turn_skips_vision_and_checkpoints_json_only():
    saver = InMemorySaver()
    graph = build_graph(build_runtime(vision=False), checkpointer=saver)
    cfg = {"configurable": {"thread_id": "t1"}}
    seen = []
    for chunk in graph.stream({"messages": [HumanMessage("segment the red mug")], "image": None}, cfg,
                              stream_mode="updates"):
        seen += list(chunk)
    assert seen == ["interpret", "explain", "respond"]
    values = graph.get_state(cfg).values
    assert values["turn"] == 1 and values["memory"]["current"]["phrase"] == "the red mug"
    assert values["results"][0]["rle"] is None and values["intent"] is None
    json.dumps({k: v for k, v in values.items() if k != "messages"})  # JSON-safe apart from messages


def test_langgraph_json_points_at_the_factory():
    config = json.loads((ROOT / "langgraph.json").read_text())
    module_path, attr = next(iter(config["graphs"].values())).split(":")
    module = importlib.import_module(module_path.removeprefix("./").removesuffix(".py").replace("/", "."))
    assert callable(getattr(module, attr))

"""The turn graph's wiring, routes and the langgraph.json entry."""
from __future__ import annotations

import asyncio
import importlib.util
import inspect
import json
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver
from PIL import Image

from agent.nodes import context as context_module
from agent.nodes.components import build_runtime
from agent.nodes.context import TurnContext
from graphs.turn_graph import build_graph, route_after_ground, route_after_interpret
from tests.agent.agent_scenes import FakeProposals, FakeSegmenter, shapes_scene
from tools.masks import decode_rle, iou

ROOT = Path(__file__).resolve().parents[2]


def test_nodes_and_routes():
    graph = build_graph()
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
    graph = build_graph(checkpointer=saver)
    cfg = {"configurable": {"thread_id": "t1"}}
    seen, progress = [], []
    for mode, chunk in graph.stream({"messages": [HumanMessage("segment the red mug")], "image": None}, cfg,
                                    context=TurnContext(runtime=build_runtime(vision=False)),
                                    stream_mode=["updates", "custom"]):
        if mode == "updates":
            seen += list(chunk)
        else:
            progress.append(chunk["progress"])
    assert seen == ["attach_image", "interpret", "explain", "respond"]
    assert progress == ["intent: new_target -> the red mug"]  # the interpret node's report, as a stream event
    values = graph.get_state(cfg).values
    assert values["turn"] == 1 and values["memory"]["current"]["phrase"] == "the red mug"
    assert values["results"][0]["rle"] is None and values["intent"] is None
    json.dumps({k: v for k, v in values.items() if k != "messages"})  # JSON-safe apart from messages


def _load_like_langgraph_dev(spec: str):
    """Import the file a langgraph.json graph spec names, as langgraph_api does (by path, its own module)."""
    path, attr = spec.split(":")
    name = path.replace("/", "__").removesuffix(".py").lstrip(".")
    module_spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module, getattr(module, attr)


def test_langgraph_json_points_at_the_factory(tmp_path):
    """The factory langgraph.json names, awaited as the server awaits it, runs a turn from a client-style input:
    only an image path and a message dict (stand-in vision backends; the real server: test_served_graph.py)."""
    config = json.loads((ROOT / "langgraph.json").read_text())
    module, factory = _load_like_langgraph_dev(config["graphs"]["pixelrist_agent"])
    context_module._DEFAULT["runtime"] = build_runtime(segmenter=FakeSegmenter(), grounders=[FakeProposals()])
    graph = factory({"configurable": {}})
    assert inspect.isawaitable(graph)
    graph = asyncio.run(graph)
    scene = shapes_scene()
    path = tmp_path / "scene.png"
    Image.fromarray(scene.pixels).save(path)
    out = asyncio.run(graph.ainvoke({"image": {"path": str(path)},
                                     "messages": [{"role": "user", "content": "segment the blue square"}]}))
    assert out["image"]["sha256"] and (out["image"]["width"], out["image"]["height"]) == (480, 320)
    assert iou(decode_rle(out["results"][-1]["rle"]), scene.shapes["blue_square"]) > 0.95
    # The server mirrors a client's configurable into the context: unknown keys are ignored, the JSON schema it
    # publishes has no model fields.
    context_module._DEFAULT.pop("runtime")
    assert graph.get_context_jsonschema()["properties"] == {}


def test_each_run_uses_the_backends_of_its_context(tmp_path):
    """One compiled graph, two contexts: a run with vision gets a mask, a text-only context answers without one;
    a context of the wrong type stops the turn with one line."""
    from agent.errors import TurnError

    path, scene = _scene_file(tmp_path)
    graph = build_graph(checkpointer=InMemorySaver())
    vision = TurnContext(runtime=build_runtime(segmenter=FakeSegmenter(), grounders=[FakeProposals()]))
    text_only = TurnContext(runtime=build_runtime(vision=False))
    turn = {"image": {"path": str(path)}, "messages": [HumanMessage("segment the blue square")]}
    seen = graph.invoke(turn, {"configurable": {"thread_id": "a"}}, context=vision)
    assert iou(decode_rle(seen["results"][-1]["rle"]), scene.shapes["blue_square"]) > 0.95
    blind = graph.invoke({"messages": turn["messages"]}, {"configurable": {"thread_id": "b"}}, context=text_only)
    assert blind["results"][-1]["rle"] is None
    with pytest.raises(TurnError, match="TurnContext, not str"):
        graph.invoke(turn, {"configurable": {"thread_id": "c"}}, context="backends")


def _scene_file(tmp_path) -> tuple[Path, object]:
    scene = shapes_scene()
    path = tmp_path / "scene.png"
    Image.fromarray(scene.pixels).save(path)
    return path, scene


def test_complete_reference_with_the_file_bytes_hash_is_recomputed(tmp_path):
    """A client that hashed the file's bytes sends a complete reference whose sha256 is not the pixel hash: the
    first turn recomputes it and gets its mask (it used to be answered as a text-only session)."""
    import hashlib

    path, scene = _scene_file(tmp_path)
    graph = build_graph(checkpointer=InMemorySaver())
    context = TurnContext(runtime=build_runtime(segmenter=FakeSegmenter(), grounders=[FakeProposals()]))
    cfg = {"configurable": {"thread_id": "bytes-hash"}}
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    ref = {"path": str(path), "sha256": file_hash, "width": 480, "height": 320}
    out = graph.invoke({"image": ref, "messages": [HumanMessage("segment the blue square")]}, cfg, context=context)
    assert out["image"]["sha256"] != file_hash and out["image"]["path"] == str(path.resolve())
    assert "Text-only" not in out["results"][-1]["answer"]
    assert iou(decode_rle(out["results"][-1]["rle"]), scene.shapes["blue_square"]) > 0.95


def test_reference_that_cannot_be_verified_is_refused_in_one_line(tmp_path):
    """An unknown hash with no path, and a file that changed between turns, stop the turn with one ImageError line."""
    from tools.images import ImageError

    path, _ = _scene_file(tmp_path)
    graph = build_graph(checkpointer=InMemorySaver())
    context = TurnContext(runtime=build_runtime(segmenter=FakeSegmenter(), grounders=[FakeProposals()]))
    unknown = {"path": None, "sha256": "ab" * 32, "width": 480, "height": 320}
    with pytest.raises(ImageError, match="not known to this server") as caught:
        graph.invoke({"image": unknown, "messages": [HumanMessage("segment the blue square")]},
                     {"configurable": {"thread_id": "no-path"}}, context=context)
    assert "\n" not in str(caught.value)

    cfg = {"configurable": {"thread_id": "changed"}}
    graph.invoke({"image": {"path": str(path)}, "messages": [HumanMessage("segment the blue square")]}, cfg,
                 context=context)
    Image.fromarray(shapes_scene().pixels[::-1].copy()).save(path)  # same size, other pixels
    values = graph.get_state(cfg).values
    restarted = TurnContext(runtime=build_runtime(segmenter=FakeSegmenter(), grounders=[FakeProposals()]))  # empty cache
    with pytest.raises(ImageError, match="changed since this conversation began"):
        build_graph().invoke({**values, "messages": [HumanMessage("now the red circle")]}, context=restarted)

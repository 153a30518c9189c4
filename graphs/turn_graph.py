"""One conversation turn as a LangGraph StateGraph.

    attach_image ─► interpret ─► ground ─► segment ─► select ─► explain ─► respond
        │               │           └──────(answer-only count)────────────►┘   ▲
        │               └──(text-only session, or answer-only question)───►explain
        ├──(action "click")──► segment_points ─────────────────────────────────┤
        └──(action "recall")─► recall_mask ────────────────────────────────────┘

`build_graph(runtime, checkpointer=None)` compiles it with the runtime bound into the nodes by closures.
`make_graph(config=None)` is the async factory `langgraph.json` points at (`langgraph dev`): embedded defaults
built once per process off the event loop, no checkpointer (the server brings its own). The nodes are plain
functions, which LangGraph runs in worker threads under an async run, so model calls never block the loop.
A client sends {"image": {"path": ...}, "messages": [{"role": "user", "content": ...}]}; see the README.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any

from langgraph.graph import END, START, StateGraph

from agent import nodes
from agent.errors import TurnError
from agent.nodes.attach_image import attach_image
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState


ACTION_NODES = {"click": "segment_points", "recall": "recall_mask"}


def route_after_attach(state: dict[str, Any]) -> str:
    """A typed turn goes to the planner; a click or recall turn (state["action"]) to its own node."""
    kind = (state.get("action") or {}).get("kind")
    if kind is None:
        return "interpret"
    if kind not in ACTION_NODES:
        raise TurnError(f"unknown action {kind!r}: use one of {sorted(ACTION_NODES)}")
    return ACTION_NODES[kind]


def route_after_interpret(state: dict[str, Any]) -> str:
    intent = state.get("intent") or {}
    if not state.get("image"):
        return "explain"
    if intent.get("kind") == "answer_only":
        return "ground" if intent.get("question") in ("count", "exists") else "explain"
    return "ground"


def route_after_ground(state: dict[str, Any]) -> str:
    return "explain" if (state.get("intent") or {}).get("kind") == "answer_only" else "segment"


def _bind(fn, runtime: AgentRuntime):
    """A one-argument node with the runtime closed over (a `runtime` keyword would collide with
    LangGraph's own injected Runtime)."""
    def node(state: dict[str, Any]) -> dict[str, Any]:
        return fn(state, runtime)

    node.__name__ = fn.__name__
    return node


def build_graph(runtime: AgentRuntime, checkpointer: Any = None):
    """The compiled turn graph; pass a checkpointer (e.g. SqliteSaver) for multi-turn memory."""
    g = StateGraph(AgentState)
    g.add_node("attach_image", _bind(attach_image, runtime))
    for name in ("interpret", "ground", "segment", "select", "explain", "respond"):
        g.add_node(name, _bind(getattr(nodes, name), runtime))
    g.add_edge(START, "attach_image")
    for name in ACTION_NODES.values():
        g.add_node(name, _bind(getattr(nodes, name), runtime))
    g.add_conditional_edges("attach_image", route_after_attach, ["interpret", *ACTION_NODES.values()])
    for name in ACTION_NODES.values():
        g.add_edge(name, "respond")
    g.add_conditional_edges("interpret", route_after_interpret, ["ground", "explain"])
    g.add_conditional_edges("ground", route_after_ground, ["segment", "explain"])
    g.add_edge("segment", "select")
    g.add_edge("select", "explain")
    g.add_edge("explain", "respond")
    g.add_edge("respond", END)
    return g.compile(checkpointer=checkpointer)


_SERVED: dict[str, AgentRuntime] = {}
_SERVED_LOCK = threading.Lock()


def served_runtime() -> AgentRuntime:
    """The runtime of the served graph: rule planner + embedded vision stack, built once per process (it loads
    weights: call it off the event loop). One runtime keeps one VisionCache, so a thread's later turns reuse
    the image embedding and proposals of its first."""
    with _SERVED_LOCK:
        if "runtime" not in _SERVED:
            from agent.nodes.components import build_runtime
            _SERVED["runtime"] = build_runtime()
        return _SERVED["runtime"]


async def make_graph(config: dict | None = None):
    """Graph factory for `langgraph dev` / `langgraph.json` (the server calls it per run and awaits it)."""
    return build_graph(await asyncio.to_thread(served_runtime))

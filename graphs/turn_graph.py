"""One conversation turn as a LangGraph StateGraph.

    attach_image ─► interpret ─► ground ─► segment ─► select ─► explain ─► respond
        │               │           └──────(answer-only count)────────────►┘   ▲
        │               └──(text-only session, or answer-only question)───►explain
        ├──(action "click")──► segment_points ─────────────────────────────────┤
        ├──(action "recall")─► recall_mask ────────────────────────────────────┘
        └──(action "given" | "reference_answer")─► reference_history ─► END   (evals' reference turns)

`build_graph(checkpointer=None)` compiles it with `TurnContext` as its context_schema: each run names its backends
with `context=TurnContext(runtime=...)` and every node reads them from LangGraph's Runtime (agent.nodes.context).
Nodes report progress through LangGraph's stream writer: stream with stream_mode "custom" to get
{"progress": "encoding the image"} events. `make_graph(config=None)` is the async factory `langgraph.json` points
at (`langgraph dev`): the embedded defaults are built once per process off the event loop, no checkpointer (the
server brings its own). The nodes are plain functions, which LangGraph runs in worker threads under an async run,
so model calls never block the loop.
A client sends {"image": {"path": ...}, "messages": [{"role": "user", "content": ...}]}; see the README.
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent import nodes
from agent.errors import TurnError
from agent.nodes.attach_image import attach_image
from agent.nodes.context import TurnContext, default_runtime
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState


ACTION_NODES = {"click": "segment_points", "recall": "recall_mask",
                "given": "reference_history", "reference_answer": "reference_history"}
TURN_NODES = ("segment_points", "recall_mask")  # action nodes whose turn respond records


def route_after_attach(state: dict[str, Any]) -> str:
    """A typed turn goes to the planner; a click, recall or reference turn (state["action"]) to its own node."""
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


def _with_backends(fn: Callable[[dict[str, Any], AgentRuntime], dict[str, Any]]):
    """The LangGraph node for fn(state, backends): backends come from the run's TurnContext (a run without a
    context gets the process's embedded defaults)."""
    def node(state: dict[str, Any], runtime: Runtime[TurnContext]) -> dict[str, Any]:
        context = runtime.context if runtime.context is not None else TurnContext()
        if not isinstance(context, TurnContext):
            raise TurnError(f"the turn graph's context is a TurnContext, not {type(context).__name__}")
        return fn(state, context.runtime)

    node.__name__ = fn.__name__
    return node


def build_graph(checkpointer: Any = None):
    """The compiled turn graph; pass a checkpointer (e.g. SqliteSaver) for multi-turn memory, and each run's
    backends as context=TurnContext(runtime=...)."""
    g = StateGraph(AgentState, context_schema=TurnContext)
    g.add_node("attach_image", _with_backends(attach_image))
    for name in ("interpret", "ground", "segment", "select", "explain", "respond"):
        g.add_node(name, _with_backends(getattr(nodes, name)))
    g.add_edge(START, "attach_image")
    for name in dict.fromkeys(ACTION_NODES.values()):
        g.add_node(name, _with_backends(getattr(nodes, name)))
    g.add_conditional_edges("attach_image", route_after_attach, ["interpret", *dict.fromkeys(ACTION_NODES.values())])
    for name in TURN_NODES:
        g.add_edge(name, "respond")
    g.add_edge("reference_history", END)
    g.add_conditional_edges("interpret", route_after_interpret, ["ground", "explain"])
    g.add_conditional_edges("ground", route_after_ground, ["segment", "explain"])
    g.add_edge("segment", "select")
    g.add_edge("select", "explain")
    g.add_edge("explain", "respond")
    g.add_edge("respond", END)
    return g.compile(checkpointer=checkpointer)


async def make_graph(config: dict | None = None):
    """Graph factory for `langgraph dev` / `langgraph.json` (the server calls it per run and awaits it); the
    embedded defaults are loaded here, off the event loop, so no run blocks on them."""
    await asyncio.to_thread(default_runtime)
    return build_graph()

"""One conversation turn as a LangGraph StateGraph.

    interpret ─► ground ─► segment ─► select ─► explain ─► respond
        │           └──────(answer-only count)────────────►┘
        └──(text-only session, or answer-only question)───►explain

`build_graph(runtime, checkpointer=None)` compiles it with the runtime bound into the nodes by closures.
`make_graph(config=None)` is the module-level factory `langgraph.json` points at (embedded defaults,
no checkpointer: the LangGraph server brings its own).
"""
from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agent import nodes
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState


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
    for name in ("interpret", "ground", "segment", "select", "explain", "respond"):
        g.add_node(name, _bind(getattr(nodes, name), runtime))
    g.add_edge(START, "interpret")
    g.add_conditional_edges("interpret", route_after_interpret, ["ground", "explain"])
    g.add_conditional_edges("ground", route_after_ground, ["segment", "explain"])
    g.add_edge("segment", "select")
    g.add_edge("select", "explain")
    g.add_edge("explain", "respond")
    g.add_edge("respond", END)
    return g.compile(checkpointer=checkpointer)


def make_graph(config: dict | None = None):
    """Graph factory for `langgraph dev` / `langgraph.json`: rule planner + embedded vision stack."""
    from agent.nodes.components import build_runtime
    return build_graph(build_runtime())

"""Graph nodes: plain functions `node(state, runtime) -> partial state update`.

interpret -> ground -> segment -> select -> explain -> respond (graphs.turn_graph wires them).
Heavy objects come in the `AgentRuntime` (agent.nodes.runtime), bound by a closure, never in state.
"""
from agent.nodes.explain import explain
from agent.nodes.ground import ground
from agent.nodes.interpret import interpret
from agent.nodes.respond import respond
from agent.nodes.segment import segment
from agent.nodes.select import select

__all__ = ["interpret", "ground", "segment", "select", "explain", "respond"]

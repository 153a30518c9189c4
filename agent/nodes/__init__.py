"""Graph nodes: plain functions `node(state, runtime) -> partial state update`.

A typed turn: attach_image -> interpret -> ground -> segment -> select -> explain -> respond; a click turn:
attach_image -> segment_points -> respond; a recall turn: attach_image -> recall_mask -> respond; evaluation's
reference turns: attach_image -> reference_history (messages only) (graphs.turn_graph wires them). `respond` alone
writes turn records and the intent memory. Heavy objects come in the `AgentRuntime` (agent.nodes.runtime), from the
run's LangGraph context (agent.nodes.context), never in state.
"""
from agent.nodes.explain import explain
from agent.nodes.ground import ground
from agent.nodes.interpret import interpret
from agent.nodes.points import segment_points
from agent.nodes.recall import recall_mask
from agent.nodes.reference_history import reference_history
from agent.nodes.respond import respond
from agent.nodes.segment import segment
from agent.nodes.select import select

__all__ = ["interpret", "ground", "segment", "select", "explain", "respond", "segment_points", "recall_mask",
           "reference_history"]

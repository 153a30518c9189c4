"""reference_history: evaluation's reference turns, written into the dialogue without running them.

Input: state["action"], one of
  {"kind": "given", "text": user words, "answer": the reference answer}   a whole exchange (evals' --history closing)
  {"kind": "reference_answer", "answer": str}                             the last answer replaced (--history gold)
Output: the messages only (the planner reads them on later turns); no turn record, no intent memory, no turn count:
those stay as the agent's own turns left them. The graph routes here from attach_image and ends.
"""
from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from agent.errors import TurnError
from agent.state import AgentState

REFERENCE_KINDS = ("given", "reference_answer")


def reference_history(state: AgentState, runtime: object) -> AgentState:
    action = state.get("action") or {}
    answer = str(action.get("answer") or "")
    if action.get("kind") == "given":
        messages = [HumanMessage(content=str(action.get("text") or "")), AIMessage(content=answer)]
    elif action.get("kind") == "reference_answer":
        last = next((m for m in reversed(state.get("messages") or []) if isinstance(m, AIMessage)), None)
        if last is None:  # nothing answered yet: nothing to replace
            return {"action": None}
        messages = [AIMessage(content=answer, id=last.id)]  # same id: add_messages replaces it
    else:
        raise TurnError(f"reference_history got action {action.get('kind')!r}")
    return {"messages": messages, "action": None}

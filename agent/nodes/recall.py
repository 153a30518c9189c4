"""recall_mask: a recall turn. The mask of an earlier turn becomes the current target again.

Input: state["action"] = {"kind": "recall", "turn": N, "text": optional user words}. Output: the HumanMessage
("the mask from turn N" unless the user's words are given), the earlier turn's intent (a `new_target` when it
was a correction or a question, so the recalled mask is a pick of its own), the Choice holding the earlier RLE,
the answer and the timings; `respond` records the turn. TurnError (one line) when turn N has no mask.
"""
from __future__ import annotations

import time

from langchain_core.messages import HumanMessage
from langgraph.types import Overwrite

from agent.choice import make_choice
from agent.errors import TurnError
from agent.explain import explain_mask, mask_facts
from agent.memory import record_of_turn, target_mask, turn_reference
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState
from tools.masks import bbox


def recall_mask(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t0 = time.perf_counter()
    action = state.get("action") or {}
    turn = int(action.get("turn", 0))
    record = record_of_turn(state.get("memory"), turn_reference(turn))
    if record is None or not record.get("rle"):
        done = int(state.get("turn", 0))
        raise TurnError(f"turn {turn} has no mask to go back to" if 1 <= turn <= done else
                        f"there is no turn {turn} (this conversation has {done} turn{'s' if done != 1 else ''})")
    mask = target_mask(record)
    vision = runtime.cache.get(state.get("image"))
    phrase = record.get("phrase") or f"the mask from turn {turn}"
    evidence = [f"the mask from turn {turn}, as you asked"]
    facts = mask_facts(mask, vision.image.pixels if vision is not None else None)
    answer = f"Back to turn {turn}'s target. " + explain_mask(phrase, facts, evidence)
    intent = {**(record.get("intent") or {}), "target": phrase}
    if intent.get("kind") in (None, "correct", "answer_only"):  # the recalled mask is a pick of its own now
        intent["kind"] = "new_target"
    region_id = record.get("region_id") or f"turn:{turn}"
    chosen = make_choice(region_id, rle=record["rle"], box=record.get("box") or bbox(mask), score=1.0,
                         confidence=1.0, evidence=evidence, source=record.get("source"),
                         attributes=record.get("attributes"), text=record.get("text_read"))
    user = action.get("text") or f"the mask from turn {turn}"
    return {"messages": [HumanMessage(content=user)], "intent": intent, "chosen": chosen, "answer": answer,
            "planner_fallback": None, "candidates": [], "timings": Overwrite({"select": time.perf_counter() - t0})}

"""respond: append the AI message and the turn record, update the intent memory, clear transient fields.

Writes only this turn's additions: one AIMessage, one TurnRecord, and (unless the turn only answered, or found
nothing in its image) the one TargetRecord that becomes the current target (agent.channels folds it into the memory).
"""
from __future__ import annotations

import time
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from agent.memory import current_target
from agent.state import AgentState


def _last_user_text(state: AgentState) -> str:
    for m in reversed(state.get("messages", [])):
        if isinstance(m, HumanMessage):
            return str(m.content)
    return ""


def respond(state: AgentState, runtime: Any) -> AgentState:
    t = time.perf_counter()
    intent = state.get("intent") or {}
    chosen = state.get("chosen")
    turn = int(state.get("turn", 0)) + 1
    answer = state.get("answer") or ""
    previous = current_target(state.get("memory")) or {}
    update: AgentState = {}
    evidence = list((chosen or {}).get("evidence", []))
    keeps_target = not chosen and state.get("image")  # nothing found in the photo: the current target stays
    if intent.get("kind") != "answer_only" and not keeps_target:
        record = {"turn": turn, "kind": intent.get("kind"), "phrase": intent.get("target"),
                  "category": intent.get("category") or previous.get("category"), "text_cue": intent.get("text_cue"),
                  "part": intent.get("part"), "region_id": None, "box": None, "rle": None, "attributes": {},
                  "source": None, "evidence": evidence, "rejected": [],
                  "intent": {k: v for k, v in intent.items() if v not in (None, [], "")}}
        if chosen:
            record.update(region_id=chosen["id"], box=chosen["box"], rle=chosen["rle"], source=chosen.get("source"),
                          attributes=chosen.get("attributes") or {}, text_read=chosen.get("text"))
            if intent.get("kind") == "correct":
                record["rejected"] = [*previous.get("rejected", []), *([previous["region_id"]] if previous.get("region_id") else [])]
        update["memory"] = record
    timings = {k: round(v, 4) for k, v in (state.get("timings") or {}).items()}
    timings["respond"] = round(time.perf_counter() - t, 4)
    result = {"turn": turn, "user": _last_user_text(state), "answer": answer, "intent": intent,
              "target": intent.get("target"), "rle": (chosen or {}).get("rle"), "box": (chosen or {}).get("box"),
              "score": (chosen or {}).get("score"), "confidence": (chosen or {}).get("confidence"),
              "evidence": evidence, "planner_fallback": state.get("planner_fallback"), "timings": timings}
    return {**update, "messages": [AIMessage(content=answer)], "results": [result], "turn": turn, "intent": None,
            "candidates": [], "chosen": None, "action": None, "answer": None}

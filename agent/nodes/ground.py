"""ground: the grounders the intent calls for produce ranked candidate records (masks stay in the cache)."""
from __future__ import annotations

import time

from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState
from agent.candidates import count_matching, gather

MAX_CANDIDATES = 12
COUNTED_QUESTIONS = ("count", "exists")


def ground(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    vision = runtime.cache.get(state.get("image"))
    intent = state["intent"]
    if vision is None:
        return {"candidates": [], "timings": {"ground": time.perf_counter() - t}}
    if intent["kind"] == "answer_only":  # only a count or "is there ...?" needs a search
        hits = count_matching(intent, vision, runtime)[1] if intent.get("question") in COUNTED_QUESTIONS else []
        return {"candidates": hits, "timings": {"ground": time.perf_counter() - t}}
    candidates = gather(intent, state.get("memory") or {}, vision, runtime, int(state.get("turn", 0)) + 1)
    return {"candidates": candidates[:MAX_CANDIDATES], "timings": {"ground": time.perf_counter() - t}}

"""interpret: the planner reads the current user turn into an Intent (rule planner on failure)."""
from __future__ import annotations

import time

from langgraph.types import Overwrite

from agent.memory import dialogue, planner_view
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState
from agent.planners.base import ImageFacts, PlannerContext


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}".rstrip(": ")


def planner_context(state: AgentState, runtime: AgentRuntime) -> PlannerContext:
    """The JSON-safe view a planner gets: dialogue, memory without RLEs, known image facts."""
    image = state.get("image")
    facts: ImageFacts = {}
    if image:
        facts = {"width": image["width"], "height": image["height"]}
        vision = runtime.cache.get(image)
        if vision is not None and runtime.planner is not runtime.fallback_planner:
            # a model planner reads what is in the image before it plans, on the first turn too: the detector's
            # confident boxes are cheap (one pass per image); proposals only once a turn has computed them
            from agent.candidates.category import MIN_SCORE
            facts["detections"] = [d.to_record() for d in runtime.all_detections(vision) if d.score >= MIN_SCORE][:40]
        if vision is not None and vision.proposals:
            facts["regions"] = [r.to_record() for r in vision.proposals[:40]]
    return PlannerContext(dialogue=dialogue(state.get("messages", [])), memory=planner_view(state.get("memory")),
                          image_facts=facts, image_path=(image or {}).get("path"))


def interpret(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    context = planner_context(state, runtime)
    fallback = None
    try:
        intent = runtime.planner.interpret(context)
    except Exception as exc:  # any backend failure: the rule planner stands in, and we say so
        if runtime.planner is runtime.fallback_planner:
            raise
        fallback = _one_line(exc)
        runtime.say(f"planner failed ({fallback}); using the rule-based planner")
        intent = runtime.fallback_planner.interpret(context)
    runtime.say(f"intent: {intent.kind} -> {intent.target}")
    return {"intent": intent.to_record(), "planner_fallback": fallback, "candidates": [], "chosen": None,
            "answer": None, "timings": Overwrite({"interpret": time.perf_counter() - t})}

"""select: pick the target among the candidates (planner override, plural union, clarifying interrupt)."""
from __future__ import annotations

import re
import time

import numpy as np
from langgraph.types import interrupt

from agent.candidates.correct import repeated_search, same_as_record
from agent.candidates.held import held_answer, held_phrase_parts
from agent.candidates.record import candidate_mask
from agent.choice import make_choice
from agent.explain import what_answer
from agent.intent import Intent
from agent.memory import current_target, excluded_ids
from agent.nodes.interpret import planner_context
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState, Candidate, ClarifyingQuestion, IntentRecord
from tools.masks import position_words

AMBIGUITY_MARGIN = 0.1
ORDINALS = {"first": 0, "1": 0, "one": 0, "second": 1, "2": 1, "two": 1, "other": 1, "third": 2, "3": 2, "three": 2}


def _plural(intent: IntentRecord) -> bool:
    return intent["kind"] == "filter_attribute" and bool(re.search(r"\b(ones|all|things|objects|items)\b|s$", intent.get("target", "")))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum()) / max(float((a | b).sum()), 1.0)


def _clarify(options: list[Candidate], width: int, height: int, phrase: str) -> tuple[str, ClarifyingQuestion]:
    words = [position_words(o["box"], width, height) for o in options]
    question = (f"I see {len(options)} candidates for {phrase}: " +
                ", ".join(f"({i + 1}) the one in the {w}" for i, w in enumerate(words)) + ". Which one do you mean?")
    return question, {"question": question, "options": [{"id": o["id"], "position": w, "box": o["box"]}
                                                         for o, w in zip(options, words)]}


def _resolve(reply: str, payload: ClarifyingQuestion) -> int:
    low = str(reply).lower()
    for i, o in enumerate(payload["options"]):
        if o["position"] in low:
            return i
    for word, idx in ORDINALS.items():
        if re.search(rf"\b{word}\b", low) and idx < len(payload["options"]):
            return idx
    return 0


def _rejected(mask: np.ndarray, c: Candidate, memory, intent: IntentRecord, vision) -> bool:
    """Whether a correction's candidate is a pick the user rejected: the current target (same_as_record) or, unless
    the correction named a new cue, a mask rejected before it (IoU > 0.5). A box unlike the rejected pick's can
    still give the rejected mask, which only the masks show."""
    if same_as_record(c, current_target(memory), vision):
        return True
    repeat = repeated_search(intent, memory)
    if repeat is not None and repeat[2]:
        return False
    earlier = [vision.masks.get(i) for i in excluded_ids(memory)] if vision is not None else []
    return any(m is not None and m.shape == mask.shape and _iou(m, mask) > 0.5 for m in earlier)


def mask_quality(candidate: Candidate, confidence: float) -> float:
    """The chosen mask's score in [0, 1]: the segmenter's predicted IoU when known, else the detector's score,
    else the turn's confidence (a candidate's ranking score is no probability and is never reported)."""
    for key in ("mask_score", "detector_score"):
        if candidate.get(key) is not None:
            return min(max(float(candidate[key]), 0.0), 1.0)
    return min(max(confidence, 0.0), 1.0)


def select(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    vision = runtime.cache.get(state.get("image"))
    intent = state["intent"]
    masks = {c["id"]: candidate_mask(c, vision) for c in state.get("candidates") or []}
    candidates = [c for c in state.get("candidates") or [] if masks[c["id"]] is not None]
    if intent.get("kind") == "correct" or intent.get("exclude_previous"):
        candidates = [c for c in candidates if not _rejected(masks[c["id"]], c, state.get("memory"), intent, vision)]
    if not candidates:
        return {"chosen": None, "timings": {"select": time.perf_counter() - t}}
    order = list(range(len(candidates)))
    try:
        picked = runtime.planner.select(planner_context(state, runtime), Intent.from_record(intent), candidates)
    except Exception:  # a planner's selection is advisory: keep the agent's ranking
        picked = None
    by_id = {c["id"]: i for i, c in enumerate(candidates)}
    if picked:
        first = [by_id[p] for p in picked if p in by_id]
        order = first + [i for i in order if i not in first]
    top = candidates[order[0]]
    mask = masks[top["id"]].copy()
    chosen_ids = [top["id"]]
    if top.get("group"):  # a plural request over one category's detections: every instance joins
        for i in order[1:]:
            c = candidates[i]
            if c.get("group") == top["group"] and _iou(masks[c["id"]], mask) < 0.5:
                mask |= masks[c["id"]]
                chosen_ids.append(c["id"])
    elif _plural(intent):
        for i in order[1:]:
            c = candidates[i]
            if c["score"] >= top["score"] - 0.75 and not c.get("low_confidence") and not c["attributes"].get("composite"):
                m = masks[c["id"]]
                if _iou(m, mask) < 0.5 and float((m & mask).sum()) < 0.5 * float(m.sum()):
                    mask |= m
                    chosen_ids.append(c["id"])
    elif runtime.interrupt_on_ambiguity and len(order) > 1 and intent["kind"] != "refine_part":
        second = candidates[order[1]]
        tied = bool(top.get("tied") and second.get("tied")) or top["score"] - second["score"] < AMBIGUITY_MARGIN
        if tied and _iou(masks[second["id"]], mask) < 0.5 and not top.get("low_confidence"):
            question, payload = _clarify([top, second], vision.image.width, vision.image.height, intent["target"])
            reply = interrupt(payload)
            top = [top, second][_resolve(reply, payload)]
            mask = masks[top["id"]].copy()
            chosen_ids = [top["id"]]
    low = bool(top.get("low_confidence"))
    confidence = float(intent.get("confidence", 1.0)) * (0.4 if low else 1.0)
    if len(order) > 1 and not _plural(intent) and not top.get("group"):
        confidence *= 0.75 if top["score"] - candidates[order[1]]["score"] < AMBIGUITY_MARGIN else 1.0
    chosen = make_choice(top["id"], mask, ids=chosen_ids, score=round(mask_quality(top, confidence), 4),
                         confidence=round(confidence, 3), evidence=list(top.get("evidence", [])),
                         label=top.get("label"), source=top.get("source"), attributes=top.get("attributes", {}),
                         text=top.get("text"), low_confidence=low)
    if len(chosen_ids) > 1 and not top.get("group"):
        chosen["evidence"].append(f"union of {len(chosen_ids)} matching regions")
    update: AgentState = {"chosen": chosen, "timings": {"select": time.perf_counter() - t}}
    asked = str(intent.get("target"))
    if intent.get("relation") and top.get("label") and asked.startswith("what "):  # "what is she holding?" -> "the book"
        ranked = [candidates[i] for i in order]
        if intent["relation"] == "held_by":
            who, verb = held_phrase_parts(asked)
            chosen["answer_lead"] = held_answer(who, verb, top, ranked)
        else:  # "what is on the plate" -> "On the plate there is a sandwich (detector 0.61)."
            where = asked.removeprefix("what is ").removeprefix("what ")
            chosen["answer_lead"] = what_answer(f"{where[:1].upper()}{where[1:]} there is", top, ranked)
        update["intent"] = {**intent, "target": f"the {top['label']}", "category": top["label"]}
    elif intent.get("question") == "describe" and top.get("label") and "detector_score" in top and \
            str(top["label"]) not in asked:  # "what fruit is in front of him?" -> "It is a banana (detector 0.62)."
        chosen["answer_lead"] = what_answer("It is", top, [candidates[i] for i in order])
    elif intent.get("question") == "describe" and intent["kind"] == "filter_attribute" and "detector_score" not in top:
        chosen["answer_lead"] = what_answer("It is", top, [])  # "whats the white stuff": a region nothing names
    return update

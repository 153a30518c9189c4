"""segment: candidates that only have a box (detector / OCR hits) get a mask from the segmenter's box prompt
(AgentRuntime.box_prompt_masks: once per detection and image)."""
from __future__ import annotations

import time

from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState


# a plural request ("the bottles on the shelf") joins every member of its group; at most this many are prompted
MAX_GROUP_PROMPTS = 40


def boxes_to_prompt(candidates: list[dict], limit: int) -> list[dict]:
    """The candidates that need a mask and get one this turn: the first `limit` of them, plus the other members of
    their groups (a plural request answers with all of a group, so none may be left without a mask), at most
    MAX_GROUP_PROMPTS in all."""
    waiting = [c for c in candidates if c.get("needs_mask")]
    todo = waiting[:limit]
    groups = {c["group"] for c in todo if c.get("group")}
    members = [c for c in waiting[limit:] if c.get("group") in groups]
    return todo + members[: max(0, MAX_GROUP_PROMPTS - len(todo))]


def segment(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    vision = runtime.cache.get(state.get("image"))
    candidates = [dict(c) for c in state.get("candidates") or []]
    known = [c for c in candidates if c.get("needs_mask") and vision is not None and c["id"] in vision.masks]
    for c in known:  # segmented on an earlier turn (detections keep their ids per image)
        c["needs_mask"] = False
        if c["id"] in vision.mask_scores:
            c["mask_score"] = vision.mask_scores[c["id"]]
    todo = boxes_to_prompt(candidates, runtime.max_box_prompts)
    if vision is not None and todo:
        masks = runtime.box_prompt_masks(vision, {c["id"]: c["box"] for c in todo})
        for c in todo:
            c["needs_mask"] = False
            score = masks[c["id"]][1]
            if score is not None:
                c["mask_score"] = score
                c["evidence"] = [*c.get("evidence", []), f"mask from a box prompt (predicted IoU {score:.2f})"]
    candidates = [c for c in candidates if not c.get("needs_mask")]
    return {"candidates": candidates, "timings": {"segment": time.perf_counter() - t}}

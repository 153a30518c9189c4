"""segment: candidates that only have a box (detector / OCR hits) get a mask from the segmenter's box prompt."""
from __future__ import annotations

import time

import numpy as np

from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState


def box_mask(box: list[float], height: int, width: int) -> np.ndarray:
    """A filled rectangle (used when no segmenter is configured)."""
    m = np.zeros((height, width), bool)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    m[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
    return m


def segment(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    vision = runtime.cache.get(state.get("image"))
    candidates = [dict(c) for c in state.get("candidates") or []]
    known = [c for c in candidates if c.get("needs_mask") and vision is not None and c["id"] in vision.masks]
    for c in known:  # segmented on an earlier turn (detections keep their ids per image)
        c["needs_mask"] = False
        if c["id"] in vision.mask_scores:
            c["mask_score"] = vision.mask_scores[c["id"]]
    todo = [c for c in candidates if c.get("needs_mask")][: runtime.max_box_prompts]
    if vision is not None and todo:
        h, w = vision.image.height, vision.image.width
        if runtime.segmenter is not None:
            runtime.say(f"segmenting {len(todo)} box prompt(s)")
            embedding = runtime.embedding(vision)
            result = runtime.segmenter.segment(embedding, boxes=np.array([c["box"] for c in todo], dtype=np.float32),
                                               multimask=True)
            masks, scores = result.best()
            for c, m, s in zip(todo, masks, np.clip(scores, 0.0, 1.0)):
                vision.masks[c["id"]] = np.asarray(m, bool)
                c["needs_mask"] = False
                c["mask_score"] = vision.mask_scores[c["id"]] = round(float(s), 4)
                c["evidence"] = [*c.get("evidence", []), f"mask from a box prompt (predicted IoU {float(s):.2f})"]
        else:
            for c in todo:
                vision.masks[c["id"]] = box_mask(c["box"], h, w)
                c["needs_mask"] = False
    candidates = [c for c in candidates if not c.get("needs_mask")]
    return {"candidates": candidates, "timings": {"segment": time.perf_counter() - t}}

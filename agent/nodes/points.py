"""segment_points: a click turn. SAM point prompts on the cached embedding refine the current target.

Input: state["action"] = {"kind": "click", "points": [[x, y], ...] (image pixels), "labels": [1 add | 0 remove],
"text": optional user words}. Output, like a typed turn's interpret..explain: the HumanMessage describing the
click, an intent (a `new_target` of the previous target's phrase and category, so a later "no, the other one"
repeats that search, carrying `points`, `point_labels` and `base_box`: the target's box before the first click,
which later clicks prompt with again), the Choice, the answer and the timings; `respond` records the turn.

Prompting: the segmenter decodes the points alone and, when there is a previous target, the points with its
box grown to hold the positive points (multimask both); with a positive click outside the previous mask, the
previous mask joined with the points-only mask is a third candidate. The pick maximises predicted IoU plus
0.3 x the share of the previous mask kept, minus 1 for every positive point outside and every negative point
inside the mask.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np
from langchain_core.messages import HumanMessage
from langgraph.types import Overwrite

from agent.choice import make_choice
from agent.errors import TurnError
from agent.explain import change_from, explain_mask, mask_facts
from agent.memory import current_target, target_mask
from agent.nodes.runtime import AgentRuntime
from agent.state import AgentState

CLICK_SOURCE = "clicks"
KEEP_WEIGHT = 0.3       # weight of the share of the previous mask a candidate keeps
BOX_MARGIN = 0.02       # the prompt box grows by this share of the image around positive points outside it


def check_points(points: Sequence, labels: Sequence, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(points float32 (N, 2), labels int64 (N,)); TurnError (one line) for a bad click."""
    pts = np.asarray(points, np.float32).reshape(-1, 2)
    lab = np.asarray(labels, np.int64).reshape(-1)
    if pts.shape[0] == 0 or pts.shape[0] != lab.shape[0]:
        raise TurnError(f"give one label per point ({pts.shape[0]} points, {lab.shape[0]} labels)")
    if not np.isin(lab, (0, 1)).all():
        raise TurnError("point labels must be 1 (add) or 0 (remove)")
    if not (lab == 1).any():
        raise TurnError("a click refinement needs at least one positive (add) point")
    if not np.isfinite(pts).all() or (pts < 0).any() or (pts[:, 0] >= width).any() or (pts[:, 1] >= height).any():
        raise TurnError(f"click points must lie inside the {width}x{height} image")
    return pts, lab


def _prompt_box(base_box: list[float] | None, pts: np.ndarray, lab: np.ndarray, width: int, height: int):
    if not base_box:
        return None
    x0, y0, x1, y1 = (float(v) for v in base_box)
    m = BOX_MARGIN * max(width, height)
    for (x, y) in pts[lab == 1]:
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            x0, y0, x1, y1 = min(x0, x - m), min(y0, y - m), max(x1, x + m), max(y1, y + m)
    return np.array([max(0.0, x0), max(0.0, y0), min(width - 1.0, x1), min(height - 1.0, y1)], np.float32)


def _violations(mask: np.ndarray, pts: np.ndarray, lab: np.ndarray) -> int:
    inside = mask[pts[:, 1].astype(int), pts[:, 0].astype(int)]
    return int(((lab == 1) & ~inside).sum() + ((lab == 0) & inside).sum())


def _candidates(segmenter: Any, embedding: Any, pts: np.ndarray, lab: np.ndarray, box, previous: np.ndarray | None):
    """[(mask, predicted IoU, how)]: points alone, points + box, previous mask + points-only mask."""
    out = []
    result = segmenter.segment(embedding, points=pts[None], point_labels=lab[None], multimask=True)
    for k in range(result.masks.shape[1]):
        out.append((result.masks[0, k], float(result.scores[0, k]), "point prompts"))
    if box is not None:
        result = segmenter.segment(embedding, boxes=box[None], points=pts[None], point_labels=lab[None],
                                   multimask=True)
        for k in range(result.masks.shape[1]):
            out.append((result.masks[0, k], float(result.scores[0, k]), "point prompts inside the previous box"))
    last = len(lab) - 1
    if previous is not None and lab[last] == 1 and not previous[int(pts[last, 1]), int(pts[last, 0])]:
        points_only = [c for c in out if c[2] == "point prompts"]
        mask, score, _ = max(points_only, key=lambda c: c[1])
        out.append((previous | mask, score, "the previous mask joined with the clicked region"))
    return out


def _pick(cands, pts: np.ndarray, lab: np.ndarray, previous: np.ndarray | None):
    def value(c):
        mask, score, _ = c
        keep = float((mask & previous).sum()) / max(float(previous.sum()), 1.0) if previous is not None else 0.0
        return score + KEEP_WEIGHT * keep - _violations(mask, pts, lab) - (0.0 if mask.any() else 10.0)

    return max(cands, key=value)


def describe_click(pts: np.ndarray, lab: np.ndarray, phrase: str) -> str:
    """The user line a click turn records: "[click] add (312, 240) to the red mug"."""
    x, y = (int(round(v)) for v in pts[-1])
    verb = f"add ({x}, {y}) to" if lab[-1] == 1 else f"remove ({x}, {y}) from"
    return f"[click] {verb} {phrase}"


def segment_points(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t0 = time.perf_counter()
    action = state.get("action") or {}
    vision = runtime.cache.get(state.get("image"))
    if vision is None or runtime.segmenter is None:
        raise TurnError("click refinement needs an image and a segmenter")
    image = vision.image
    pts, lab = check_points(action.get("points", []), action.get("labels", []), image.width, image.height)
    cur = current_target(state.get("memory")) or {}
    previous = target_mask(cur)
    base_box = (cur.get("intent") or {}).get("base_box") if cur.get("source") == CLICK_SOURCE else cur.get("box")
    phrase = cur.get("phrase") or "the clicked region"
    box = _prompt_box(base_box, pts, lab, image.width, image.height)
    cands = _candidates(runtime.segmenter, runtime.embedding(vision), pts, lab, box, previous)
    mask, score, how = _pick(cands, pts, lab, previous)
    t_segment = time.perf_counter() - t0
    n_add, n_remove = int((lab == 1).sum()), int((lab == 0).sum())
    evidence = [f"{n_add} add click{'s' if n_add != 1 else ''}" + (f", {n_remove} remove" if n_remove else ""),
                f"mask from {how} (predicted IoU {score:.2f})"]
    misses = _violations(mask, pts, lab)
    if misses:
        evidence.append(f"{misses} click{'s' if misses != 1 else ''} not honoured by any mask")
    facts = mask_facts(mask, image.pixels)
    answer = explain_mask(phrase, facts, evidence)
    change = change_from(previous, mask)
    if change:
        answer += (f" Changed from turn {cur.get('turn')}'s mask: {100 * change['of_previous']:.0f}% of its size, "
                   f"overlap {100 * change['iou']:.0f}% (IoU).")
    intent = {"kind": "new_target", "target": phrase, "category": cur.get("category"), "wants_mask": True,
              "confidence": 1.0, "points": pts.round(1).tolist(), "point_labels": lab.tolist(),
              "base_box": [float(v) for v in base_box] if base_box else None}
    turn = int(state.get("turn", 0)) + 1
    attributes = {k: facts[k] for k in ("box", "area", "area_fraction", "position", "size", "colors", "shape")
                  if k in facts}
    chosen = make_choice(f"click:{turn}", mask, score=round(min(max(score, 0.0), 1.0), 4), confidence=1.0,
                         evidence=evidence, source=CLICK_SOURCE, attributes=attributes)
    user = action.get("text") or describe_click(pts, lab, phrase)
    timings = {"segment": t_segment, "select": 0.0, "explain": time.perf_counter() - t0 - t_segment}
    return {"messages": [HumanMessage(content=user)], "intent": intent, "chosen": chosen, "answer": answer,
            "planner_fallback": None, "candidates": [], "timings": Overwrite(timings)}

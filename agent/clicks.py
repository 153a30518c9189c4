"""Refine the current target by clicking: SAM point prompts on the cached embedding, recorded as a turn.

    r = refine_by_points(session, [(312, 240)], [1])   # TurnResult, like Session.ask (mask, text, extra["rle"])
    r = add_click(session, 330, 260, positive=False)   # the current click target's points plus this one
    r = recall_turn(session, 2)                        # "the mask from turn 2" becomes the current target again

A click turn is a turn like any other: one HumanMessage describing the click, one AIMessage with the
explanation, one TurnRecord in `results` and the new TargetRecord in `memory`, all written by the graph's own
`respond` node function in one `update_state` (so `Session.undo` removes it and a later "what colour is it?"
answers about the clicked mask). Its intent record is a `new_target` of the previous target's phrase and
category (a later "no, the other one" repeats that search) carrying the prompt: `points`, `point_labels`, and
`base_box`, the box of the target before the first click (later clicks prompt with it again).

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

from agent.explain import change_from, explain_mask, mask_facts
from agent.memory import current_target, record_of_turn, target_mask, turn_reference
from agent.nodes.respond import respond
from agent.session import TurnError
from tools.masks import bbox, encode_rle
from tools.system import TurnResult

CLICK_SOURCE = "clicks"
KEEP_WEIGHT = 0.3       # weight of the share of the previous mask a candidate keeps
BOX_MARGIN = 0.02       # the prompt box grows by this share of the image around positive points outside it


def _values(session: Any) -> dict[str, Any]:
    return session.graph.get_state(session.config).values or {}


def _ready(session: Any) -> dict[str, Any]:
    """The thread's values at its last finished turn (a crashed or interrupted turn is dropped first)."""
    snap = session.graph.get_state(session.config)
    if snap.next or snap.interrupts:
        session._rollback_to(int(snap.values.get("turn", 0)))
        snap = session.graph.get_state(session.config)
    return snap.values or {}


def click_points(session: Any) -> tuple[list[list[float]], list[int]]:
    """(points, labels) of the current target when clicks made it, else ([], [])."""
    cur = current_target(_values(session).get("memory")) or {}
    if cur.get("source") != CLICK_SOURCE:
        return [], []
    intent = cur.get("intent") or {}
    return [list(p) for p in intent.get("points", [])], [int(v) for v in intent.get("point_labels", [])]


def _check_points(points: Sequence, labels: Sequence, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
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


def _candidates(session: Any, pts: np.ndarray, lab: np.ndarray, box, previous: np.ndarray | None):
    """[(mask, predicted IoU, how)]: points alone, points + box, previous mask + points-only mask."""
    vision = session.runtime.cache.get(session.image_ref)
    embedding = session.runtime.embedding(vision)
    seg = session.runtime.segmenter
    out = []
    result = seg.segment(embedding, points=pts[None], point_labels=lab[None], multimask=True)
    for k in range(result.masks.shape[1]):
        out.append((result.masks[0, k], float(result.scores[0, k]), "point prompts"))
    if box is not None:
        result = seg.segment(embedding, boxes=box[None], points=pts[None], point_labels=lab[None], multimask=True)
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


def _describe_click(pts: np.ndarray, lab: np.ndarray, phrase: str) -> str:
    x, y = (int(round(v)) for v in pts[-1])
    verb = f"add ({x}, {y}) to" if lab[-1] == 1 else f"remove ({x}, {y}) from"
    return f"[click] {verb} {phrase}"


def record_turn(session: Any, user_text: str, intent: dict[str, Any], chosen: dict[str, Any] | None, answer: str,
                timings: dict[str, float], t0: float) -> TurnResult:
    """Write one finished turn through the graph's `respond` node (HumanMessage, AIMessage, TurnRecord, memory)
    in a single checkpoint, and return it as a TurnResult."""
    values = _ready(session)
    state = {**values, "intent": intent, "chosen": chosen, "answer": answer, "planner_fallback": None,
             "messages": [HumanMessage(content=user_text)], "timings": timings}
    update = respond(state, session.runtime)
    update["messages"] = [HumanMessage(content=user_text), *update["messages"]]
    session.graph.update_state(session.config, update, as_node="respond")
    return session._result(update["results"][-1], time.perf_counter() - t0)


def refine_by_points(session: Any, points: Sequence, labels: Sequence, user_text: str | None = None) -> TurnResult:
    """Re-segment the current target from click points (x, y in image pixels; label 1 add, 0 remove), on the
    cached embedding, and record the result as a turn. TurnError (one line) for bad points or no image."""
    t0 = time.perf_counter()
    if session.image is None or session.runtime.segmenter is None:
        raise TurnError("click refinement needs an image and a segmenter")
    pts, lab = _check_points(points, labels, session.image.width, session.image.height)
    values = _ready(session)
    cur = current_target(values.get("memory")) or {}
    previous = target_mask(cur)
    base_box = (cur.get("intent") or {}).get("base_box") if cur.get("source") == CLICK_SOURCE else cur.get("box")
    phrase = cur.get("phrase") or "the clicked region"
    t = time.perf_counter()
    box = _prompt_box(base_box, pts, lab, session.image.width, session.image.height)
    mask, score, how = _pick(_candidates(session, pts, lab, box, previous), pts, lab, previous)
    t_segment = time.perf_counter() - t
    n_add, n_remove = int((lab == 1).sum()), int((lab == 0).sum())
    evidence = [f"{n_add} add click{'s' if n_add != 1 else ''}" + (f", {n_remove} remove" if n_remove else ""),
                f"mask from {how} (predicted IoU {score:.2f})"]
    misses = _violations(mask, pts, lab)
    if misses:
        evidence.append(f"{misses} click{'s' if misses != 1 else ''} not honoured by any mask")
    facts = mask_facts(mask, session.image.pixels)
    answer = explain_mask(phrase, facts, evidence)
    change = change_from(previous, mask)
    if change:
        answer += (f" Changed from turn {cur.get('turn')}'s mask: {100 * change['of_previous']:.0f}% of its size, "
                   f"overlap {100 * change['iou']:.0f}% (IoU).")
    intent = {"kind": "new_target", "target": phrase, "category": cur.get("category"), "wants_mask": True,
              "confidence": 1.0, "points": pts.round(1).tolist(), "point_labels": lab.tolist(),
              "base_box": [float(v) for v in base_box] if base_box else None}
    turn = int(values.get("turn", 0)) + 1
    attributes = {k: facts[k] for k in ("box", "area", "area_fraction", "position", "size", "colors", "shape") if k in facts}
    chosen = {"id": f"click:{turn}", "ids": [f"click:{turn}"], "box": bbox(mask), "rle": encode_rle(mask),
              "score": round(min(max(score, 0.0), 1.0), 4), "confidence": 1.0, "evidence": evidence, "label": None,
              "source": CLICK_SOURCE, "attributes": attributes, "text": None, "low_confidence": False}
    timings = {"segment": t_segment, "select": 0.0, "explain": time.perf_counter() - t - t_segment}
    return record_turn(session, user_text or _describe_click(pts, lab, phrase), intent, chosen, answer, timings, t0)


def add_click(session: Any, x: float, y: float, positive: bool = True) -> TurnResult:
    """One click on the image: the current click target's points plus (x, y), re-segmented and recorded."""
    points, labels = click_points(session)
    return refine_by_points(session, [*points, [float(x), float(y)]], [*labels, 1 if positive else 0])


def recall_turn(session: Any, turn: int, user_text: str | None = None) -> TurnResult:
    """Make the mask of an earlier turn the current target again, recorded as a turn ("the mask from turn 2")."""
    t0 = time.perf_counter()
    values = _ready(session)
    record = record_of_turn(values.get("memory"), turn_reference(int(turn)))
    if record is None or not record.get("rle"):
        done = int(values.get("turn", 0))
        raise TurnError(f"turn {turn} has no mask to go back to" if 1 <= int(turn) <= done else
                        f"there is no turn {turn} (this conversation has {done} turn{'s' if done != 1 else ''})")
    mask = target_mask(record)
    phrase = record.get("phrase") or f"the mask from turn {turn}"
    evidence = [f"the mask from turn {turn}, as you asked"]
    facts = mask_facts(mask, session.image.pixels if session.image is not None else None)
    answer = f"Back to turn {turn}'s target. " + explain_mask(phrase, facts, evidence)
    intent = {**(record.get("intent") or {}), "target": phrase}
    if intent.get("kind") in (None, "correct", "answer_only"):  # the recalled mask is a pick of its own now
        intent["kind"] = "new_target"
    chosen = {"id": record.get("region_id") or f"turn:{turn}", "ids": [record.get("region_id") or f"turn:{turn}"],
              "box": record.get("box") or bbox(mask), "rle": record["rle"], "score": 1.0, "confidence": 1.0,
              "evidence": evidence, "label": None, "source": record.get("source"),
              "attributes": record.get("attributes") or {}, "text": record.get("text_read"), "low_confidence": False}
    return record_turn(session, user_text or f"the mask from turn {turn}", intent, chosen, answer,
                       {"select": time.perf_counter() - t0}, t0)

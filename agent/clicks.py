"""Click and recall turns from code: each one is a graph turn (agent.nodes.points / agent.nodes.recall).

    r = refine_by_points(session, [(312, 240)], [1])   # TurnResult, like Session.ask (mask, text, extra["rle"])
    r = add_click(session, 330, 260, positive=False)   # the current click target's points plus this one
    r = recall_turn(session, 2)                        # "the mask from turn 2" becomes the current target again

A click turn is a turn like any other: one HumanMessage describing the click, one AIMessage with the
explanation, one TurnRecord in `results` and the new TargetRecord in `memory`, all written by the graph's
`respond` node (so `Session.undo` removes it and a later "what colour is it?" answers about the clicked mask).
A served-graph client sends the same turns as {"action": {"kind": "click", "points": ..., "labels": ...}} or
{"action": {"kind": "recall", "turn": N}}.
"""
from __future__ import annotations

from typing import Any, Sequence

from agent.errors import TurnError
from agent.memory import current_target
from agent.nodes.points import CLICK_SOURCE, check_points
from tools.system import TurnResult

__all__ = ["CLICK_SOURCE", "add_click", "click_points", "recall_turn", "refine_by_points"]


def click_points(session: Any) -> tuple[list[list[float]], list[int]]:
    """(points, labels) of the current target when clicks made it, else ([], [])."""
    cur = current_target(session.values().get("memory")) or {}
    if cur.get("source") != CLICK_SOURCE:
        return [], []
    intent = cur.get("intent") or {}
    return [list(p) for p in intent.get("points", [])], [int(v) for v in intent.get("point_labels", [])]


def refine_by_points(session: Any, points: Sequence, labels: Sequence, user_text: str | None = None) -> TurnResult:
    """Re-segment the current target from click points (x, y in image pixels; label 1 add, 0 remove), on the
    cached embedding, recorded as a turn. TurnError (one line) for bad points or no image; nothing is written."""
    if session.image is None or session.runtime.segmenter is None:
        raise TurnError("click refinement needs an image and a segmenter")
    pts, lab = check_points(points, labels, session.image.width, session.image.height)
    return session.act({"kind": "click", "points": pts.tolist(), "labels": lab.tolist(), "text": user_text})


def add_click(session: Any, x: float, y: float, positive: bool = True) -> TurnResult:
    """One click on the image: the current click target's points plus (x, y), re-segmented and recorded."""
    points, labels = click_points(session)
    return refine_by_points(session, [*points, [float(x), float(y)]], [*labels, 1 if positive else 0])


def recall_turn(session: Any, turn: int, user_text: str | None = None) -> TurnResult:
    """Make the mask of an earlier turn the current target again, recorded as a turn ("the mask from turn 2")."""
    return session.act({"kind": "recall", "turn": int(turn), "text": user_text})

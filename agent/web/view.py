"""One turn as the page shows it: the overlay picture (with the click points), the explanation, the evidence
(detector label, OCR text, relation) and the turn's timing, as plain values (no Gradio here).

`render_turn(image, record, target, clicks)` -> TurnView; `display_scale(width, height)` is the factor from image
pixels to the displayed overlay (large photos are shown at MAX_DISPLAY_SIDE px; clicks are mapped back).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.state import IntentRecord, TargetRecord, TurnRecord
from tools.masks import decode_rle

MAX_DISPLAY_SIDE = 1280
RELATION_WORDS = ("left of", "right of", "above", "below", "under", "inside", "contains", "next to", "overlaps")
ADD_COLOUR, REMOVE_COLOUR = (40, 220, 60), (235, 40, 40)


@dataclass
class TurnView:
    overlay: np.ndarray | None           # (h, w, 3) uint8 at display size
    info: str                            # markdown: turn, explanation, evidence, timing
    turn: int | None = None
    mask: np.ndarray | None = None       # bool (H, W) at image size, or None
    extra: dict[str, Any] = field(default_factory=dict)


def display_scale(width: int, height: int) -> float:
    return min(1.0, MAX_DISPLAY_SIDE / float(max(width, height)))


def _resize(pixels: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return pixels
    import cv2

    h, w = pixels.shape[:2]
    return cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def _draw_points(pixels: np.ndarray, points: list, labels: list, scale: float) -> np.ndarray:
    import cv2

    out = np.array(pixels, dtype=np.uint8, copy=True, order="C")
    r = max(4, round(max(out.shape[:2]) / 120))
    for (x, y), lab in zip(points, labels):
        c = (int(round(x * scale)), int(round(y * scale)))
        cv2.circle(out, c, r + 2, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(out, c, r, ADD_COLOUR if lab == 1 else REMOVE_COLOUR, -1, cv2.LINE_AA)
    return out


def overlay_image(pixels: np.ndarray, mask: np.ndarray | None, label: str | None = None,
                  points: list | None = None, labels: list | None = None) -> np.ndarray:
    """The display picture: the mask tinted over the image (render_overlay), scaled, click points drawn."""
    from tools.overlay import render_overlay

    scale = display_scale(pixels.shape[1], pixels.shape[0])
    if mask is not None and mask.any():
        if scale < 1.0:
            import cv2

            small = _resize(pixels, scale)
            m = cv2.resize(mask.astype(np.uint8), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
            out = render_overlay(small, [m], labels=[label or ""])
        else:
            out = render_overlay(pixels, [mask], labels=[label or ""])
    else:
        out = _resize(pixels, scale)
    return _draw_points(out, points, labels, scale) if points else out


def evidence_parts(evidence: list[str], intent: IntentRecord | None, text_read: str | None = None) -> dict[str, list[str]]:
    """The evidence sorted for display: detector, ocr, relation, other."""
    out: dict[str, list[str]] = {"detector": [], "ocr": [], "relation": [], "other": []}
    for item in evidence or []:
        s = str(item)
        if re.search(r"\(detector \d", s):
            out["detector"].append(s)
        elif s.startswith("OCR read") or "OCR" in s:
            out["ocr"].append(s)
        elif s.startswith(RELATION_WORDS):
            out["relation"].append(s)
        else:
            out["other"].append(s)
    if text_read and not out["ocr"]:
        out["ocr"].append(f"reads '{text_read}'")
    intent = intent or {}
    if intent.get("relation") and not out["relation"]:
        out["relation"].append(f"{intent['relation'].replace('_', ' ')} {intent.get('reference') or 'the previous target'}")
    return out


def _seconds(v: float) -> str:
    return f"{v:.2f} s" if v >= 0.01 else f"{1000 * v:.1f} ms"


def timing_line(timings: dict[str, float]) -> str:
    timings = timings or {}
    steps = ", ".join(f"{k} {_seconds(v)}" for k, v in timings.items() if k != "total" and not k.endswith("_once") and v)
    once = ", ".join(f"{k[:-5]} {_seconds(v)}" for k, v in timings.items() if k.endswith("_once"))
    total = timings.get("total")
    if total is None:  # a stored record keeps its stages only
        total = sum(float(v) for k, v in timings.items() if not k.endswith("_once"))
    line = f"total {_seconds(float(total))}" + (f" ({steps})" if steps else "")
    return line + (f"; once per image: {once}" if once else "")


def info_markdown(record: TurnRecord, text_read: str | None = None) -> str:
    """Markdown for one turn record: heading, explanation, evidence by kind, timing."""
    turn, target = record.get("turn"), record.get("target") or ""
    lines = [f"**Turn {turn}**" + (f" — {target}" if target else "") + (" (no mask: an answer)" if not record.get("rle") else ""),
             "", str(record.get("answer") or "")]
    parts = evidence_parts(record.get("evidence") or [], record.get("intent"), text_read)
    names = {"detector": "Detector", "ocr": "OCR text", "relation": "Relation", "other": "Evidence"}
    rows = [f"- **{names[k]}:** " + "; ".join(v) for k, v in parts.items() if v]
    if record.get("score") is not None and record.get("rle"):
        rows.append(f"- **Mask score:** {float(record['score']):.2f}")
    if record.get("planner_fallback"):
        rows.append(f"- **Planner fallback:** {record['planner_fallback']}")
    rows.append(f"- **Timing:** {timing_line(record.get('timings') or {})}")
    return "\n".join([*lines, "", *rows])


def render_turn(pixels: np.ndarray, record: TurnRecord | None, target: TargetRecord | None = None,
                text_read: str | None = None) -> TurnView:
    """The view of a finished turn. A turn without a mask (an answer) shows the current target `target`'s mask."""
    if record is None:
        return TurnView(overlay_image(pixels, None), "Ask about the image, or click on it to pick a region.")
    shown = record if record.get("rle") else (target or {})
    mask = decode_rle(shown["rle"]) if shown.get("rle") else None
    intent = shown.get("intent") or {}
    overlay = overlay_image(pixels, mask, shown.get("target") or shown.get("phrase"), intent.get("points"),
                            intent.get("point_labels"))
    return TurnView(overlay, info_markdown(record, text_read), int(record.get("turn", 0)), mask)

"""Parts of a person from body keypoints, cut to the person's mask: head, upper body, torso, arms, hands, legs,
feet, and the person's own left or right arm, hand, leg or foot.

`keypoint_part(part, keypoints, person)` takes a part name (PERSON_PARTS), keypoints float [17, 3] rows (x, y,
score) in pixels, the person's bool mask (H, W), and returns (bool mask (H, W), how it was made) or None when
the keypoints that part needs are not seen. Sizes scale with the shoulder width (or the torso length), so the
same rules hold for near and far people. Limbs are thick polylines along the bones; hands and feet are discs
past the wrists and ankles; the head is an ellipse around the face keypoints raised for the hair.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from tools.people.keypoints import KEYPOINTS

PART_KEYPOINT_SCORE = 0.2
SIDED = ("arm", "hand", "leg", "foot")
PERSON_PARTS = ("head", "upper body", "torso", "arms", "hands", "legs", "feet",
                *(f"{side} {p}" for side in ("left", "right") for p in SIDED))
_PLURAL = {"arm": "arms", "hand": "hands", "leg": "legs", "foot": "feet"}


def _pt(kps: np.ndarray, name: str) -> np.ndarray | None:
    row = kps[KEYPOINTS.index(name)]
    return row[:2].astype(np.float64) if row[2] >= PART_KEYPOINT_SCORE else None


def _scale(kps: np.ndarray) -> float | None:
    """The person's size in pixels: shoulder width, else half the torso length; None without shoulders."""
    ls, rs = _pt(kps, "left_shoulder"), _pt(kps, "right_shoulder")
    if ls is not None and rs is not None:
        width = float(np.linalg.norm(ls - rs))
        hips = [p for p in (_pt(kps, "left_hip"), _pt(kps, "right_hip")) if p is not None]
        if hips:  # a person seen side-on has narrow shoulders: the torso length bounds it from below
            width = max(width, 0.45 * float(np.linalg.norm((ls + rs) / 2 - np.mean(hips, axis=0))))
        return max(width, 4.0)
    return None


def _canvas(shape: tuple[int, int]) -> np.ndarray:
    return np.zeros(shape, np.uint8)


def _limb(kps: np.ndarray, side: str, names: tuple[str, ...], width: float, shape, extend: float = 0.0) -> np.ndarray | None:
    pts = [_pt(kps, f"{side}_{n}") for n in names]
    pts = [p for p in pts if p is not None]
    if len(pts) < 2:
        return None
    if extend:  # past the last joint: the hand beyond the wrist, the foot beyond the ankle
        pts.append(pts[-1] + extend * (pts[-1] - pts[-2]))
    canvas = _canvas(shape)
    cv2.polylines(canvas, [np.round(np.array(pts)).astype(np.int32)], False, 1, thickness=max(int(width), 3))
    return canvas.astype(bool)


def _disc(centre: np.ndarray, radius: float, shape) -> np.ndarray:
    canvas = _canvas(shape)
    cv2.circle(canvas, (int(round(centre[0])), int(round(centre[1]))), max(int(radius), 3), 1, thickness=-1)
    return canvas.astype(bool)


def _end(kps: np.ndarray, side: str, joint: str, parent: str, scale: float, shape, reach: float,
         size: float) -> np.ndarray | None:
    """A disc past `joint` along parent -> joint (hands past wrists, feet past ankles)."""
    j, p = _pt(kps, f"{side}_{joint}"), _pt(kps, f"{side}_{parent}")
    if j is None:
        return None
    bone = (j - p) if p is not None else np.array([0.0, scale])
    length = max(float(np.linalg.norm(bone)), 0.5 * scale)
    return _disc(j + reach * bone, size * length, shape)


def _head(kps: np.ndarray, scale: float, shape) -> np.ndarray | None:
    face = [p for p in (_pt(kps, n) for n in KEYPOINTS[:5]) if p is not None]
    if len(face) < 2:
        return None
    centre = np.mean(face, axis=0)
    spread = max(float(np.ptp(np.array(face)[:, 0])), 1.0)
    rx = max(0.65 * spread, 0.32 * scale)
    ry = 1.3 * rx
    canvas = _canvas(shape)
    cv2.ellipse(canvas, (int(centre[0]), int(centre[1] - 0.25 * ry)), (int(rx), int(ry)), 0, 0, 360, 1, -1)
    return canvas.astype(bool)


def _sided(part: str, kps: np.ndarray, scale: float, shape, side: str) -> np.ndarray | None:
    if part == "arm":
        return _limb(kps, side, ("shoulder", "elbow", "wrist"), 0.32 * scale, shape, extend=0.25)
    if part == "leg":
        return _limb(kps, side, ("hip", "knee", "ankle"), 0.5 * scale, shape, extend=0.1)
    if part == "hand":
        return _end(kps, side, "wrist", "elbow", scale, shape, reach=0.3, size=0.4)
    return _end(kps, side, "ankle", "knee", scale, shape, reach=0.15, size=0.35)


def _both(part: str, kps: np.ndarray, scale: float, shape) -> np.ndarray | None:
    pieces = [m for m in (_sided(part, kps, scale, shape, s) for s in ("left", "right")) if m is not None]
    return np.logical_or.reduce(pieces) if pieces else None


def _hip_line(kps: np.ndarray) -> float | None:
    hips = [p for p in (_pt(kps, "left_hip"), _pt(kps, "right_hip")) if p is not None]
    return float(np.mean([p[1] for p in hips])) if hips else None


def keypoint_part(part: str, keypoints: np.ndarray, person: np.ndarray) -> tuple[np.ndarray, str] | None:
    kps = np.asarray(keypoints, dtype=np.float64)
    scale = _scale(kps)
    if scale is None or part not in PERSON_PARTS:
        return None
    shape = person.shape
    how = ""
    if part == "head":
        region, how = _head(kps, scale, shape), "an ellipse around the face keypoints, raised for the hair"
    elif part in ("upper body", "torso"):
        hip_y = _hip_line(kps)
        if hip_y is None:
            return None
        rows = np.zeros(shape, bool)
        rows[: int(math.ceil(hip_y)) + 1] = True
        if part == "torso":
            pts = [_pt(kps, n) for n in ("left_shoulder", "right_shoulder", "right_hip", "left_hip")]
            pts = [p for p in pts if p is not None]
            canvas = _canvas(shape)
            cv2.fillPoly(canvas, [np.round(np.array(pts)).astype(np.int32)], 1)
            canvas = cv2.dilate(canvas, np.ones((max(int(0.2 * scale), 3),) * 2, np.uint8))
            region, how = canvas.astype(bool) & rows, "the shoulders-to-hips outline"
        else:
            region, how = rows, "everything above the hip keypoints"
    elif part in _PLURAL.values():
        single = next(k for k, v in _PLURAL.items() if v == part)
        region, how = _both(single, kps, scale, shape), f"both {part} along the body keypoints"
    else:
        side, single = part.split(" ", 1)
        region = _sided(single, kps, scale, shape, side)
        how = f"the person's own {side} {single} along the body keypoints"
    if region is None:
        return None
    cut = region & person
    if not cut.any():
        return None
    return cut, how

"""Pose words from body keypoints: standing, sitting, lying, kneeling, bending, from the angles and lengths of
torso (shoulders -> hips), thighs (hips -> knees) and shins (knees -> ankles), in image coordinates (y down).

`pose_of(keypoints)` takes float [17, 3] rows (x, y, score) in KEYPOINTS order and returns (pose, confidence)
or (None, 0.0) when the hips or shoulders are not seen. Lengths are compared to the torso's, so the rules hold
at any scale; a frontal sitting person's thighs point at the camera and look short, which also reads as sitting.
"""
from __future__ import annotations

import math

import numpy as np

from tools.people.keypoints import KEYPOINTS
from tools.people.words import POSES  # noqa: F401  (the pose names pose_of returns)

POSE_KEYPOINT_SCORE = 0.2  # geometry uses keypoints from this score (MoveNet's legs often score 0.2-0.3)


def _mid(kps: np.ndarray, side_names: tuple[str, str]) -> tuple[np.ndarray | None, float]:
    """Mean (x, y) of the seen keypoints of a left/right pair and their lowest score; (None, 0) if none seen."""
    rows = [kps[KEYPOINTS.index(n)] for n in side_names]
    seen = [r for r in rows if r[2] >= POSE_KEYPOINT_SCORE]
    if not seen:
        return None, 0.0
    return np.mean([r[:2] for r in seen], axis=0), float(min(r[2] for r in seen))


def _vertical_share(v: np.ndarray) -> float:
    """How much a segment points down the image: dy / length in [-1, 1] (1 = straight down)."""
    return float(v[1] / max(math.hypot(float(v[0]), float(v[1])), 1e-6))


def pose_of(keypoints: np.ndarray) -> tuple[str | None, float]:
    kps = np.asarray(keypoints, dtype=np.float32)
    shoulder, s_sc = _mid(kps, ("left_shoulder", "right_shoulder"))
    hip, h_sc = _mid(kps, ("left_hip", "right_hip"))
    if shoulder is None or hip is None:
        return None, 0.0
    knee, k_sc = _mid(kps, ("left_knee", "right_knee"))
    ankle, a_sc = _mid(kps, ("left_ankle", "right_ankle"))
    torso = hip - shoulder
    torso_len = max(math.hypot(float(torso[0]), float(torso[1])), 1.0)
    upright = _vertical_share(torso)
    base = min(s_sc, h_sc)
    if knee is None:
        if upright < 0.45:
            return "lying", 0.5 * base
        return None, 0.0
    thigh = knee - hip
    thigh_len = math.hypot(float(thigh[0]), float(thigh[1])) / torso_len
    thigh_down = _vertical_share(thigh)
    conf = min(base, k_sc)
    if upright < 0.45 and abs(thigh_down) < 0.6:
        return "lying", conf                       # torso and thighs both along the ground
    if upright < 0.55 and thigh_down > 0.75:
        return "bending", conf                     # legs straight down, torso tipped over
    if ankle is not None:
        shin = ankle - knee
        shin_len = math.hypot(float(shin[0]), float(shin[1])) / torso_len
        if thigh_down > 0.75 and thigh_len > 0.45 and (_vertical_share(shin) < 0.5 or shin_len < 0.35):
            return "kneeling", min(conf, a_sc)     # thigh upright, shin folded along the ground
        if thigh_down > 0.8 and thigh_len > 0.55 and _vertical_share(shin) > 0.75 and shin_len > 0.45:
            return "standing", min(conf, a_sc)
    if thigh_down < 0.55 or thigh_len < 0.45:
        return "sitting", conf                     # thighs level, or pointing at the camera
    if thigh_down > 0.8 and thigh_len > 0.55:
        return "standing", 0.7 * conf              # ankles not seen: less sure
    return None, 0.0

"""Keypoint sets of the shape MoveNet gives (float32 [17, 3] rows x, y, score in pixels, KEYPOINTS order) for
poses drawn by hand in a 200 x 400 frame: a person facing the camera, so their own left is the image right."""
from __future__ import annotations

import numpy as np

from tools.people.keypoints import KEYPOINTS


def skeleton(**points: tuple[float, float]) -> np.ndarray:
    """Named keypoints (x, y) seen with score 0.8; the rest unseen (score 0.05)."""
    out = np.zeros((17, 3), np.float32)
    out[:, 2] = 0.05
    for name, (x, y) in points.items():
        out[KEYPOINTS.index(name)] = (x, y, 0.8)
    return out


FACE = dict(nose=(100, 50), left_eye=(108, 42), right_eye=(92, 42), left_ear=(118, 46), right_ear=(82, 46))
SHOULDERS = dict(left_shoulder=(130, 90), right_shoulder=(70, 90))
ARMS = dict(left_elbow=(140, 150), right_elbow=(60, 150), left_wrist=(145, 200), right_wrist=(55, 200))
STANDING = skeleton(**FACE, **SHOULDERS, **ARMS, left_hip=(120, 200), right_hip=(80, 200), left_knee=(122, 290),
                    right_knee=(78, 290), left_ankle=(123, 380), right_ankle=(77, 380))
SITTING = skeleton(**FACE, **SHOULDERS, left_hip=(120, 200), right_hip=(80, 200), left_knee=(170, 205),
                   right_knee=(130, 205), left_ankle=(172, 290), right_ankle=(132, 290))
KNEELING = skeleton(**FACE, **SHOULDERS, left_hip=(120, 200), right_hip=(80, 200), left_knee=(122, 290),
                    right_knee=(78, 290), left_ankle=(60, 295), right_ankle=(20, 295))
LYING = skeleton(left_shoulder=(40, 300), right_shoulder=(40, 340), left_hip=(140, 305), right_hip=(140, 338),
                 left_knee=(220, 305), right_knee=(220, 338))
BENDING = skeleton(left_shoulder=(40, 200), right_shoulder=(50, 215), left_hip=(120, 205), right_hip=(125, 220),
                   left_knee=(122, 300), right_knee=(127, 305), left_ankle=(123, 390), right_ankle=(128, 392))

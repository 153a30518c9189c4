"""Gender and age estimates from a face, with HSE FaceRes (TF.js graph run by tools.tfjs), the face found from
body keypoints (nose, eyes, ears), so no face detector runs.

Face box: centred between the eyes and nose, as wide as the ears are apart (else 2.2 times the eye distance),
1.25 times as tall, plus FACE_MARGIN of its width each side, clipped to the image. Model input: that crop
resized to 224 x 224, BGR with the Caffe means subtracted (the upstream training recipe; TF.js ports feed RGB
0..255, which measured worse on COCO faces). Outputs: P(male) (sigmoid) and a softmax over ages 1..100; the
age is the probability-weighted mean of the two likeliest bins (the upstream decoding).
These are estimates: small, turned or hidden faces are skipped, and a gender below MIN_GENDER_CONFIDENCE is not
used.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from tools.people.keypoints import KEYPOINTS
from tools.tfjs import TfjsGraph
from tools.weights import weight_path

FACE_SIDE = 224
CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], np.float32)
GENDER_OUTPUT, AGE_OUTPUT = "gender_pred/Sigmoid:0", "age_pred/Softmax:0"
FACE_KEYPOINT_SCORE = 0.3
MIN_FACE_PIXELS = 24          # faces narrower than this are too small to judge
FACE_MARGIN = 0.1
MIN_GENDER_CONFIDENCE = 0.5   # |P(male) - 0.5| * 2: below this the gender is left unknown


@dataclass(frozen=True)
class FaceEstimate:
    """box: [x0, y0, x1, y1] face pixels; male: P(male) in [0, 1]; age: years (an estimate)."""

    box: list[float]
    male: float
    age: float

    @property
    def gender(self) -> str | None:
        """"male" / "female" when confident enough, else None."""
        if abs(self.male - 0.5) * 2 < MIN_GENDER_CONFIDENCE:
            return None
        return "male" if self.male > 0.5 else "female"

    @property
    def gender_confidence(self) -> float:
        return abs(self.male - 0.5) * 2


def face_box(keypoints: np.ndarray, width: int, height: int) -> list[float] | None:
    """The face box from keypoints [17, 3] (x, y, score) in pixels, or None without both eyes and the nose."""
    def pt(name: str) -> np.ndarray | None:
        row = keypoints[KEYPOINTS.index(name)]
        return row[:2] if row[2] >= FACE_KEYPOINT_SCORE else None

    nose, le, re_ = pt("nose"), pt("left_eye"), pt("right_eye")
    if nose is None or le is None or re_ is None:
        return None
    lear, rear = pt("left_ear"), pt("right_ear")
    eye_gap = float(np.linalg.norm(le - re_))
    face_w = float(np.linalg.norm(lear - rear)) if lear is not None and rear is not None else 2.2 * eye_gap
    face_w = max(face_w, 2.0 * eye_gap)
    if face_w < MIN_FACE_PIXELS:
        return None
    cx, cy = (le[0] + re_[0] + nose[0]) / 3, (le[1] + re_[1] + nose[1]) / 3
    half_w, half_h = face_w * (0.5 + FACE_MARGIN), face_w * 1.25 * 0.5 + face_w * FACE_MARGIN
    box = [max(cx - half_w, 0.0), max(cy - half_h, 0.0), min(cx + half_w, float(width)), min(cy + half_h, float(height))]
    return box if box[2] - box[0] >= MIN_FACE_PIXELS and box[3] - box[1] >= MIN_FACE_PIXELS else None


def _age(probs: np.ndarray) -> float:
    top = np.argsort(-probs)[:2]
    p = probs[top] / max(float(probs[top].sum()), 1e-9)
    return float(1 + (top * p).sum())


@lru_cache(maxsize=1)
def _graph(model_json: str) -> TfjsGraph:
    return TfjsGraph.load(model_json)


class FaceAttributes:
    """Gender and age estimates for faces located by keypoints. Weights: `python -m tools.weights fetch`."""

    def __init__(self, threads: int | None = 1):
        self.model_json = str(weight_path("faceres_json"))
        weight_path("faceres_bin")
        self.threads = threads
        self._lock = threading.Lock()

    def estimate(self, pixels: np.ndarray, keypoints_list: list[np.ndarray | None]) -> list[FaceEstimate | None]:
        """One estimate per keypoint set (None where no face is seen); RGB uint8 (H, W, 3) pixels."""
        h, w = pixels.shape[:2]
        boxes = [face_box(k, w, h) if k is not None else None for k in keypoints_list]
        crops = []
        for b in boxes:
            if b is not None:
                x0, y0, x1, y1 = (int(math.floor(b[0])), int(math.floor(b[1])), int(math.ceil(b[2])), int(math.ceil(b[3])))
                face = cv2.resize(pixels[y0:y1, x0:x1], (FACE_SIDE, FACE_SIDE), interpolation=cv2.INTER_LINEAR)
                crops.append(face[:, :, ::-1].astype(np.float32) - CAFFE_MEAN_BGR)
        if not crops:
            return [None] * len(boxes)
        with self._lock:
            male, ages = _graph(self.model_json).run({"input_1": np.stack(crops)}, [GENDER_OUTPUT, AGE_OUTPUT],
                                                     threads=self.threads)
        male, ages = male.reshape(-1).numpy(), ages.reshape(len(crops), -1).numpy()
        out, k = [], 0
        for b in boxes:
            if b is None:
                out.append(None)
                continue
            out.append(FaceEstimate(box=b, male=float(male[k]), age=_age(ages[k])))
            k += 1
        return out

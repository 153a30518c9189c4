"""tools.box_nms: the one box NMS (OpenCV), per class or not, best first, no box dropped for a low score."""
from __future__ import annotations

import numpy as np

from tools.box_nms import nms_indices

BOXES = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 60, 60], [0, 0, 10, 9]], dtype=float)


def test_suppresses_overlaps_best_first():
    keep = nms_indices(BOXES, np.array([0.5, 0.9, 0.7, 0.1]), 0.6)
    assert keep.tolist() == [1, 2]  # box 1 (best) suppresses 0 (IoU 0.81) and 3 (IoU 0.79)


def test_classes_only_suppress_their_own():
    keep = nms_indices(BOXES, np.array([0.5, 0.9, 0.7, 0.1]), 0.6, classes=np.array([0, 1, 0, 0]))
    assert keep.tolist() == [1, 2, 0]


def test_zero_and_negative_scores_are_kept_and_limit_applies():
    assert nms_indices(BOXES[2:3], np.array([0.0]), 0.5).tolist() == [0]
    assert nms_indices(BOXES, np.array([-1.0, -2.0, -3.0, -4.0]), 0.99, limit=2).tolist() == [0, 1]
    assert nms_indices(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []

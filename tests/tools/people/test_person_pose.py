"""Pose words from keypoint geometry (tools.people.pose)."""
import numpy as np
import pytest

from skeletons import BENDING, FACE, KNEELING, LYING, SITTING, STANDING, skeleton
from tools.people.pose import pose_of


@pytest.mark.parametrize("keypoints, pose", [(STANDING, "standing"), (SITTING, "sitting"), (KNEELING, "kneeling"),
                                             (LYING, "lying"), (BENDING, "bending")])
def test_poses_from_geometry(keypoints, pose):
    found, confidence = pose_of(keypoints)
    assert found == pose and 0 < confidence <= 1


def test_the_rules_hold_at_any_scale_and_place():
    moved = STANDING.copy()
    moved[:, :2] = moved[:, :2] * 0.3 + 500
    assert pose_of(moved)[0] == "standing"


def test_no_pose_without_shoulders_or_hips():
    assert pose_of(skeleton(**FACE)) == (None, 0.0)
    no_hips = STANDING.copy()
    no_hips[11:13, 2] = 0.0
    assert pose_of(no_hips) == (None, 0.0)


def test_a_frontal_sitter_has_short_thighs():
    frontal = SITTING.copy()  # knees straight below the hips but close: thighs point at the camera
    frontal[13] = (120, 240, 0.8)
    frontal[14] = (80, 240, 0.8)
    frontal[15:17, 2] = 0.0
    assert pose_of(frontal)[0] == "sitting"
    assert np.isfinite(pose_of(frontal)[1])

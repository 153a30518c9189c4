"""Parts of a person from keypoints, cut to the person's mask (tools.people.parts)."""
import numpy as np

from skeletons import FACE, SHOULDERS, STANDING, skeleton
from tools.people.parts import PERSON_PARTS, keypoint_part
from tools.masks import bbox

PERSON = np.zeros((400, 200), bool)
PERSON[20:395, 40:160] = True  # the person's mask: their box, filled


def test_head_is_around_the_face_above_the_shoulders():
    head, how = keypoint_part("head", STANDING, PERSON)
    x0, y0, x1, y1 = bbox(head)
    assert y1 <= 95 and x0 > 60 and x1 < 140 and "face keypoints" in how
    assert not (head & ~PERSON).any()


def test_legs_lie_below_the_hips_and_feet_at_the_ankles():
    legs, _ = keypoint_part("legs", STANDING, PERSON)
    assert bbox(legs)[1] >= 180 and legs.sum() > 0.15 * PERSON.sum()
    feet, _ = keypoint_part("feet", STANDING, PERSON)
    assert bbox(feet)[1] >= 340 and feet.sum() < legs.sum()


def test_own_left_is_the_image_right_for_a_person_facing_the_camera():
    left, how = keypoint_part("left arm", STANDING, PERSON)
    right, _ = keypoint_part("right arm", STANDING, PERSON)
    assert bbox(left)[0] > 100 > bbox(right)[2] - 10 and "own left" in how
    hand, _ = keypoint_part("left hand", STANDING, PERSON)
    assert bbox(hand)[1] > 180 and (hand & left).sum() > 0


def test_upper_body_and_torso():
    upper, _ = keypoint_part("upper body", STANDING, PERSON)
    torso, _ = keypoint_part("torso", STANDING, PERSON)
    assert bbox(upper)[3] <= 202 and torso.sum() < upper.sum()


def test_parts_whose_keypoints_are_unseen_give_none():
    half = skeleton(**FACE, **SHOULDERS)  # cut at the waist: no hips, knees, ankles
    assert keypoint_part("legs", half, PERSON) is None
    assert keypoint_part("feet", half, PERSON) is None
    assert keypoint_part("head", half, PERSON) is not None
    assert keypoint_part("legs", skeleton(**FACE), PERSON) is None  # no shoulders: no scale


def test_every_named_part_is_answered_for_a_full_skeleton():
    for part in PERSON_PARTS:
        found = keypoint_part(part, STANDING, PERSON)
        assert found is not None and found[0].any(), part

"""Cues read from a person's keypoints: a raised arm and which way they face (agent.candidates.people)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "people"))  # the shared skeletons

from skeletons import ARMS, FACE, SHOULDERS, STANDING, skeleton  # noqa: E402

from agent.candidates.people import arm_raised, facing_camera  # noqa: E402
from tools.people.match import PersonFacts  # noqa: E402


def facts(keypoints):
    return PersonFacts(box=[0, 0, 200, 400], keypoints=keypoints)


def test_a_wrist_above_the_shoulders_is_a_raised_arm():
    up = skeleton(**FACE, **SHOULDERS, left_elbow=(150, 60), left_wrist=(160, 20), right_wrist=(55, 200))
    assert arm_raised(facts(up)) is True
    assert arm_raised(facts(STANDING)) is False
    assert arm_raised(facts(skeleton(**FACE, **SHOULDERS))) is None  # no wrist seen: the keypoints do not say


def test_face_keypoints_say_toward_and_shoulders_alone_say_away():
    assert facing_camera(facts(STANDING)) == "toward"
    assert facing_camera(facts(skeleton(**SHOULDERS, **ARMS))) == "away"
    assert facing_camera(facts(skeleton(left_shoulder=(130, 90)))) is None
    assert facing_camera(PersonFacts(box=[0, 0, 1, 1])) is None


def test_arms_held_out_at_shoulder_height_are_raised_and_arms_hanging_are_not():
    """val2017 60932: the bride's wrists are 13-16 px below her shoulders, arms spread wide (torso 63 px)."""
    hips = dict(left_hip=(120, 200), right_hip=(80, 200))
    out_wide = skeleton(**FACE, **SHOULDERS, **hips, left_wrist=(190, 110), right_wrist=(10, 112))
    assert arm_raised(facts(out_wide)) is True
    assert arm_raised(facts(skeleton(**FACE, **SHOULDERS, **hips, left_wrist=(150, 130), right_wrist=(50, 130)))) is False

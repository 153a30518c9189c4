"""How many a plural request asks for, which place it counts to, and child-sized people by the height of people standing as near."""
import pytest

from agent.candidates.category import group_size, ordinal
from agent.candidates.people import height_for_ground_line


@pytest.mark.parametrize("phrase, size", [("both kids in the bike helmets", 2), ("the two boys in suits", 2),
                                          ("the three dogs", 3), ("all the people", None), ("the kids", None)])
def test_group_size(phrase, size):
    assert group_size(phrase) == size


def test_height_against_people_at_the_same_ground_line():
    adult, other_adult, child, far = [100, 100, 150, 400], [300, 110, 350, 405], [200, 250, 240, 402], [400, 50, 420, 120]
    boxes = [adult, other_adult, child, far]
    assert height_for_ground_line(child, boxes, 480) == pytest.approx(152 / 297.5, abs=0.01)
    assert height_for_ground_line(adult, boxes, 480) > 0.9
    assert height_for_ground_line(far, boxes, 480) is None  # nobody stands as far away


@pytest.mark.parametrize("phrase, place", [("the second guy", 2), ("the 2nd left", 2), ("the third person", 3),
                                           ("the guy", None)])
def test_ordinal(phrase, place):
    assert ordinal(phrase) == place

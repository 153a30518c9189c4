"""The people models with the REAL embedded weights on coco_tiny photos: MoveNet keypoints and the
FaceRes estimates of two people holding a pizza (491008: a woman on the left, an older man on the right)."""
from __future__ import annotations

import os

import pytest

from tools.images import load_image
from tools.weights import MissingWeightsError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def analyser():
    from tools.people.analysis import PeopleAnalyser

    try:
        return PeopleAnalyser(threads=2)
    except MissingWeightsError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"people weights missing in CI: {exc}")
        pytest.skip("people weights missing (run python -m tools.weights fetch)")


def test_two_people_holding_a_pizza(analyser, coco_tiny):
    image = load_image(coco_tiny / "val2017" / "000000491008.jpg")
    woman_box, man_box = [215, 173, 340, 424], [353, 147, 474, 426]  # the COCO boxes
    facts = analyser.analyse(image.pixels, [woman_box, man_box])
    woman, man = facts[0], facts[1]
    assert woman.keypoints is not None and man.keypoints is not None
    for person in (woman, man):  # a wrist of each lies on the pizza they hold together
        wrists = person.seen_points(("left_wrist", "right_wrist"), 0.25)
        assert any(280 <= x <= 400 and 280 <= y <= 345 for x, y in wrists)
    assert woman.face.gender == "female" and man.face.gender == "male"
    assert woman.face.age < man.face.age


def test_a_region_per_person_through_the_grounder_view(analyser, coco_tiny):
    regions = analyser.ground(coco_tiny / "val2017" / "000000491008.jpg")
    assert len(regions) == 2 and all(r.label == "person" and len(r.attributes["keypoints"]) == 17 for r in regions)

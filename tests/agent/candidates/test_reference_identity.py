"""When a detection is the relation's reference itself: same class, a loose box match; another class (a rider on
his motorbike), only a near-identical box."""
from __future__ import annotations

from agent.candidates.relate import (OTHER_CLASS_SAME_IOU, SAME_AS_REFERENCE_IOU, reference_category,
                                     same_as_reference_iou)


def test_other_class_needs_a_near_identical_box():
    assert same_as_reference_iou("person", "motorcycle") == OTHER_CLASS_SAME_IOU > 0.8
    assert same_as_reference_iou("car", "car") == SAME_AS_REFERENCE_IOU < 0.6
    assert same_as_reference_iou("car", None) == SAME_AS_REFERENCE_IOU
    # a known detection is only itself: another giraffe sharing much of its box is another giraffe
    assert same_as_reference_iou("giraffe", "giraffe", "det:giraffe:0") == OTHER_CLASS_SAME_IOU
    assert same_as_reference_iou("giraffe", "giraffe", "p12") == SAME_AS_REFERENCE_IOU


def test_reference_category_from_the_earlier_target_or_the_words():
    memory = {"current": {"turn": 3, "phrase": "the motorbike", "category": "motorbike"},
              "history": [{"turn": 3, "phrase": "the motorbike", "category": "motorbike"}]}
    assert reference_category({"reference": "previous"}, memory) == "motorcycle"
    assert reference_category({"reference": "the red car"}, memory) == "car"
    assert reference_category({"reference": "the painting"}, memory) is None
    assert reference_category({"reference": "previous"}, {}) is None

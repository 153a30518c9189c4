"""The rule planner on words about people: poses, what a person does with a thing, "with the thing", the
person's own left and right parts."""
import pytest

from agent.planners.base import PlannerContext
from agent.planners.rule_based import RuleBasedPlanner

MAN = {"current": {"phrase": "the man", "category": "man", "turn": 1, "region_id": "det:person:0"},
       "history": [{"phrase": "the man", "category": "man", "turn": 1, "region_id": "det:person:0"}]}


def interpret(text, memory=None):
    return RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}],
                                                       memory=memory or {}, image_path="photo.jpg"))


@pytest.mark.parametrize("text, pose", [("the man sitting on the left", "sitting"), ("woman standin in the back", "standing"),
                                        ("the kid crouching", "kneeling"), ("guy laying on the grass", "lying"),
                                        ("the man in the red shirt", None)])
def test_pose_words(text, pose):
    assert interpret(text).pose == pose


def test_a_person_acting_on_a_thing_keeps_the_verb():
    i = interpret("the person holding the pizza")
    assert i.kind == "relate" and "holding" in i.target and "contains" not in i.target
    i = interpret("guy dragging the suitcase")
    assert i.kind == "relate" and i.reference and "suitcase" in i.reference and "dragging" in i.target


def test_with_a_thing_is_the_person_who_has_it_but_with_a_garment_is_clothing():
    i = interpret("the guy with the umbrella")
    assert (i.kind, i.relation, i.reference) == ("relate", "next_to", "umbrella")
    assert interpret("the guy with the red shirt").kind == "new_target"


@pytest.mark.parametrize("text, part", [("his left hand", "left hand"), ("only his right leg", "right leg"),
                                        ("his arms", "arms"), ("just the hands", "hands"), ("his torso", "torso")])
def test_parts_of_the_person_with_their_own_side(text, part):
    i = interpret(text, MAN)
    assert (i.kind, i.part) == ("refine_part", part)

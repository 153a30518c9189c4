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


@pytest.mark.parametrize("text, target, attrs", [
    ("the guy in the dark suit sitting next to her", "the guy in the dark suit next to her",
     {"relation": "next_to", "reference": "her", "pose": "sitting", "garment": "suit"}),
    ("the guy next to her in jeans n a leather jacket", "the guy in the jeans and the leather jacket next to her",
     {"reference": "her"}),
    ("the boy on the left holding the stick", "the boy holding the stick", {"position": "left"}),
    ("the guy in the green cap bent over the carrots", "the guy in the green cap bent over the carrots",
     {"relation": "next_to", "pose": "bending", "colors": ["green"]}),
    ("the guy in the black sweater right behind the bike", "the guy in the black sweater behind the bike",
     {"relation": "behind", "position": None}),
    ("the woman in red with the bag", "the woman in red with the bag", {"colors": ["red"], "relation": "next_to"}),
])
def test_a_relation_keeps_what_is_said_of_the_person(text, target, attrs):
    """The person's own clothes, pose and position stay on the intent beside the relation, and a pronoun
    reference ends at the pronoun ("next to her in jeans": the jeans are his)."""
    i = interpret(text, MAN).to_record()
    assert i["kind"] == "relate" and i["target"] == target
    assert {k: i[k] for k in attrs} == attrs


@pytest.mark.parametrize("text, target, position", [
    ("girl in the orange top sitting on the deck", "the girl in the orange top", None),
    ("blonde old lady in the black and white top", "the old lady in the black and white top with blonde hair", None),
    ("the man in the striped shirt on the left", "the man in the striped shirt", "left"),
])
def test_worn_things_stay_in_the_target_and_a_garment_top_is_no_position(text, target, position):
    i = interpret(text)
    assert (i.target, i.position) == (target, position)


@pytest.mark.parametrize("text, facing, target", [
    ("the guy w his back to us right next to him", "away", "the guy next to the man"),
    ("and the one in the back on the right, u only see the back of his head", "away", "the one on the right in the back"),
    ("the woman looking at the camera", "toward", "the woman"),
    ("guy in the blue shirt under the umbrella, back to us", "away", "the guy in the blue shirt under the umbrella"),
    ("the man on the left", None, "the man"),
])
def test_facing_words_are_read_and_name_nothing(text, facing, target):
    """ "his back to us" says which way the person faces; "back", "head" and "camera" in it are no target,
    part, depth or reference."""
    i = interpret(text, MAN)
    assert (i.facing, i.target, i.part) == (facing, target, None)


def test_an_ordinal_is_no_noun_and_stays_in_the_target():
    i = interpret("second guy from left")
    assert (i.target, i.category, i.position) == ("the second guy", "guy", "left")
    i = interpret("2nd from left")
    assert (i.kind, i.category, i.position) == ("filter_attribute", None, "left") and "2nd" in i.target


@pytest.mark.parametrize("text, target", [("the lady in the long dress w both arms up", "the lady in the long dress with arms up"),
                                          ("guy waving on the left", "the guy with arms up")])
def test_raised_arms_stay_in_the_target(text, target):
    assert interpret(text).target == target


@pytest.mark.parametrize("text, target", [
    ("the one in front w the ponytail", "the person with the ponytail in front"),
    ("the one with sunglasses", "the person with the sunglasses"),
    ("the kid with the mohawk on the left", "the kid with the mohawk"),
])
def test_a_hair_style_or_beard_makes_the_one_a_person(text, target):
    i = interpret(text)
    assert (i.category in ("person", "kid"), i.target) == (True, target)


def test_glasses_on_a_table_stay_a_thing():
    assert interpret("the glasses on the table").category == "glass"


def test_a_person_pronoun_in_a_relation_is_the_person_segmented_before():
    """ "behind him" after the man: that man (his turn), named in the target; "next to her" is not the man."""
    i = interpret("the woman with dark hair behind him", MAN)
    assert (i.kind, i.relation, i.reference, i.target) == ("relate", "behind", "previous",
                                                           "the woman with dark hair behind the man")
    assert interpret("the guy next to her", MAN).reference == "her"


def test_a_turn_that_only_points_at_a_person_means_the_one_named_before():
    """ "now him" after a question about what a man holds and a turn on the pizza: the man the question named."""
    from agent.planners import RuleBasedPlanner
    from agent.planners.base import PlannerContext

    pizza = {"phrase": "the pizza", "category": "pizza", "turn": 2, "region_id": "det:pizza:0"}
    said = [("whats the man in the striped shirt holding", "pizza"), ("segment the pizza", "This is the pizza.")]
    dialogue = [m for u, a in said for m in ({"role": "user", "content": u}, {"role": "assistant", "content": a})]
    context = PlannerContext(dialogue=dialogue + [{"role": "user", "content": "now him"}], image_path="photo.jpg",
                             memory={"current": pizza, "history": [pizza]})
    i = RuleBasedPlanner().interpret(context)
    assert (i.kind, i.target, i.category) == ("new_target", "the man in the striped shirt", "man")
    assert i.notes == ["read 'him' as the man in the striped shirt"]  # said in the answer
    man = {"phrase": "the man", "category": "man", "turn": 3, "region_id": "det:person:1"}
    context.memory = {"current": pizza, "history": [man, pizza]}
    i = RuleBasedPlanner().interpret(context)
    assert (i.kind, i.target, i.reference) == ("segment_from_dialogue", "the man", "turn:3")


def test_a_pronoun_reference_is_named_by_the_persons_own_words_only():
    woman = {"phrase": "the woman in the long black coat with the bag on her shoulder", "category": "woman", "turn": 1}
    i = interpret("the guy next to her in jeans n a leather jacket", {"current": woman, "history": [woman]})
    assert i.target == "the guy in the jeans and the leather jacket next to the woman in the long black coat"


@pytest.mark.parametrize("text", ["the guy doing the trick", "the kid doing tricks on the left", "girl landing a flip"])
def test_doing_a_trick_keeps_the_action_for_the_board_under_them(text):
    i = interpret(text)
    assert i.target.endswith("doing a trick") and i.category in ("guy", "kid", "girl")


@pytest.mark.parametrize("text, target, pose", [
    ("the one standing", "the one standing", "standing"), ("segment the one sitting", "the one sitting", "sitting"),
    ("the standing one", "the standing one", "standing"),
])
def test_the_one_in_a_pose_is_one_of_the_photos_several_things_by_pose(text, target, pose):
    """No noun, only a pose: a filter over the class the photo shows several of (people, as a rule), ranked by the
    keypoints' pose, not a region search for a thing called "the one standing"."""
    i = RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}], memory={},
                                                    image_path="photo.jpg"))
    assert (i.kind, i.target, i.pose, i.category) == ("filter_attribute", target, pose, None)

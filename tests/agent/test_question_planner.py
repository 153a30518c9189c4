"""The rule planner keeps questions questions: what is written (on a thing, or in a part of the photo), whether a
thing is easy to spot, how many (the plural ends the noun: "lamps hang"), a garment asked of the person a pronoun
names, and what a verb says a person has ("what is he riding")."""
import pytest

from agent.planners.base import PlannerContext
from agent.planners.rule_based import RuleBasedPlanner
from agent.text_answers import PHOTO_TEXT

GUY_AND_BOARD = {"current": {"phrase": "the guy's skateboard", "category": "skateboard", "turn": 2, "region_id": "held:0"},
                 "history": [{"phrase": "the guy", "category": "guy", "turn": 1, "region_id": "det:person:0"},
                             {"phrase": "the guy's skateboard", "category": "skateboard", "turn": 2, "region_id": "held:0"}]}


def interpret(text, memory=None):
    return RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}],
                                                       memory=memory or {}, image_path="photo.jpg"))


@pytest.mark.parametrize("text, category", [
    ("what number is on the orange bus", "bus"), ("whats written on the big cup", "cup"),
    ("what does the green bottle say", "bottle"), ("where's the bus going", "bus"),
])
def test_a_text_question_about_a_named_thing_finds_it_and_reads_it(text, category):
    i = interpret(text)
    assert (i.kind, i.question, i.category) == ("new_target", "text", category)


@pytest.mark.parametrize("text, part", [
    ("what year does it say in the corner", "corner"), ("what does it say at the bottom", "bottom"),
    ("what does it say in the upper left?", "top left"),
])
def test_it_says_in_a_part_of_the_photo_reads_that_part(text, part):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.question, i.category, i.position) == ("answer_only", "text", PHOTO_TEXT, part)


def test_the_sign_at_the_bottom_is_a_thing_not_the_photo_text():
    i = interpret("what does the sign at the bottom say")
    assert i.category == "sign" and i.question == "text"


def test_easy_to_spot_is_a_question_that_grounds_the_thing():
    i = interpret("Is the ball easy to spot?")
    assert (i.kind, i.question, i.category) == ("new_target", "visible", "ball")


@pytest.mark.parametrize("text, category", [
    ("how many lamps hang from the ceiling?", "lamp"), ("how many birds sit on the wire", "bird"),
    ("how many yellow posts are there", "post"), ("how many people are there", "people"),
])
def test_how_many_counts_the_plural_noun_not_the_verb_after_it(text, category):
    i = interpret(text)
    assert (i.question, i.category) == ("count", category)


def test_a_garment_question_with_his_is_asked_of_him_not_of_his_board():
    i = interpret("what color is his shirt", GUY_AND_BOARD)
    assert (i.kind, i.question, i.garment, i.reference, i.target) == ("answer_only", "color", "shirt", "turn:1", "the guy")
    assert interpret("what colour is it", GUY_AND_BOARD).reference is None  # "it" stays the board


@pytest.mark.parametrize("text, verb", [
    ("whats she swinging", "swinging"), ("whats the guy in the air riding", "riding"),
    ("whats he eating with", "eating with"), ("whats the guy on the motorbike wearing on his back", "wearing on the back"),
])
def test_what_a_verb_says_a_person_has_is_a_held_question(text, verb):
    i = interpret(text, GUY_AND_BOARD)
    assert i.relation == "held_by" and i.target.endswith(f" is {verb}")


@pytest.mark.parametrize("text, target", [
    ("what are they standing on", "what they are standing on"), ("whats she sitting on?", "what she is sitting on"),
    ("what is the man on the left sleeping on", "what the man on the left is lying on"),
])
def test_what_a_person_sits_or_stands_on_is_the_thing_under_them(text, target):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.relation, i.target) == ("held_by", target)


def test_sitting_on_a_named_thing_is_no_question_about_what_is_under_them():
    i = interpret("the guy sitting on the bench")
    assert (i.relation, i.reference, i.pose) == ("overlaps", "the bench", "sitting")  # the guy on the bench


@pytest.mark.parametrize("text, relation, reference", [
    ("whats on the plate", "inside", "the plate"), ("whats that in the toilet??", "inside", "the toilet"),
    ("whats on top of it", "above", "previous"), ("whats hanging over the table", "above", "the table"),
    ("what is under the table", "below", "the table"),
])
def test_what_is_on_a_thing_asks_for_the_named_things_there(text, relation, reference):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.relation, i.reference) == ("relate", relation, reference) and i.target.startswith("what is ")


def test_what_is_on_his_hand_is_what_he_holds_and_the_whole_picture_is_no_place():
    i = interpret("whats on his hand", GUY_AND_BOARD)
    assert (i.relation, i.target, i.reference) == ("held_by", "what he is holding", "turn:1")
    assert interpret("what is in the picture").relation is None


def test_what_kind_of_thing_in_a_relation_is_a_question_the_detector_names():
    i = interpret("what fruit is right in front of the plaid guy")
    assert (i.kind, i.relation, i.question) == ("relate", "in_front_of", "describe")
    assert interpret("the fruit in front of the plaid guy").question is None


@pytest.mark.parametrize("text, relation, reference", [
    ("what colour is the cat in front of it", "in_front_of", "previous"),
    ("what color is the car next to the bus?", "next_to", "the bus"),
])
def test_a_measured_question_about_a_thing_in_a_relation_finds_that_thing(text, relation, reference):
    """Not the current target's colour: the cat in front of it is found, then its colour measured."""
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.question, i.relation, i.reference) == ("relate", "color", relation, reference)
    assert interpret("what colour is it", GUY_AND_BOARD).kind == "answer_only"


def test_what_she_sits_on_after_her_head_is_asked_of_her():
    woman = {"phrase": "the woman", "category": "woman", "turn": 1, "region_id": "det:person:0"}
    head = {"phrase": "the head of the woman", "category": "person", "part": "head", "turn": 2, "region_id": "t2:part0"}
    i = interpret("what is she sitting on", {"current": head, "history": [woman, head]})
    assert (i.relation, i.reference, i.target) == ("held_by", "turn:1", "what she is sitting on")


@pytest.mark.parametrize("text, question", [
    ("whats the white stuff in the middle", "describe"), ("what is the red thing on the left", "describe"),
    ("what colour is the thing on the right", "color"), ("whats the blue glowing thing", "describe"),
])
def test_a_thing_asked_about_by_its_description_is_found_first(text, question):
    """Not a question about the current target (the carrots): the white stuff in the middle is searched for by its
    colour and place, then answered from what is found."""
    memory = {"current": {"phrase": "the carrots", "category": "carrot", "turn": 1, "region_id": "det:carrot:0"},
              "history": [{"phrase": "the carrots", "category": "carrot", "turn": 1}]}
    i = RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}], memory=memory,
                                                    image_path="photo.jpg"))
    assert (i.kind, i.question, i.category) == ("filter_attribute", question, None) and i.wants_mask


THE_WOMAN = {"current": {"phrase": "the woman", "category": "person", "turn": 1, "region_id": "det:person:0"},
             "history": [{"phrase": "the woman", "category": "person", "turn": 1, "region_id": "det:person:0"}]}


@pytest.mark.parametrize("text, part", [
    ("whats she wearing on her hands", "hands"), ("what is she wearing on her feet?", "feet"),
    ("what s he wearing on his head", "head"), ("what is the woman wearing on her arm", "arms"),
    ("whats that gold thing on her arm", "arms"), ("whats she wearing", None),
    ("what is the woman in red wearing", None),
])
def test_a_wearing_question_asks_about_the_person_and_the_body_part_it_names(text, part):
    i = interpret(text, THE_WOMAN)
    assert (i.kind, i.question, i.target, i.part) == ("answer_only", "wearing", "the woman", part)


@pytest.mark.parametrize("text, who", [
    ("whats the thing in his hand", "he"), ("what does she have in her hands", "she"),
    ("whats she got in her hand", "she"), ("what is he holding in his left hand", "he"),
])
def test_what_is_in_someones_hand_is_what_they_hold(text, who):
    i = interpret(text, THE_WOMAN)
    assert (i.kind, i.relation, i.target) == ("relate", "held_by", f"what {who} is holding")


def test_an_adjective_before_a_placeholder_is_no_held_verb():
    i = interpret("what is the flying thing in the sky", THE_WOMAN)
    assert i.relation != "held_by"


@pytest.mark.parametrize("text", ["what is flying in the sky", "what is the flying thing in the sky"])
def test_flying_in_the_sky_is_no_thing_the_current_target_holds(text):
    i = interpret(text, THE_WOMAN)
    assert i.relation is None and i.position == "top"


def test_a_thing_in_the_sky_is_the_top_one():
    i = interpret("the kite in the sky", THE_WOMAN)
    assert (i.category, i.position) == ("kite", "top")


@pytest.mark.parametrize("text, target, cue", [
    ("who is reading", "the person", None), ("who is on the left", "the person", ("position", "left")),
    ("whos wearing the red hat", "the person in the red hat", ("garment", "hat")),
    ("who is closest to the camera?", "the person in front", ("depth", "front")),
])
def test_a_who_question_searches_for_the_person_it_describes(text, target, cue):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.target, i.category, i.wants_mask) == ("new_target", target, "person", True)
    assert cue is None or getattr(i, cue[0]) == cue[1]


@pytest.mark.parametrize("text, target", [("who is she", "the guy"), ("who's that guy", "the guy"),
                                          ("who is it?", "the guy's skateboard")])
def test_a_who_question_that_only_points_back_asks_about_the_current_target_or_the_person_meant(text, target):
    """After the guy's skateboard, "she" and "that guy" mean the guy (genders are only estimates), "it" the board."""
    i = interpret(text, GUY_AND_BOARD)
    assert i.kind == "answer_only" and i.target == target


@pytest.mark.parametrize("text, part", [
    ("whats that on the left", "left"), ("what's in the top left corner?", "top left"), ("whats in the middle", "center"),
    ("and whats on the right side", "right"),
])
def test_a_what_question_about_a_part_of_the_photo_asks_what_is_there(text, part):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.relation, i.reference, i.question) == ("relate", "inside", f"photo:{part}", "describe")


def test_a_what_question_about_a_thing_keeps_the_thing_as_its_place_and_a_request_picks_by_position():
    i = interpret("whats on the left plate", GUY_AND_BOARD)
    assert i.reference == "the left plate"
    i = interpret("Segment the thing in the middle of the picture.", GUY_AND_BOARD)
    assert (i.kind, i.position, i.reference) == ("filter_attribute", "center", None)


@pytest.mark.parametrize("text", ["what is he doing", "what's she doing?", "whats he up to", "what are they doing"])
def test_what_someone_is_doing_is_asked_of_the_current_target(text):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.question) == ("answer_only", "doing")


@pytest.mark.parametrize("text, category", [("whats the man doing", "man"), ("what is the dog on the left doing", "dog")])
def test_what_a_named_one_is_doing_finds_it_first(text, category):
    i = interpret(text)
    assert (i.kind, i.question, i.category) == ("new_target", "doing", category)


@pytest.mark.parametrize("text", ["whats that in the background", "what's in the distance?", "whats in the back",
                                  "what is in the far back"])
def test_what_is_in_the_background_asks_what_stands_behind_the_nearest_things(text):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.relation, i.reference) == ("relate", "inside", "photo:background")


def test_the_back_of_a_thing_is_that_thing_not_the_background():
    assert interpret("whats in the back of the truck").reference == "the back of the truck"


@pytest.mark.parametrize("text, question", [("what is he doing", "doing"), ("who is he", "who"),
                                            ("whos he?", "who")])
def test_a_question_about_him_after_his_board_is_asked_of_him(text, question):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.question, i.target, i.reference) == ("answer_only", question, "the guy", "turn:1")


@pytest.mark.parametrize("text, question", [("and what colour is it", "color"), ("so whats he doing", "doing"),
                                            ("ok and who is he?", "who"), ("oh, how big is it", "size")])
def test_a_lead_in_word_keeps_a_question_a_question(text, question):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.question) == ("answer_only", question)


def test_a_lead_in_before_a_request_stays_a_request():
    assert interpret("and the lorry").kind == "new_target"


@pytest.mark.parametrize("text, category", [("whats the shop on the right called", "shop"),
                                            ("what's the name of the restaurant?", "restaurant"),
                                            ("what is the boat called", "boat")])
def test_what_a_thing_is_called_is_what_its_text_says(text, category):
    i = interpret(text)
    assert (i.kind, i.question, i.category) == ("new_target", "text", category)


def test_the_same_kind_asked_about_elsewhere_is_a_new_search():
    dog_on_right = {"current": {"phrase": "the dog", "category": "dog", "turn": 1, "region_id": "det:dog:0",
                                "intent": {"kind": "new_target", "target": "the dog", "position": "right"}},
                    "history": []}
    i = interpret("what colour is the dog on the left", dog_on_right)
    assert (i.kind, i.position) == ("new_target", "left")
    assert interpret("what colour is the dog on the right", dog_on_right).kind == "answer_only"


@pytest.mark.parametrize("text, relation", [("no the one next to him", "next_to"), ("no, the one behind it", "behind")])
def test_a_correction_naming_a_place_by_the_rejected_pick_is_a_relation_to_it(text, relation):
    i = interpret(text, GUY_AND_BOARD)
    assert (i.kind, i.relation, i.reference) == ("relate", relation, "previous")
    assert interpret("no the other one", GUY_AND_BOARD).kind == "correct"

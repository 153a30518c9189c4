"""The rule-based planner on each phenomenon, with varied wording."""
from __future__ import annotations

import pytest

from agent.planners import RuleBasedPlanner, build_planner, UnknownPlannerError
from agent.planners.base import PlannerContext

MEMORY = {"current": {"phrase": "the red mug", "category": "mug", "region_id": "r3"}, "history": []}
P = RuleBasedPlanner()


def interpret(text: str, memory=MEMORY, dialogue=None):
    return P.interpret(PlannerContext(dialogue=(dialogue or []) + [{"role": "user", "content": text}], memory=memory))


@pytest.mark.parametrize("text,category,colors,position", [
    ("segment the red mug", "mug", ["red"], None),
    ("Show me the cat on the left", "cat", [], "left"),
    ("Please highlight the green bottle at the top right.", "bottle", ["green"], "top right"),
    ("find the person", "person", [], None),
    ("where is the dog?", "dog", [], None),
    ("Please pick out the black jar.", "jar", ["black"], None),  # "out" was read as the category
])
def test_new_target(text, category, colors, position):
    i = interpret(text, memory={})
    assert (i.kind, i.category, i.colors, i.position) == ("new_target", category, colors, position)
    assert category in i.target and i.wants_mask


@pytest.mark.parametrize("text,part", [
    ("only its handle", "handle"), ("just the top", "top half"), ("the left half of it", "left half"),
    ("its lid", "lid"), ("only the upper part of it", "top half"), ("just the label", "label"),
    ("now only the bottom half", "bottom half"), ("the cap of it", "cap"),
])
def test_refine_part(text, part):
    i = interpret(text)
    assert i.kind == "refine_part" and i.part == part and "red mug" in i.target


@pytest.mark.parametrize("text,position", [
    ("no, the other one", None), ("not that, the left one", "left"), ("Nope, I meant the one on the right", "right"),
    ("wrong one", None), ("that's not it, the other mug", None),
])
def test_correction(text, position):
    i = interpret(text)
    assert i.kind == "correct" and i.exclude_previous and i.position == position


def test_correction_needs_a_previous_target():
    assert interpret("no, the red one", memory={}).kind != "correct"


@pytest.mark.parametrize("text,relation,reference", [
    ("the one next to it", "next_to", "previous"), ("what is under it", "below", "previous"),
    ("the thing left of the red one", "left_of", "the red one"), ("what's above that?", "above", "previous"),
    ("the bowl beside it", "next_to", "previous"), ("segment the object to the right of the blue box", "right_of", "the blue box"),
])
def test_relation(text, relation, reference):
    i = interpret(text)
    assert i.kind == "relate" and i.relation == relation and i.reference == reference and i.wants_mask


def test_an_action_between_two_things_is_a_nearness_relation_named_by_its_verb():
    i = interpret("Segment the man kicking the ball.", memory={})
    assert (i.kind, i.relation, i.reference, i.category, i.target) == (
        "relate", "next_to", "the ball", "man", "the man kicking the ball")
    i = interpret("The person walking next to the bikes.", memory={})  # a relation after the verb is the relation
    assert (i.relation, i.reference, i.category, i.target) == (
        "next_to", "the bikes", "person", "the person walking next to the bikes")
    i = interpret("the dog walking under the table", memory={})
    assert (i.relation, i.reference, i.category) == ("below", "the table", "dog")


@pytest.mark.parametrize("text,colors,size", [
    ("the red ones", ["red"], None), ("the biggest", [], "largest"), ("the smallest one", [], "smallest"),
    ("only the blue ones", ["blue"], None), ("the largest green one", ["green"], "largest"),
])
def test_attribute_filter(text, colors, size):
    i = interpret(text)
    assert i.kind == "filter_attribute" and i.colors == colors and i.size == size


@pytest.mark.parametrize("text,cue", [
    ("the sign that says EXIT", "EXIT"), ("find the word 'TISSOT'", "TISSOT"), ('the label reading "Dijon"', "Dijon"),
    ("highlight the text that reads OPEN", "OPEN"), ("the box labelled FRAGILE", "FRAGILE"),
])
def test_text_cue(text, cue):
    i = interpret(text, memory={})
    assert i.kind == "read_text" and i.text_cue == cue


@pytest.mark.parametrize("text,question", [
    ("what colour is it?", "color"), ("What color is that?", "color"), ("how many cups are there?", "count"),
    ("why did you pick that?", "why"), ("How big is it?", "size"), ("is there a dog?", "exists"),
    ("what does it say?", "text"),
])
def test_answer_only(text, question):
    i = interpret(text)
    assert i.kind == "answer_only" and not i.wants_mask and i.question == question


def test_answer_only_names_the_current_target():
    assert interpret("what colour is it?").target == "the red mug"
    assert interpret("how many red cups are there?").target == "the red cups"


@pytest.mark.parametrize("closing", [
    "Please use the conversation above to outline a segmentation that aligns with the answers provided.",
    "Based on the conversation above, generate a segmentation that supports the answers.",
    "Segment the provided conversation to match the answers accordingly.",
    "Use the above dialogue to produce a segmentation that backs up the answers.",
    "Please divide the conversation above to correspond with the given answers.",
])
def test_closing_request_infers_target_from_dialogue(closing):
    dialogue = [
        {"role": "user", "content": "What do the scattered loose papers around the typewriter indicate?"},
        {"role": "assistant", "content": "The scattered loose papers suggest ongoing activity related to typing."},
        {"role": "user", "content": "How can loose papers hint at active typing tasks?"},
        {"role": "assistant", "content": "Loose papers often indicate drafting or revisions."},
    ]
    i = interpret(closing, memory={}, dialogue=dialogue)
    assert i.kind == "segment_from_dialogue" and i.wants_mask
    assert "paper" in i.target and "loose" in i.target


def test_registry():
    assert build_planner("rule").name == "rule"
    with pytest.raises(UnknownPlannerError, match="unknown planner"):
        build_planner("nope")


def test_capitalised_words_are_a_text_cue():
    i = interpret("the word EXIT", memory={})
    assert i.kind == "read_text" and i.text_cue == "EXIT" and i.category == "word"
    assert interpret("the EXIT sign", memory={}).text_cue == "EXIT"


@pytest.mark.parametrize("text,target,category", [
    ("two ppl sitting in the snow, get the one in red", "the red one", "ppl"),  # the scene clause names the kind
    ("in the kitchen, show me the red mug", "the red mug", "mug"),
    ("theres a waiter at the back w a black apron, can u get him", "the waiter in the black apron in the back",
         "waiter"),
    ("sorry, get the cat pls", "the cat", "cat"),
])
def test_the_asking_clause_after_a_scene_clause(text, target, category):
    i = interpret(text, memory={})
    assert (i.target, i.category) == (target, category)


@pytest.mark.parametrize("text, target", [
    ("person in the light blue shirt cut off at the right edge", "the person in the light blue shirt at the right edge"),
    ("the guy cut off on the left", "the guy at the left edge"),
    ("the man on the left", "the man"),
    ("the edge of the table", "the table"),
    ("the top edge of the sign", "the sign"),  # a part of the sign, not a place in the photo
])
def test_a_thing_cut_off_by_the_border_is_said_at_that_edge(text, target):
    assert RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}])).target == target

"""PRIST-style dialogues: questions that name an object ground it, distractor sentences don't become targets,
and the closing request segments the target the dialogue settled on."""
import pytest

from agent.planners.base import PlannerContext
from agent.planners.focus import is_closing_request
from agent.planners.earlier_targets import closing_target
from agent.planners.rule_based import RuleBasedPlanner
from agent.planners.sentences import request_sentence

PLANNER = RuleBasedPlanner()
CUP = {"turn": 1, "phrase": "the orange cup", "category": "cup", "rle": {"size": [4, 4], "counts": "0"}, "part": None}


def _ctx(text, memory=None, image="scene.png"):
    return PlannerContext(dialogue=[{"role": "user", "content": text}], memory=memory or {}, image_path=image)


def test_request_sentence_drops_distractors():
    assert request_sentence("Sorry, my internet is slow today. Is the orange cup easy to spot?") == \
        "Is the orange cup easy to spot?"
    assert request_sentence("We're sorting products. Segment the white star. Thanks!") == "Segment the white star."
    assert request_sentence('Find the sign that says "EXIT. NOW".') == 'Find the sign that says "EXIT. NOW".'


def test_question_naming_a_new_object_grounds_it():
    intent = PLANNER.interpret(_ctx("Sorry, my internet is slow today. Is the orange cup easy to spot?"))
    assert intent.kind == "new_target" and intent.category == "cup" and intent.question
    assert "sorry" not in intent.target and "orange" in intent.colors


def test_question_pointing_back_stays_answer_only():
    memory = {"current": CUP, "history": [CUP]}
    intent = PLANNER.interpret(_ctx("What is its main colour?", memory))
    assert intent.kind == "answer_only" and not intent.wants_mask


def test_text_only_question_never_grounds():
    intent = PLANNER.interpret(_ctx("Is the orange cup easy to spot?", image=None))
    assert intent.kind == "answer_only"


STAR = {"turn": 2, "phrase": "the white star", "category": "star", "rle": {"size": [4, 4], "counts": "0"}}
CLOSING = "Use the dialogue so far to give a segmentation that justifies the answers."


def _dialogue(lines):
    turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(lines)]
    return [*turns, {"role": "user", "content": CLOSING}]


@pytest.mark.parametrize("lines, expected", [
    (["Tell me about the orange cup.", "It is an orange cup.", "Now the white star.", "Here is the white star.",
      "Is the orange cup full?", "The orange cup looks empty."], CUP),  # the talk comes back to the cup
    (["Tell me about the orange cup.", "It is an orange cup.", "Now the white star.", "The white star is bright.",
      "Is the white star the biggest shape?", "Yes, the white star is the biggest shape."], STAR),  # moved on
])
def test_closing_segments_the_target_the_dialogue_settled_on(lines, expected):
    memory = {"current": STAR, "history": [CUP, STAR]}
    intent = PLANNER.interpret(PlannerContext(dialogue=_dialogue(lines), memory=memory, image_path="scene.png"))
    assert intent.kind == "segment_from_dialogue"
    assert intent.reference == f"turn:{expected['turn']}" and intent.target == expected["phrase"]


def test_closing_target_matches_by_head_noun():
    memory = {"current": STAR, "history": [CUP, STAR]}
    assert closing_target("the white star", memory) is STAR
    assert closing_target("the orange cup", memory) is CUP
    assert closing_target("a blue whale", memory) is STAR  # nothing named: the current target
    assert closing_target("anything", {}) is None


def test_closing_paraphrases_are_recognised_and_questions_are_not():
    for text in ["Based on our dialogue, segment the object we have been discussing.",
                 "Draw the segmentation that corresponds to the answers in this conversation.",
                 "Please segment what the conversation above refers to.",
                 "Please use the conversation above to outline a segmentation that aligns with the answers provided."]:
        assert is_closing_request(text), text
    for text in ["Segment the red mug.", "What does the conversation bubble on the sign say?",
                 "How do the papers relate to the typewriter?"]:
        assert not is_closing_request(text), text

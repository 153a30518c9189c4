"""What an LLM planner's intent may claim: only colours and positions some turn states, and no reference to a
previous target that does not exist (agent.planners.chat_json.grounded_intent)."""
from agent.intent import Intent
from agent.planners.base import PlannerContext
import pytest

from agent.planners.chat_json import consistent_intent, grounded_intent
from agent.planners.reply_json import ReplyFormatError


def ctx(*turns, current=None):
    roles = ["user", "assistant"] * len(turns)
    return PlannerContext(dialogue=[{"role": r, "content": t} for r, t in zip(roles, turns)],
                          memory={"current": current} if current else {})


def test_copied_colours_and_positions_are_dropped():
    intent = Intent(kind="new_target", target="the dog on the sofa", colors=["red"], position="left")
    out = grounded_intent(intent, ctx("the dog on the sofa"))
    assert out.colors == [] and out.position is None and out.target == "the dog on the sofa"
    kept = grounded_intent(Intent(kind="new_target", target="mug", colors=["red"], position="left"),
                           ctx("the red mug on the left"))
    assert kept.colors == ["red"] and kept.position == "left"


def test_references_need_a_previous_target():
    out = grounded_intent(Intent(kind="correct", target="the umbrella", exclude_previous=True), ctx("the umbrella"))
    assert out.kind == "new_target" and not out.exclude_previous
    out = grounded_intent(Intent(kind="correct", target="the other dog", exclude_previous=True),
                          ctx("the dog", "I segmented the dog.", "no, the other one", current={"phrase": "the dog"}))
    assert out.kind == "correct" and out.exclude_previous
    assert grounded_intent(Intent(kind="relate", target="x", reference="previous"), ctx("what is under it")).reference is None


def test_only_a_request_about_the_conversation_segments_from_it():
    intent = Intent(kind="segment_from_dialogue", target="the red car on the left")
    assert grounded_intent(intent, ctx("segment the red car on the left")).kind == "new_target"
    closing = "Please use the conversation above to outline a segmentation that aligns with the answers provided."
    assert grounded_intent(intent, ctx("what is on the car?", "A sticker.", closing)).kind == "segment_from_dialogue"
    asked = Intent(kind="answer_only", target="the sticker on the car", wants_mask=False)
    repaired = grounded_intent(consistent_intent(asked, ctx("what is on the car?", "A sticker.", closing)),
                               ctx("what is on the car?", "A sticker.", closing))
    assert (repaired.kind, repaired.target, repaired.wants_mask) == ("segment_from_dialogue", "the sticker on the car", True)


def test_a_mask_request_read_as_a_question_is_sent_back():
    with pytest.raises(ReplyFormatError, match="asks for a mask \\('Mask'\\)"):
        consistent_intent(Intent(kind="answer_only", target="the pink circle", wants_mask=False),
                          ctx("It's for a school project. Mask the pink circle."))
    question = Intent(kind="answer_only", target="it", wants_mask=False, question="color")
    assert consistent_intent(question, ctx("what colour is it?")) is question


def test_a_target_that_is_the_conversation_itself_is_sent_back():
    closing = "Please use the conversation above to outline a segmentation that aligns with the answers provided."
    with pytest.raises(ReplyFormatError, match="names no visible thing"):
        consistent_intent(Intent(kind="segment_from_dialogue", target="the conversation"), ctx("what is it?", "A mug.", closing))
    mug = Intent(kind="segment_from_dialogue", target="the mug in the conversation")
    assert consistent_intent(mug, ctx("what is it?", "A mug.", closing)) is mug

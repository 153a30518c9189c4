"""What an LLM planner's intent may claim: only colours and positions some turn states, and no reference to a
previous target that does not exist (agent.planners.chat_json.grounded_intent)."""
from agent.intent import Intent
from agent.planners.base import PlannerContext
import pytest

from agent.planners.chat_json import consistent_intent, grounded_intent
from agent.planners.phrases import find_colors
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


def test_a_bare_noun_phrase_request_read_as_a_question_is_sent_back():
    """qwen2.5-coder-0.5b read "Now the woman in the white shirt." as answer_only; a turn that only names a thing
    asks for its mask. Chit-chat and questions may still be answered without one."""
    answer = Intent(kind="answer_only", target="the woman in the white shirt", wants_mask=False)
    current = {"phrase": "the man"}
    with pytest.raises(ReplyFormatError, match="names a thing and asks no question"):
        consistent_intent(answer, ctx("Segment the man.", "Done.", "Now the woman in the white shirt.",
                                      current=current))
    for said in ("That is great, thanks.", "Thanks a lot.", "Is the woman in the white shirt smiling?"):
        assert consistent_intent(answer, ctx("Segment the man.", "Done.", said, current=current)) is answer


def test_a_target_that_is_the_conversation_itself_is_sent_back():
    closing = "Please use the conversation above to outline a segmentation that aligns with the answers provided."
    with pytest.raises(ReplyFormatError, match="names no visible thing"):
        consistent_intent(Intent(kind="segment_from_dialogue", target="the conversation"), ctx("what is it?", "A mug.", closing))
    mug = Intent(kind="segment_from_dialogue", target="the mug in the conversation")
    assert consistent_intent(mug, ctx("what is it?", "A mug.", closing)) is mug


# the replies qwen2.5-coder-0.5b gave to plain requests of the synthetic test split (2026-12-03)
@pytest.mark.parametrize("request_text, reply", [
    ("Where is the purple star? Mark it please.",
     Intent(kind="read_text", target="the purple star", category="star", text_cue="Purple star")),
    ("Please pick out the black jar.", Intent(kind="read_text", target="the black jar", category="jar", text_cue="black jar")),
    ("Now, what about the red sign? Mark it.", Intent(kind="read_text", target="the red sign", category="sign", text_cue="EXIT")),
])
def test_a_text_cue_that_only_repeats_the_target_or_was_invented_is_dropped(request_text, reply):
    out = grounded_intent(reply, ctx(request_text))
    assert out.kind == "new_target" and out.text_cue is None
    assert out.colors == find_colors(request_text) and out.category == reply.category and out.target == reply.target


def test_a_text_cue_the_user_or_the_image_holds_is_kept():
    said = grounded_intent(Intent(kind="read_text", target="the EXIT sign", category="sign", text_cue="EXIT"),
                           ctx("the sign that says EXIT"))
    assert (said.kind, said.text_cue) == ("read_text", "EXIT")
    seen = PlannerContext(dialogue=[{"role": "user", "content": "segment the cola can"}], memory={},
                          image_facts={"regions": [{"id": "r1", "text": "Coca-Cola"}]})
    read = grounded_intent(Intent(kind="read_text", target="the Coca-Cola can", text_cue="Coca-Cola"), seen)
    assert (read.kind, read.text_cue) == ("read_text", "Coca-Cola")


def test_colours_the_target_names_fill_an_empty_list_only_when_stated():
    assert grounded_intent(Intent(kind="new_target", target="the black jar"), ctx("pick out the black jar")).colors == ["black"]
    assert grounded_intent(Intent(kind="new_target", target="the black jar"), ctx("pick out the jar")).colors == []

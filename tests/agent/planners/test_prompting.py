"""Prompt building and JSON extraction/repair for LLM planners (fast, no model)."""
from __future__ import annotations

import json

import pytest

from agent.intent import INTENT_KINDS, Intent
from agent.planners.base import PlannerContext
from agent.planners.prompting import (
    ReplyFormatError,
    answer_messages,
    clean_answer,
    extract_json,
    interpret_messages,
    parse_intent,
    parse_selection,
    select_messages,
)


def _context() -> PlannerContext:
    return PlannerContext(
        dialogue=[{"role": "user", "content": "segment the red mug"},
                  {"role": "assistant", "content": "I segmented the red mug on the left."},
                  {"role": "user", "content": "now the thing under it"}],
        memory={"current": {"target": "the red mug", "region_id": "r2", "box": [10, 20, 60, 90]}, "history": []},
        image_facts={"width": 640, "height": 480,
                     "regions": [{"id": "r2", "label": "region", "box": [10, 20, 60, 90], "source": "proposals",
                                  "attributes": {"colors": ["red"], "position": "left"}}],
                     "texts": [{"text": "EXIT", "box": [1, 2, 3, 4]}]},
    )


def test_interpret_messages_carry_dialogue_memory_and_facts():
    messages = interpret_messages(_context())
    assert messages[0]["role"] == "system"
    for kind in INTENT_KINDS:
        assert kind in messages[0]["content"]
    last = messages[-1]
    assert last["role"] == "user"
    assert "Current request: now the thing under it" in last["content"]
    assert "assistant: I segmented the red mug on the left." in last["content"]
    assert "640x480" in last["content"] and "'EXIT'" in last["content"] and "r2" in last["content"]
    # the current user turn is not repeated inside "Dialogue so far"
    assert last["content"].count("now the thing under it") == 1
    # few-shot pairs alternate user/assistant and every example answer is a valid Intent
    shots = messages[1:-1]
    assert len(shots) % 2 == 0 and len(shots) >= 4
    for user, assistant in zip(shots[::2], shots[1::2]):
        assert user["role"] == "user" and assistant["role"] == "assistant"
        Intent.from_record(json.loads(assistant["content"]))
    assert len(interpret_messages(_context(), few_shot=1)) == 4


def test_select_and_answer_messages():
    ctx = _context()
    sel = select_messages(ctx, Intent(kind="relate", target="the thing under the mug", relation="below"),
                          [{"id": "r7", "label": "plate", "box": [0, 0, 5, 5], "attributes": {"colors": ["white"]}}])
    assert '"ids"' in sel[0]["content"] and "r7" in sel[1]["content"] and "below" in sel[1]["content"]
    ans = answer_messages(ctx, Intent(kind="answer_only", target="the mug"), {"colors": ["red"], "area_fraction": 0.1})
    assert "red" in ans[1]["content"] and "now the thing under it" in ans[1]["content"]


@pytest.mark.parametrize("reply, expected", [
    ('Sure!\n```json\n{"kind": "new_target", "target": "dog", "wants_mask": true}\n```\nHope that helps {x}',
     {"kind": "new_target", "target": "dog", "wants_mask": True}),
    ("{'kind': 'correct', 'target': \"the man's hat\", 'exclude_previous': True, 'part': None,}",
     {"kind": "correct", "target": "the man's hat", "exclude_previous": True, "part": None}),
    ('{"kind": "relate", "colors": ["red", "blu', {"kind": "relate", "colors": ["red", "blu"]}),
    ('{"kind": "relate", "target": "x", "size', {"kind": "relate", "target": "x"}),
    ('{"kind": "relate", "target": "x", "wants_mask": tr', {"kind": "relate", "target": "x"}),
    ('{kind: "read_text", target: "EXIT sign"}', {"kind": "read_text", "target": "EXIT sign"}),
    ('{"target": "a {b} c", "kind": "new_target"}', {"target": "a {b} c", "kind": "new_target"}),
])
def test_extract_json_repairs(reply, expected):
    assert extract_json(reply) == expected


@pytest.mark.parametrize("reply", ["", "no json here", "[1, 2, 3]", "{{{{"])
def test_extract_json_rejects_junk(reply):
    with pytest.raises(ReplyFormatError) as info:
        extract_json(reply)
    assert "\n" not in str(info.value)


def test_extract_json_never_evaluates_code():
    with pytest.raises(ReplyFormatError):
        extract_json("{'a': __import__('os').system('echo hacked')}")


def test_parse_intent_normalises_near_misses():
    intent = parse_intent('{"kind": "Relation", "target": "cup", "relation": "under", "size": "biggest", '
                          '"colors": "red, blue", "wants_mask": "yes", "confidence": "high"}')
    assert intent.kind == "relate" and intent.relation == "below" and intent.size == "largest"
    assert intent.colors == ["red", "blue"] and intent.wants_mask is True and intent.confidence == 1.0
    ans = parse_intent('{"kind": "answer_only", "target": "the car", "question": "what colour?"}')
    assert ans.wants_mask is False
    corr = parse_intent('{"kind": "correct", "target": "the other dog"}')
    assert corr.exclude_previous is True


@pytest.mark.parametrize("reply, fragment", [
    ('{"kind": "dance", "target": "x"}', "unknown intent kind"),
    ('{"kind": "relate", "target": "x", "relation": "orbiting"}', "unknown relation"),
    ('{"kind": "new_target", "colors": 5}', "colors"),
])
def test_parse_intent_reports_invalid_values_in_one_line(reply, fragment):
    with pytest.raises(ReplyFormatError) as info:
        parse_intent(reply)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_parse_selection_validates_ids():
    assert parse_selection('{"ids": ["r2", "r2", "r5"]}', ["r1", "r2", "r5"]) == ["r2", "r5"]
    assert parse_selection('{"ids": "r1"}', ["r1"]) == ["r1"]
    assert parse_selection('{"ids": []}', ["r1"]) is None
    with pytest.raises(ReplyFormatError, match="unknown candidate ids"):
        parse_selection('{"ids": ["r9"]}', ["r1", "r2"])


def test_clean_answer():
    assert clean_answer("Answer: The mug is red.") == "The mug is red."
    assert clean_answer("   ") is None
    long = "A sentence. " * 100
    assert len(clean_answer(long, max_chars=50)) <= 50

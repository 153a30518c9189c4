"""agent.planners.replies: a model's JSON replies found, repaired and validated (fast, no model)."""
from __future__ import annotations

import pytest

from agent.planners.replies import ReplyFormatError, clean_answer, extract_json, parse_intent, parse_selection


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

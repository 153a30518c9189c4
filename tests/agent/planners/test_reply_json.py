"""agent.planners.reply_json: the first JSON object of a reply, with langchain_core closing truncated tails.
(tests/agent/planners/test_prompting.py pins the same function through agent.planners.replies.)"""
import pytest

from agent.planners.reply_json import ReplyFormatError, extract_json


@pytest.mark.parametrize("reply, expected", [
    ('Here: {"ids": ["r3", "r1"]} and {"ids": []}', {"ids": ["r3", "r1"]}),            # first object, chatter after
    ("{'part': 'the \"lid\"', 'wants_mask': False, }", {"part": 'the "lid"', "wants_mask": False}),
    ('{"target": "the mug", "colors": ["red", "gre', {"target": "the mug", "colors": ["red", "gre"]}),  # cut in a list
    ('{"target": "the mug", "relation": "bel', {"target": "the mug", "relation": "bel"}),   # cut in a string
    ('{"target": "the mug", "wants_mask": fa', {"target": "the mug"}),                     # cut in a literal: dropped
    ('{"target": "the mug", "box": [1, 2', {"target": "the mug", "box": [1, 2]}),
    ("{'target': 'the mug', 'exclude_previous': Tr", {"target": "the mug"}),
    ('{kind: "relate", target: "the mu', {"kind": "relate", "target": "the mu"}),        # bare keys and cut
    ('{"a": {"b": [{"c": 1}, {"d', {"a": {"b": [{"c": 1}, {}]}}),
])
def test_truncated_and_defective_replies(reply, expected):
    assert extract_json(reply) == expected


@pytest.mark.parametrize("reply", ["   ", "nothing", "[{]", "{{{{", '{"a": 1, "b": oops}'])
def test_no_object_is_a_one_line_error(reply):
    with pytest.raises(ReplyFormatError) as info:
        extract_json(reply)
    assert "\n" not in str(info.value)

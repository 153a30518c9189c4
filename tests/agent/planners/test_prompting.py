"""Prompt building for LLM planners (fast, no model; their replies: test_replies.py).

The prompt tests read a PlannerContext captured from a real `Session` run (a drawn scene, stand-in vision
backends): a planner that records what it is given and delegates to the rule planner. So the prompt sees exactly
the keys the pipeline writes, not a hand-built fixture.
"""
from __future__ import annotations

import json

import pytest

from agent.intent import INTENT_KINDS, Intent
from agent.planners.base import PlannerContext
from agent.planners.prompting import answer_messages, facts_text, interpret_messages, select_messages
from agent.planners.rule_based import RuleBasedPlanner
from agent.session import Session
from tests.agent.agent_scenes import FakeOcr, FakeProposals, FakeSegmenter, shapes_scene
from tools.grounders.descriptors import text_inside
from tools.regions import Region

EXIT_BOX = [348, 32, 440, 70]


class RecordingPlanner:
    """Records every PlannerContext it is given; the rule planner does the work."""

    name = "recording"

    def __init__(self):
        self.rule = RuleBasedPlanner()
        self.contexts: list[PlannerContext] = []

    def interpret(self, context):
        self.contexts.append(context)
        return self.rule.interpret(context)

    def select(self, context, intent, candidates):
        return self.rule.select(context, intent, candidates)

    def answer(self, context, intent, facts):
        return self.rule.answer(context, intent, facts)


class ProposalsWithText(FakeProposals):
    """Like the embedded proposals grounder: OCR lines inside a region go to its attributes["text"]."""

    def __init__(self, words: dict[str, list[float]]):
        self.boxes = [Region(box=box, text=text) for text, box in words.items()]

    def regions(self, image):
        regions = super().regions(image)
        for r in regions:
            found = text_inside(r.mask, self.boxes)
            if found:
                r.attributes["text"], r.text = found, " ".join(found)
        return regions


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> PlannerContext:
    """The context of turn 2 ("now the thing under it") after turn 1 segmented the blue square."""
    planner = RecordingPlanner()
    session = Session(shapes_scene().pixels, planner=planner, segmenter=FakeSegmenter(),
                      grounders=[ProposalsWithText({"EXIT": EXIT_BOX}), FakeOcr({"EXIT": EXIT_BOX})],
                      db_path=tmp_path_factory.mktemp("prompting") / "c.sqlite")
    session.ask("segment the blue square")
    session.ask("now the thing under it")
    session.close()
    assert len(planner.contexts) == 2
    return planner.contexts[-1]


def test_the_captured_context_is_what_the_pipeline_writes(context):
    assert context.memory["current"]["phrase"] == "the blue square" and "rle" not in context.memory["current"]
    assert any("EXIT" in (r.get("attributes") or {}).get("text", []) for r in context.image_facts["regions"])


def test_facts_name_the_previous_target_and_the_visible_text(context):
    facts = facts_text(context)
    assert "image: 480x320 pixels" in facts
    assert 'text read in the image: ["EXIT"]' in facts
    previous = next(line for line in facts.splitlines() if line.startswith("previous target: "))
    assert "the blue square" in previous and context.memory["current"]["region_id"] in previous
    assert "blue" in previous  # its colour, from the stored descriptors


def test_interpret_messages_carry_dialogue_memory_and_facts(context):
    messages = interpret_messages(context)
    assert messages[0]["role"] == "system"
    for kind in INTENT_KINDS:
        assert kind in messages[0]["content"]
    last = messages[-1]
    assert last["role"] == "user"
    assert "Current request: now the thing under it" in last["content"]
    assert "user: segment the blue square" in last["content"] and "assistant: I segmented" in last["content"]
    assert "480x320" in last["content"] and '"EXIT"' in last["content"] and "the blue square" in last["content"]
    # fixed image facts first, then the dialogue, then what changes each turn (a long shared prompt prefix)
    content = last["content"]
    assert content.index("480x320") < content.index("Dialogue so far") < content.index("previous target") \
        < content.index("Current request")
    # the current user turn is not repeated inside "Dialogue so far"
    assert last["content"].count("now the thing under it") == 1
    # few-shot pairs alternate user/assistant and every example answer is a valid Intent
    shots = messages[1:-1]
    assert len(shots) % 2 == 0 and len(shots) >= 4
    for user, assistant in zip(shots[::2], shots[1::2]):
        assert user["role"] == "user" and assistant["role"] == "assistant"
        Intent.from_record(json.loads(assistant["content"]))
    assert len(interpret_messages(context, few_shot=1)) == 4
    # one worked example per intent kind
    assert {json.loads(a["content"])["kind"] for a in shots[1::2]} == set(INTENT_KINDS)


def test_select_and_answer_messages(context):
    candidates = context.image_facts["regions"][:3]
    sel = select_messages(context, Intent(kind="relate", target="the thing under the blue square", relation="below"),
                          candidates)
    assert '"ids"' in sel[0]["content"] and candidates[0]["id"] in sel[1]["content"]
    assert "below" in sel[1]["content"] and "the blue square" in sel[1]["content"]
    ans = answer_messages(context, Intent(kind="answer_only", target="the blue square"),
                          {"colors": ["blue"], "area_fraction": 0.1})
    assert "blue" in ans[1]["content"] and "now the thing under it" in ans[1]["content"]

"""An LLM planner that answers junk, an unknown intent kind, or not at all: the turn is still answered (by the
rule planner) and its record carries the reason as one line. Real planner classes: the local planner on a tiny
random model whose generate() is made to reply a given text, and the OpenAI-compatible planner at a closed port."""
from __future__ import annotations

import socket

import pytest
import torch

from agent.planners.local_transformers import LocalTransformersPlanner
from agent.planners.openai_compatible import OpenAICompatiblePlanner
from agent.session import Session
from tests.agent.agent_scenes import FakeOcr, FakeProposals, FakeSegmenter, shapes_scene
from tests.agent.planners.test_local_transformers import tiny_model_folder
from tools.masks import iou


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_model_folder(tmp_path_factory.mktemp("tiny"))


def replying(planner: LocalTransformersPlanner, reply: str) -> LocalTransformersPlanner:
    """Make the planner's model answer `reply` to every prompt (the real decode and parse path runs)."""

    def generate(input_ids, attention_mask=None, **kw):
        new = planner.tokenizer(reply, return_tensors="pt", add_special_tokens=False)["input_ids"]
        return torch.cat([input_ids, new], dim=1)

    planner.model.generate = generate
    return planner


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


@pytest.mark.parametrize("case", ["not json", "unknown kind", "endpoint down"])
def test_the_turn_is_answered_by_the_fallback_with_a_one_line_reason(case, tiny, tmp_path):
    if case == "endpoint down":
        planner = OpenAICompatiblePlanner(base_url=closed_port_url(), model="m", timeout=2)
        expected = "refused"
    else:
        reply = "Sure! I will segment it for you." if case == "not json" else \
            '{"kind": "dance", "target": "the blue square"}'
        planner = replying(LocalTransformersPlanner(tiny, max_retries=1), reply)
        expected = "no usable interpret reply" if case == "not json" else "unknown intent kind 'dance'"
    scene = shapes_scene()
    session = Session(scene.pixels, planner=planner, segmenter=FakeSegmenter(),
                      grounders=[FakeProposals(), FakeOcr({})], db_path=tmp_path / "c.sqlite")
    result = session.ask("segment the blue square")
    reason = result.extra["planner_fallback"]
    assert reason and "\n" not in reason and expected in reason, reason
    assert iou(result.mask, scene.shapes["blue_square"]) > 0.9  # the rule planner's plan answered the turn
    assert session.history()[-1]["planner_fallback"] == reason  # and the stored turn record says so
    session.close()

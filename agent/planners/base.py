"""The `Planner` interface: interpret a turn into an Intent, optionally pick candidates and phrase answers.

Backends: the embedded rule-based planner (default), any OpenAI-compatible endpoint, a local
transformers model. Every backend raises `PlannerError` (one-line message) when it cannot answer;
the agent then falls back to the rule-based planner and says so in the turn's record.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypedDict, runtime_checkable

from agent.explain import MaskFacts
from agent.intent import Intent
from agent.state import Candidate, Memory
from tools.regions import RegionRecord


class PlannerError(RuntimeError):
    """A planner backend failed (endpoint down, timeout, junk output after retries)."""


class ImageFacts(TypedDict, total=False):
    """What a planner is told about the image ({} in a text-only session): its size, the detector's confident
    boxes (model planners only) and the proposals once a turn has computed them."""

    width: int
    height: int
    detections: list[RegionRecord]
    regions: list[RegionRecord]


@dataclass
class PlannerContext:
    """Everything a planner sees for one turn (all JSON-safe, no pixels).

    dialogue: [{"role": "user"|"assistant", "content": str}, ...] ending with the current user turn.
    memory: the intent memory without masks (agent.memory.planner_view): {"current": TargetRecord (phrase,
            category, region_id, box, attributes, text_read, evidence, ...) or None, "history": [TargetRecord, ...]}.
    image_facts: {"width", "height", "detections": [Region.to_record() of the detector's confident boxes] (model
            planners only), "regions": [Region.to_record() of the proposals, once computed; OCR lines inside a
            region are its attributes["text"]]} or {} (text-only).
    image_path: path of the image, for planners that can look at it (VLMs); None in text-only runs.
    """

    dialogue: list[dict[str, str]]
    memory: Memory = field(default_factory=dict)  # type: ignore[assignment]
    image_facts: ImageFacts = field(default_factory=dict)  # type: ignore[assignment]
    image_path: str | None = None

    @property
    def user_text(self) -> str:
        for message in reversed(self.dialogue):
            if message["role"] == "user":
                return message["content"]
        return ""


@runtime_checkable
class Planner(Protocol):
    name: str

    def interpret(self, context: PlannerContext) -> Intent:
        """The current user turn as an Intent."""
        ...

    def select(self, context: PlannerContext, intent: Intent, candidates: list[Candidate]) -> list[str] | None:
        """Ids of the chosen candidates, or None to let the agent's ranking decide."""
        ...

    def answer(self, context: PlannerContext, intent: Intent, facts: MaskFacts) -> str | None:
        """Answer text for the turn given pixel facts about the chosen target, or None to let the composer write it."""
        ...

"""The `System` interface that evals drive; the agent and MIRAS both implement it.

    conversation = system.start(image_or_None)
    result = conversation.ask("segment the red cup")   # -> TurnResult

With no image a system runs text-only: it answers and names its target, with no mask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from tools.images import ImageInput


@dataclass
class TurnResult:
    """What one turn produced.

    text: the answer / explanation shown to the user.
    target: the thing the system settled on, as a short phrase ("the red mug", "the EXIT sign").
    mask: bool (H, W) at original image size, or None when the turn produced no mask.
    score: the system's confidence in the mask, if any.
    timings: seconds per stage, e.g. {"total": 0.41, "segment": 0.05}.
    extra: anything else worth recording (RLE, boxes, evidence, intent kind).
    """

    text: str
    target: str | None = None
    mask: np.ndarray | None = None
    score: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Conversation(Protocol):
    def ask(self, text: str) -> TurnResult:
        ...


@runtime_checkable
class System(Protocol):
    name: str

    def start(self, image: ImageInput | None) -> Conversation:
        ...

"""Sanity baselines implementing tools.system.System (no models): they bracket what a real system should score.

- "empty":       never returns a mask (every scored turn is an empty prediction); names no target.
- "center-blob": a centred ellipse covering half the width and height; names the first noun chunk of the
                 first human turn as its target (a "the topic never changes" guess for focus agreement).
- "oracle":      returns the reference mask of each scored turn (needs the dataset); upper bound, IoU 1.0.
- "oracle-box":  the filled bounding box of the reference mask: what a perfect box with no segmenter gives.
"""
from __future__ import annotations

import re
import time

import numpy as np

from tools.images import ImageInput, load_image
from tools.masks import bbox
from tools.system import TurnResult

_ARTICLE_CHUNK = re.compile(r"\bthe\s+((?:[\w'-]+\s*){1,4})", re.IGNORECASE)
_CHUNK_STOP = set("of on in at to for from with by around near under over above below is are was were do does "
                  "did that which who what why how and or it its".split())


def first_noun_chunk(text: str) -> str | None:
    """Crude: the words after the first "the", up to a preposition/verb-ish stop word (at most 4 words)."""
    match = _ARTICLE_CHUNK.search(text or "")
    if not match:
        words = [w for w in re.findall(r"[\w'-]+", (text or "").lower()) if w not in _CHUNK_STOP]
        return " ".join(words[-3:]) or None
    words = []
    for word in match.group(1).split():
        if word.lower() in _CHUNK_STOP:
            break
        words.append(word.strip("?.!,").lower())
    return " ".join(words) or None


class _Conversation:
    def __init__(self, system: "BaselineSystem", image: ImageInput | None):
        self.system = system
        self.image = None if image is None else load_image(image)
        self.turn = 0
        self.human: list[str] = []

    def ask(self, text: str) -> TurnResult:
        t0 = time.perf_counter()
        self.human.append(text)
        mask, target = self.system.predict(self, text)
        self.turn += 1
        words = f"Here is {target}." if target else "I cannot tell."
        return TurnResult(text=words, target=target, mask=mask, timings={"total": time.perf_counter() - t0})

    def use_reference_answer(self, text: str) -> None:
        """--history gold: baselines keep no answer history, so there is nothing to replace."""


class BaselineSystem:
    """Base class: subclasses implement predict(conversation, text) -> (mask or None, target or None)."""

    name = "baseline"

    def start(self, image: ImageInput | None) -> _Conversation:
        return _Conversation(self, image)

    def predict(self, conv: _Conversation, text: str) -> tuple[np.ndarray | None, str | None]:
        raise NotImplementedError


class EmptySystem(BaselineSystem):
    name = "empty"

    def predict(self, conv, text):
        return None, None


class CenterBlobSystem(BaselineSystem):
    name = "center-blob"

    def predict(self, conv, text):
        target = first_noun_chunk(conv.human[0])
        if conv.image is None:
            return None, target
        h, w = conv.image.height, conv.image.width
        yy, xx = np.mgrid[0:h, 0:w]
        blob = ((xx - (w - 1) / 2) / (w / 4)) ** 2 + ((yy - (h - 1) / 2) / (h / 4)) ** 2 <= 1.0
        return blob, target


class OracleSystem(BaselineSystem):
    """Looks up the reference of (image hash, turn index) in the dataset it was built with."""

    def __init__(self, dataset, box: bool = False):
        self.name = "oracle-box" if box else "oracle"
        self.box = box
        self.records: dict[tuple[str | None, tuple[str, ...]], object] = {}
        self.by_image: dict[str, list] = {}
        for record in dataset.records:
            key = load_image(record.image).sha256 if record.image is not None else None
            self.by_image.setdefault(key, []).append(record)

    def predict(self, conv, text):
        key = conv.image.sha256 if conv.image is not None else None
        for record in self.by_image.get(key, []):
            turns = record.turns
            if len(turns) >= len(conv.human) and all(t.human == h for t, h in zip(turns, conv.human)):
                turn = turns[len(conv.human) - 1]
                target = turn.target or (record.focus if turn.closing else None)
                if not turn.scored:
                    return None, target
                mask = turn.reference_mask()
                if self.box:
                    box = bbox(mask)
                    mask = np.zeros_like(mask)
                    if box is not None:
                        mask[box[1]:box[3], box[0]:box[2]] = True
                return mask, target
        return None, None

"""The dev set's spec: hand-written dialogues on coco_tiny photos, read into typed records and checked.

The spec is the folder `dialogues/` beside this file: every `*.json` in it (read in name order) is a list of
    {"id": str, "image": "val2017/<file>.jpg" | "train2017/<file>.jpg", "tags": [str]?,
     "turns": [{"say": str, "kinds": [kind, ...], "ann": [COCO annotation id, ...]?, "target": str?,
                "answer": [keyword, ...]?}, ...]}
A turn with "ann" is scored against the union of those instance masks ("ann": [] means nothing should be
segmented: the reference mask is empty). A turn with "answer" is a question whose reply should contain one of the
keywords (case-insensitive, whole words, a trailing plural "s" ignored). Kinds come from TURN_KINDS.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SPEC_PATH = Path(__file__).with_name("dialogues")

TURN_KINDS = {
    "opener": "the first request of a conversation, often a question or a casual line",
    "category": "names the thing by its COCO class or an everyday name of it",
    "synonym": "names the thing by a word outside the 80 COCO names that is a kind of one (pup, mug, pickup)",
    "noun": "names a thing no COCO class covers (napkin, curtain, mustard)",
    "typo": "a misspelt or clipped word (gurl, frig, rihgt)",
    "attribute": "colour, size or another property picks the instance",
    "position": "left / right / top / bottom / middle picks the instance",
    "depth": "front / back / nearest / far / behind picks the instance",
    "bare": "a position or size with no noun ('the one on the left'): the picture implies the class",
    "relation": "a relation to another thing picks the target ('the cup next to the laptop')",
    "people": "tells people apart (clothing colour, gender or age words, pose, what they hold or ride)",
    "part": "a part of the current target (her head, its handle)",
    "correction": "undoes the last choice ('no, the other one')",
    "plural": "several instances at once (all the ..., both ...)",
    "back": "goes back to an earlier target",
    "absent": "asks for something that is not in the photo: the right answer is no mask",
    "question": "asks something the reply should answer (how many, what colour, what is written, what she holds)",
    "chatter": "talk that asks for nothing",
}


class SpecError(ValueError):
    """The spec is malformed; the message names the dialogue and turn."""


@dataclass
class SpecTurn:
    """One human turn. ann None: unscored; [] : scored against an empty mask. answer: keywords, any of them."""

    say: str
    kinds: list[str]
    ann: list[int] | None = None
    target: str | None = None
    answer: list[str] = field(default_factory=list)

    @property
    def scored(self) -> bool:
        return self.ann is not None


@dataclass
class SpecDialogue:
    """One conversation on one photo; image is relative to the COCO root (split/file)."""

    id: str
    image: str
    turns: list[SpecTurn]
    tags: list[str] = field(default_factory=list)

    @property
    def split(self) -> str:
        return self.image.split("/", 1)[0]

    @property
    def file_name(self) -> str:
        return self.image.split("/", 1)[1]


def _turn(raw: object, where: str) -> SpecTurn:
    if not isinstance(raw, dict) or not isinstance(raw.get("say"), str) or not raw["say"].strip():
        raise SpecError(f"{where}: a turn needs a non-empty 'say'")
    unknown = set(raw) - {"say", "kinds", "ann", "target", "answer"}
    if unknown:
        raise SpecError(f"{where}: unknown keys {sorted(unknown)}")
    kinds = raw.get("kinds")
    if not isinstance(kinds, list) or not kinds or any(k not in TURN_KINDS for k in kinds):
        raise SpecError(f"{where}: 'kinds' must be a non-empty list of {sorted(TURN_KINDS)}, got {kinds!r}")
    ann = raw.get("ann")
    if ann is not None and (not isinstance(ann, list) or not all(isinstance(a, int) for a in ann)):
        raise SpecError(f"{where}: 'ann' must be a list of COCO annotation ids")
    answer = raw.get("answer") or []
    if not isinstance(answer, list) or not all(isinstance(a, str) and a.strip() for a in answer):
        raise SpecError(f"{where}: 'answer' must be a list of keywords")
    if answer and "question" not in kinds:
        raise SpecError(f"{where}: a turn with an expected answer must have the kind 'question'")
    if "absent" in kinds and ann != []:
        raise SpecError(f"{where}: an 'absent' turn is scored against an empty mask: write \"ann\": []")
    target = raw.get("target")
    if target is not None and not isinstance(target, str):
        raise SpecError(f"{where}: 'target' must be a string")
    return SpecTurn(say=raw["say"], kinds=list(kinds), ann=ann, target=target, answer=list(answer))


def parse_spec(items: object) -> list[SpecDialogue]:
    """Typed dialogues from the spec's JSON value; raises SpecError (one line) on anything malformed."""
    if not isinstance(items, list):
        raise SpecError("the spec must be a JSON list of dialogues")
    out: list[SpecDialogue] = []
    seen: set[str] = set()
    for n, raw in enumerate(items):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise SpecError(f"dialogue {n}: needs a string 'id'")
        where = f"dialogue {raw['id']!r}"
        if raw["id"] in seen:
            raise SpecError(f"{where}: duplicate id")
        seen.add(raw["id"])
        image = raw.get("image")
        if not isinstance(image, str) or image.count("/") != 1 or not image.endswith(".jpg"):
            raise SpecError(f"{where}: 'image' must look like 'val2017/<file>.jpg'")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not turns:
            raise SpecError(f"{where}: needs a non-empty 'turns' list")
        tags = raw.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise SpecError(f"{where}: 'tags' must be a list of strings")
        out.append(SpecDialogue(id=raw["id"], image=image, tags=list(tags),
                                turns=[_turn(t, f"{where} turn {i}") for i, t in enumerate(turns)]))
    return out


def load_spec(path: str | Path = SPEC_PATH) -> list[SpecDialogue]:
    """Read and check the spec: one JSON file, or every *.json of a folder in name order (ids unique across all)."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise SpecError(f"{path}: no *.json spec files in this folder")
    items: list = []
    for file in files:
        try:
            part = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SpecError(f"{file}: no such spec file") from None
        except json.JSONDecodeError as exc:
            raise SpecError(f"{file}: not valid JSON ({exc})") from None
        if not isinstance(part, list):
            raise SpecError(f"{file}: the spec must be a JSON list of dialogues")
        items.extend(part)
    return parse_spec(items)

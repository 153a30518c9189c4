"""`Intent`: what one user turn asks for, as a planner interprets it.

Kinds (the phenomena of multi-turn pixel reasoning):
  new_target            "segment the red mug"
  refine_part           "only its handle", "just the top"          (sub-region of the previous target)
  correct               "no, the other one", "not that, the left one" (exclude the previous choice)
  relate                "the one next to it", "what is under it"   (relation to an earlier target)
  filter_attribute      "the red ones", "the biggest"
  read_text             "the sign that says EXIT"                   (OCR cue)
  answer_only           "what colour is it?"                        (text answer, no mask)
  segment_from_dialogue "Use the above dialogue to produce a segmentation ..." (target inferred from dialogue)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from agent.json_types import JSONObject
from agent.state import IntentRecord
from tools.people.words import FACINGS, POSES

INTENT_KINDS = (
    "new_target",
    "refine_part",
    "correct",
    "relate",
    "filter_attribute",
    "read_text",
    "answer_only",
    "segment_from_dialogue",
)

RELATIONS = ("left_of", "right_of", "above", "below", "inside", "contains", "next_to", "overlaps", "in_front_of",
             "behind", "held_by")  # held_by: the thing the reference (a person) holds, carries or eats
DEPTHS = ("front", "back")
SIZES = ("largest", "smallest")
QUESTIONS = ("count", "exists", "color", "where", "size", "shape", "text", "why", "wearing", "doing", "who", "visible", "describe", "chatter")  # answer_only topics


@dataclass
class Intent:
    """One turn's interpretation.

    target: short phrase naming what should be segmented ("the red mug"), also for text-only runs.
    category: the head noun if any ("mug"); colors/position/size/shape: attribute filters.
    text_cue: words the target shows ("EXIT"); part: sub-region asked for ("handle", "top half").
    relation + reference: e.g. ("below", "previous") = the thing below the previous target.
    exclude_previous: a correction rejects the previous choice.
    question: for answer_only turns, what is being asked.
    garment: a garment or hair word the colours are said of ("shirt": measured on the person's torso).
    pose: a person's pose the request names (one of POSES: "the man sitting" -> "sitting").
    facing: "toward" the camera or "away" from it (FACINGS: "the guy with his back to us" -> "away").
    notes: how the request was read, for the explanation ("read 'frig' as 'fridge'").
    """

    kind: str = "new_target"
    target: str = ""
    wants_mask: bool = True
    category: str | None = None
    colors: list[str] = field(default_factory=list)
    position: str | None = None
    size: str | None = None
    shape: str | None = None
    depth: str | None = None
    garment: str | None = None
    pose: str | None = None
    facing: str | None = None
    text_cue: str | None = None
    part: str | None = None
    relation: str | None = None
    reference: str | None = None
    exclude_previous: bool = False
    question: str | None = None
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind not in INTENT_KINDS:
            raise ValueError(f"unknown intent kind {self.kind!r}; expected one of {', '.join(INTENT_KINDS)}")
        if self.relation is not None and self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}; expected one of {', '.join(RELATIONS)}")
        if self.depth is not None and self.depth not in DEPTHS:
            raise ValueError(f"unknown depth {self.depth!r}; expected one of {', '.join(DEPTHS)}")
        if self.facing is not None and self.facing not in FACINGS:
            raise ValueError(f"unknown facing {self.facing!r}; expected one of {', '.join(FACINGS)}")
        if self.pose is not None and self.pose not in POSES:
            raise ValueError(f"unknown pose {self.pose!r}; expected one of {', '.join(POSES)}")
        if self.size is not None and self.size not in SIZES:
            raise ValueError(f"unknown size {self.size!r}; expected one of {', '.join(SIZES)}")

    def to_record(self) -> IntentRecord:
        return asdict(self)  # type: ignore[return-value]

    @classmethod
    def from_record(cls, record: JSONObject) -> "Intent":
        """Build from a dict, ignoring unknown keys (LLM output is validated by __post_init__)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in known})


INTENT_JSON_SCHEMA: JSONObject = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": list(INTENT_KINDS)},
        "target": {"type": "string"},
        "wants_mask": {"type": "boolean"},
        "category": {"type": ["string", "null"]},
        "colors": {"type": "array", "items": {"type": "string"}},
        "position": {"type": ["string", "null"]},
        "size": {"type": ["string", "null"], "enum": [*SIZES, None]},
        "shape": {"type": ["string", "null"]},
        "depth": {"type": ["string", "null"], "enum": [*DEPTHS, None]},
        "garment": {"type": ["string", "null"]},
        "text_cue": {"type": ["string", "null"]},
        "part": {"type": ["string", "null"]},
        "relation": {"type": ["string", "null"], "enum": [*RELATIONS, None]},
        "reference": {"type": ["string", "null"]},
        "exclude_previous": {"type": "boolean"},
        "question": {"type": ["string", "null"]},
    },
    "required": ["kind", "target", "wants_mask"],
    "additionalProperties": False,
}

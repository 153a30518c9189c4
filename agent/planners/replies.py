"""Reading a planner model's replies: one Intent JSON object (`parse_intent`), a selection {"ids": [...]}
(`parse_selection`) and a plain answer (`clean_answer`).

The JSON is found and repaired by agent.planners.reply_json.extract_json (never evaluated as code); common
near-misses (kind, relation and size synonyms, string booleans, a colour given as a string) are mapped onto the
schema by `normalize_intent_record`. Every failure is a ReplyFormatError whose one line is fed back to the
model as the retry message (agent.planners.prompting.retry_message).
"""
from __future__ import annotations

import json
import re
from typing import Any

from agent.intent import QUESTIONS, RELATIONS, SIZES, Intent
from agent.json_types import JSONObject
from agent.planners.reply_json import ReplyFormatError, extract_json

_RELATION_ALIASES = {
    "left": "left_of", "to the left of": "left_of", "right": "right_of", "to the right of": "right_of",
    "on": "above", "on top of": "above", "over": "above", "under": "below", "underneath": "below",
    "beneath": "below", "in": "inside", "within": "inside", "holding": "contains", "near": "next_to",
    "beside": "next_to", "next to": "next_to", "adjacent": "next_to", "behind": "overlaps",
    "in front of": "overlaps", "overlapping": "overlaps",
}
_SIZE_ALIASES = {"biggest": "largest", "large": "largest", "big": "largest", "smallest": "smallest",
                 "small": "smallest", "tiny": "smallest", "largest": "largest"}
_KIND_ALIASES = {"segment": "new_target", "new": "new_target", "refine": "refine_part", "part": "refine_part",
                 "correction": "correct", "relation": "relate", "filter": "filter_attribute",
                 "text": "read_text", "ocr": "read_text", "answer": "answer_only", "question": "answer_only",
                 "dialogue": "segment_from_dialogue"}
_STR_FIELDS = ("target", "category", "position", "shape", "text_cue", "part", "reference", "question")


def _as_bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    if isinstance(value, (int, float)):
        return bool(value)
    return default


def normalize_intent_record(record: JSONObject) -> JSONObject:
    """Map common near-misses (kind/relation/size synonyms, string booleans, a string colour) to the schema."""
    rec = dict(record.get("intent", record)) if isinstance(record.get("intent"), dict) else dict(record)
    kind = str(rec.get("kind") or "new_target").strip().lower().replace(" ", "_").replace("-", "_")
    rec["kind"] = _KIND_ALIASES.get(kind, kind)
    for key in _STR_FIELDS:
        value = rec.get(key)
        if value is not None and not isinstance(value, str):
            rec[key] = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        if isinstance(rec.get(key), str) and rec[key].strip().lower() in ("", "null", "none"):
            rec[key] = None if key != "target" else ""
    rec["target"] = rec.get("target") or ""
    colors = rec.get("colors")
    if colors is None or colors == "":
        rec["colors"] = []
    elif isinstance(colors, str):
        rec["colors"] = [c.strip().lower() for c in re.split(r"[,/ ]+", colors) if c.strip()]
    elif isinstance(colors, list):
        rec["colors"] = [str(c).strip().lower() for c in colors if str(c).strip()]
    else:
        raise ReplyFormatError(f"colors must be a list of strings, got {colors!r}")
    for key, aliases, allowed in (("relation", _RELATION_ALIASES, RELATIONS), ("size", _SIZE_ALIASES, SIZES)):
        value = rec.get(key)
        if isinstance(value, str):
            low = value.strip().lower().replace("-", "_")
            low = aliases.get(low.replace("_", " "), aliases.get(low, low))
            rec[key] = low if low not in ("", "null", "none") else None
        elif value is not None:
            raise ReplyFormatError(f"{key} must be a string or null, got {value!r}")
    question = rec.get("question")
    if isinstance(question, str) and question.strip().lower() not in QUESTIONS:
        from agent.planners.questions import question_topic  # the rule planner's reading of a question's topic

        rec["question"] = question_topic(question)
    elif isinstance(question, str):
        rec["question"] = question.strip().lower()
    rec["wants_mask"] = _as_bool(rec.get("wants_mask"), rec["kind"] != "answer_only")
    rec["exclude_previous"] = _as_bool(rec.get("exclude_previous"), rec["kind"] == "correct")
    try:
        rec["confidence"] = float(rec.get("confidence", 1.0))
    except (TypeError, ValueError):
        rec["confidence"] = 1.0
    return rec


def parse_intent(text: str) -> Intent:
    """A model reply -> validated Intent; ReplyFormatError (one line, usable as retry feedback) otherwise."""
    record = extract_json(text)
    try:
        return Intent.from_record(normalize_intent_record(record))
    except (TypeError, ValueError) as exc:
        raise ReplyFormatError(str(exc).splitlines()[0]) from None


def parse_selection(text: str, candidate_ids: list[str]) -> list[str] | None:
    """A reply {"ids": [...]} -> the ids, all checked against `candidate_ids`; [] or null -> None."""
    record = extract_json(text)
    ids = record.get("ids", record.get("id", record.get("selected")))
    if ids is None or ids == []:
        return None
    if isinstance(ids, (str, int)):
        ids = [ids]
    if not isinstance(ids, list):
        raise ReplyFormatError(f"ids must be a list of candidate ids, got {ids!r}")
    known = set(candidate_ids)
    chosen = [str(i) for i in ids]
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise ReplyFormatError(f"unknown candidate ids {unknown[:5]}; valid ids are {sorted(known)[:20]}")
    return list(dict.fromkeys(chosen))


def clean_answer(text: str, max_chars: int = 600) -> str | None:
    """Plain answer text: code fences and role prefixes stripped, cut at max_chars; None when empty."""
    if not isinstance(text, str):
        return None
    out = re.sub(r"```[a-zA-Z]*", "", text).strip()
    out = re.sub(r"^(assistant|answer)\s*:\s*", "", out, flags=re.I).strip()
    if len(out) > max_chars:
        cut = out[:max_chars]
        out = cut[: cut.rfind(".") + 1] if "." in cut else cut
    return out or None

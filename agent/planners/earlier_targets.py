"""The rule planner's reading of the intent memory: which earlier target a turn names ("both of them", "his
cup" after a part, a closing request's focus, "the dog" segmented two turns ago) and the facts stored with it."""
from __future__ import annotations

import re

from agent.explain import MaskFacts
from agent.intent import Intent
from agent.memory import turns_reference
from agent.state import Memory, TargetRecord
from tools.vocabulary import coco_category, singular

TOGETHER = re.compile(r"^\W*(?:(?:ok|okay|now|and|so|then)\s+)*(?:both(?: of them| together)?|them both|all of them|"
                      r"the two of them|all three|all 3|both at once)(?:\s+(?:pls|please|together|now|at once))*\W*$",
                      re.IGNORECASE)


BOTH_NAMED = re.compile(r"^\W*(?:(?:ok|okay|now|and|so|then)\s+)*(?:both|the two)\s+(?:of the\s+)?(?P<noun>[a-z]+)"
                        r"(?:\s+(?:pls|please|together|now|at once))*\W*$", re.IGNORECASE)


def together_intent(low: str, memory: Memory | None) -> Intent | None:
    """ "both of them" / "all of them": the last two (all: every) distinct whole targets of earlier turns, joined;
    "both screens" too when those two are of the class the noun names (the left and the right one just found)."""
    together, named = TOGETHER.search(low), BOTH_NAMED.search(low)
    if not together and not named:
        return None
    picked: list[TargetRecord] = []
    for record in reversed((memory or {}).get("history") or []):
        if record.get("part") or not record.get("rle", True) or record.get("kind") == "answer_only":
            continue
        if all(record.get("region_id") != p.get("region_id") or record.get("region_id") is None for p in picked):
            picked.append(record)
    picked = picked[: 2 if "both" in low or "two" in low else len(picked)]
    if len(picked) < 2:
        return None
    if named and not together:
        kind = coco_category(singular(named.group("noun")))
        if kind is None or any(coco_category(p.get("category")) != kind for p in picked):
            return None
    return Intent(kind="new_target", target=" and ".join(str(p.get("phrase")) for p in reversed(picked)),
                  reference=turns_reference([int(p["turn"]) for p in reversed(picked)]), confidence=0.8)


def person_named_by_pronoun(low: str, memory: Memory | None) -> TargetRecord | None:
    """The latest whole-person target when the turn says he/she/his/her/him/they/their but the current target is
    no whole person (the cup he held, her head: "their legs" after "only their head" are the person's), else
    None."""
    current = (memory or {}).get("current") or {}
    whole_person = coco_category(current.get("category")) == "person" and not current.get("part")
    if whole_person or not current or not re.search(r"\b(he|she|his|her|him|hers|hes|shes|they|them|their|theirs)\b",
                                                    low):
        return None
    return next((r for r in reversed((memory or {}).get("history") or []) if is_whole_person(r)), None)


def is_whole_person(record: TargetRecord) -> bool:
    """A target that is a whole person with a mask (not their head, not a text-only turn)."""
    return coco_category(record.get("category")) == "person" and not record.get("part") and record.get("rle", True)


def closing_target(focus: str, memory: Memory | None) -> TargetRecord | None:
    """For a closing request in an image session: the earlier whole-object target that the inferred focus
    names (by head noun), else the current target; None when nothing was segmented yet."""
    history = (memory or {}).get("history") or []
    if not history:
        return None
    for word in reversed(re.findall(r"[a-z]+", (focus or "").lower())):
        found = named_target(singular(word), memory)
        if found is not None:
            return found
    return (memory or {}).get("current") or None


def named_target(noun: str | None, memory: Memory | None) -> TargetRecord | None:
    """The latest whole-object target (no part) whose category or phrase names `noun`, or None."""
    if not noun:
        return None
    for record in reversed((memory or {}).get("history") or []):
        words = {singular(w) for w in re.findall(r"[a-z]+", str(record.get("phrase") or "").lower())}
        if not record.get("part") and (record.get("category") == noun or noun in words):
            return record
    return None


def earlier_facts(record: TargetRecord | None) -> MaskFacts | None:
    """Explanation facts rebuilt from a target record's stored descriptors (None when it has none)."""
    a = (record or {}).get("attributes") or {}
    if not a.get("box") or "area" not in a:
        return None
    return {"box": [int(v) for v in a["box"]], "area": int(a["area"]), "area_fraction": float(a.get("area_fraction", 0.0)),
            "position": a.get("position", "image"), "size": a.get("size", ""), "colors": a.get("colors") or [],
            "shape": a.get("shape", "irregular"), "text": " ".join(a["text"]) if a.get("text") else None}


def earlier_target_described(phrase: str, memory: Memory | None) -> TargetRecord | None:
    """The latest whole target of an earlier turn that a described reference repeats ("the lady in the black coat"
    after "the woman in the long black coat with the bag"): the same COCO class, no contradicting gender word, and
    every describing word of `phrase` (not the class's own name, a person's gender or age; a role such as
    "catcher" describes) in the target's phrase; None when the phrase describes nothing beyond its class or no target fits."""
    from agent.planners.phrases import STOP
    from tools.people.words import AGE_WORDS, GENDER_WORDS

    kind = coco_category(phrase)
    words = [w for w in re.findall(r"[a-z]+", phrase.lower()) if w not in STOP]
    describing = {singular(w) for w in words if w not in GENDER_WORDS and w not in AGE_WORDS and
                  singular(w) not in (kind, "person", "people", "one", "thing")}  # "catcher", "pup" say more
    if kind is None or not describing:
        return None
    gender = {GENDER_WORDS[w] for w in words if w in GENDER_WORDS}
    for record in reversed((memory or {}).get("history") or []):
        said = re.findall(r"[a-z]+", str(record.get("phrase") or "").lower())
        if record.get("part") or not record.get("rle", True) or coco_category(record.get("category")) != kind:
            continue
        if gender and {GENDER_WORDS[w] for w in said if w in GENDER_WORDS} - gender:
            continue
        if describing <= {singular(w) for w in said}:
            return record
    return None

"""Phrases about people the rule planner reads: what the target wears kept in its phrase, a pronoun reference
that ends at the pronoun ("next to her in jeans": the jeans are his), "right" as "just" ("right behind him"), and
a request that opens by naming a person before a body word ("the guy w sunglasses on his head" is no part request).
"""
from __future__ import annotations

import re

from agent.planners.phrases import COLORS, LEADING_OPENERS
from tools.people.clothing import HAIR_COLOR_WORDS, worn_items, worn_phrase
from tools.people.words import ARMS_UP
from tools.vocabulary import PERSON_FEATURE_WORDS, coco_category

# "right behind him", "right next to the door": "right" as "just", never the right side
RIGHT_AS_JUST = re.compile(r"\bright (?=(?:behind|next to|beside|in front|by|above|below|under|over|there|here|"
                           r"between|after|before|against|near)\b)", re.IGNORECASE)


# "catcher's mitt", "the girl's racket", "the redheads tie": a thing of the person the first noun names
POSSESSIVE = re.compile(rf"^\W*{LEADING_OPENERS}(?:the\s+)?(?P<owner>[a-z]+)(?:'s|s')\s+"
                        r"(?P<thing>[a-z]+(?: [a-z]+)?)\W*$", re.IGNORECASE)


def possessive_owner(text: str) -> tuple[str, str] | None:
    """(owner, thing) for "<person>'s <thing>" ("catcher's mitt" -> ("catcher", "mitt")) when the owner is a
    person word and the thing is not; None otherwise."""
    found = POSSESSIVE.match(text.lower())
    if not found:
        return None
    owner, thing = found.group("owner"), found.group("thing")
    if coco_category(owner) != "person" or coco_category(thing) in (None, "person"):
        return None
    return owner, thing


def _phrase(words: list[str]) -> str:
    return "the " + " ".join(words)


def described(category: str | None, words: list[str], text: str) -> str:
    """The target phrase with what a person wears kept whole ("the lady in the black and white top with blonde
    hair"), so the candidates can measure each item; other targets are their noun phrase."""
    person = coco_category(category) == "person"
    items = worn_items(text) if person else []
    arms = " with arms up" if person and ARMS_UP.search(text.lower()) else ""  # read again by people.request_cues
    features = [w for w in re.findall(r"[a-z]+", text.lower()) if w in PERSON_FEATURE_WORDS] if person else []
    if features:  # "the one in front w the ponytail" -> "the one with the ponytail"
        words = [w for w in words if w not in PERSON_FEATURE_WORDS and w not in ("w", "with")] or \
            ["people" if re.search(r"\bones\b", text.lower()) else "person"]
        arms = f" with the {features[0]}{arms}"
    if not items:
        return (_phrase(words) if words else "the thing") + arms
    said = {w for it in items for w in it.said.split()} | set(HAIR_COLOR_WORDS)
    kept = [w for w in words if w not in said and w not in COLORS]
    return f"{_phrase(kept or ['person'])} {worn_phrase(items)}{arms}"


def names_someone_first(category: str | None, words: list[str], text: str) -> bool:
    """(category, words): the request's noun phrase. True when the request opens by naming a person or thing
    ("the guy in black w sunglasses on his head", "the keyboard under its head"): a new target described by a
    part, not a part of the current one."""
    low = text.lower()
    if coco_category(category) is None or category in ("people",) or not words:  # "the keyboard under its head"
        return False
    at = re.search(rf"\b{re.escape(words[-1])}\b(?!'s)", low)
    part_at = re.search(r"\b(head|face|hair|legs?|feet|foot|arms?|hands?|torso|chest|body)\b", low)
    return bool(at and part_at and at.start() < part_at.start())


# after a pronoun reference, words that describe the target, not the reference ("next to her in jeans")
_TARGET_TAIL = re.compile(r"^(her|him|them|it|me|us|this one|that one)\b\s*,?\s*((?:in|with|w|wearing|dressed|on the|"
                          r"at the|who|that|and|n|sitting|standing|kneeling|holding|,)\b.*)$")


def pronoun_reference(rest: str) -> tuple[str, str]:
    """(reference words, words about the target) for the words after a relation ("her in jeans n a leather
    jacket" -> ("her", "in jeans n a leather jacket")); a noun reference keeps all its words."""
    m = _TARGET_TAIL.match(rest.strip())
    if m:
        return m.group(1), m.group(2)
    before, comma, after = rest.partition(",")  # "the umbrella, back to us": the clause is said of the target
    return (before.strip(), after.strip()) if comma and before.strip() else (rest, "")

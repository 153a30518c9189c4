"""Possessives typed without the apostrophe: "the batters shirt" -> "the batter's shirt", "the redheads tie" ->
"the redhead's tie", "the dogs collar" -> "the dog's collar".

A word ending in -s is read as a possessive when its singular names a thing or a person (a COCO class or one of
its everyday names: batter, redhead, dog) and the next word names something one has (a garment, a body part, a
person's feature, a COCO thing). Left alone: a counted plural ("both kids helmets"), a known two-word name
("sports ball"), and words typed with their apostrophe.
"""
from __future__ import annotations

import re

from agent.planners.phrases import find_part
from tools.lexicon import is_noun
from tools.vocabulary import (CATEGORY_SYNONYMS, FILLER_WORDS, GARMENT_WORDS, PERSON_FEATURE_WORDS, POSITION_WORDS,
                              coco_category)

COUNTED = frozenset({"all", "both", "every", "each", "two", "three", "four", "five", "six", "several", "many", "some",
                     "these", "those"})  # "both kids helmets": the helmets of both kids, a plural left as typed
_PAIR = re.compile(r"\b(?P<owner>[a-z]{2,}[^s'\W]s)\s+(?P<thing>[a-z]+)\b", re.IGNORECASE)
# nouns to WordNet ("in" is indium, "are" a unit of area), yet no thing one has
NOT_OWNED = frozenset({*POSITION_WORDS, *FILLER_WORDS, "there", "here", "together", "again", "too", "now", "then",
                       "both", "all", "each", "one", "ones", "only", "just", "in", "on", "at", "by", "up", "down",
                       "out", "off", "over", "under", "are", "were", "was", "is", "be", "and", "or", "but", "as"})


def _is_owned_thing(word: str) -> bool:
    """A garment, a body part, a feature, a COCO thing, or another noun that is no verb form ("collar", "trunk";
    not "running" nor "parked") and no place or filler word."""
    w = word.lower()
    if w in GARMENT_WORDS or w in PERSON_FEATURE_WORDS or find_part(w) is not None or coco_category(w) is not None:
        return True
    return w not in NOT_OWNED and not w.endswith(("ing", "ed")) and is_noun(w)


def restore_possessives(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(the text with apostrophe-less possessives restored, [(typed, read as), ...])."""
    changes: list[tuple[str, str]] = []

    def fix(m: re.Match) -> str:
        owner, thing = m.group("owner"), m.group("thing")
        before = text[: m.start()].split()
        if (before and before[-1].lower() in COUNTED) or f"{owner} {thing}".lower() in CATEGORY_SYNONYMS:
            return m.group(0)
        if coco_category(owner[:-1]) is None or not _is_owned_thing(thing):
            return m.group(0)
        changes.append((owner, f"{owner[:-1]}'s"))
        return f"{owner[:-1]}'s {thing}"

    return _PAIR.sub(fix, text), changes

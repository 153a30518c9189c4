"""A person's things and parts: "his board", "her legs", "the bike he is riding", "catcher's mitt".

    their_thing_intent("his board", context, attrs) -> relate held_by the current person (or the last person a
    pronoun names when the current target is a thing)
"""
from __future__ import annotations

import re

from agent.intent import Intent
from agent.memory import turn_reference
from agent.planners.base import PlannerContext
from agent.planners.earlier_targets import person_named_by_pronoun
from agent.planners.noun_phrases import noun_phrase
from agent.planners.person_phrases import possessive_owner
from agent.planners.phrases import LEADING_OPENERS, find_part
from tools.vocabulary import GARMENT_WORDS

THEIR_THING = re.compile(
    rf"^\s*{LEADING_OPENERS}(?:(?P<pos>his|her|their)\s+(?P<owned>[a-z][a-z\-]*(?: [a-z][a-z\-]*){{0,2}}?)|"
    r"(?:the|that|this)\s+(?P<thing>[a-z][a-z \-]*?)\s+(?:that\s+|which\s+)?(?:he|she|they)(?:'s|'re|s| is| are)?\s+"
    r"(?P<verb>holding|carrying|eating|drinking|riding|using|throwing|wearing|pulling|pushing|writing (?:in|on|with)|"
    r"sitting on|standing on|playing with|holds|carries|rides|has|got|on|in))\s*[?.!]*\s*$", re.IGNORECASE)


def their_thing_intent(text: str, context: PlannerContext, attrs: dict) -> Intent | None:
    """The intent for a person's thing or part: a part of the person ("her legs", "his hat": refine_part), a thing
    they have ("his board", "the frisbee she's throwing": relate held_by them), or a thing of a person named by
    a possessive ("catcher's mitt": held_by "the catcher"); None for any other turn. `attrs`: the request's
    colour / position / size / ... words, kept on a held thing."""
    low = text.lower()
    current = (context.memory or {}).get("current") or None
    theirs = THEIR_THING.search(low)
    if theirs and current:
        words = (theirs.group("owned") or theirs.group("thing") or "").strip()
        worn = GARMENT_WORDS.get(words.split()[-1]) if words else None
        part = find_part(words) or {"torso": "upper body"}.get(worn or "", worn)
        if part and part != "whole":  # "her legs", "his hat": a part of the person
            owner = person_named_by_pronoun(low, context.memory) or current
            return Intent(kind="refine_part", target=f"{owner.get('phrase') or 'their'}'s {words}", part=part,
                          category=owner.get("category"), reference=turn_reference(owner.get("turn")), confidence=0.8)
        category, _ = noun_phrase(words)
        if category != "person" and not set(words.split()) & (set(GARMENT_WORDS) | {"is", "are", "was"}):
            owner = person_named_by_pronoun(low, context.memory) or current  # "her laptop" after the laptop
            said = re.sub(rf"^{LEADING_OPENERS}", "", theirs.group(0).strip(" ?.!"))
            return Intent(kind="relate", target=said, category=category,  # as said: "his board"
                          relation="held_by", reference=turn_reference(owner.get("turn")) if owner is not current
                          else "previous", **attrs, confidence=0.7)
    owned = possessive_owner(text)
    if owned:  # "catcher's mitt": the mitt the catcher has, not the best-scored mitt
        return Intent(kind="relate", target=f"the {owned[0]}'s {owned[1]}", category=noun_phrase(owned[1])[0],
                      relation="held_by", reference=f"the {owned[0]}", confidence=0.7)
    return None

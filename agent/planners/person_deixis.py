"""A turn that only points at a person ("now him", "segment that guy", "her too"): who is meant.

    pointing_intent("now him", context, interpret) -> the man in the striped shirt (named two turns ago)

In order: the latest whole-person target of earlier turns whose words do not contradict the pronoun; else the
latest person an earlier user turn named ("whats the man in the striped shirt holding"); else, after a turn about
a garment ("whats written on the yellow shirt"), the person wearing it ("the guy in the yellow shirt"). None when the conversation names nobody: the turn
is then read as it stands, and a miss is said plainly.
"""
from __future__ import annotations

import re
from typing import Callable

from agent.intent import Intent
from agent.memory import turn_reference
from agent.planners.base import PlannerContext
from agent.planners.earlier_targets import is_whole_person
from agent.planners.noun_phrases import noun_phrase
from agent.planners.phrases import OPENING_WORDS, find_colors, find_garment
from agent.planners.person_phrases import described
from agent.state import Memory, TargetRecord
from tools.people.words import GENDER_WORDS
from tools.vocabulary import coco_category

PERSON_WORDS = "guy|man|woman|lady|person|girl|boy|kid|dude|child|gentleman|fellow"
POINTING_AT_A_PERSON = re.compile(
    rf"^\W*(?:(?:{OPENING_WORDS}|no|wait|um|hmm)[,\s]+)*(?:(?:can you|could you|can u|pls|please)\s+)?"
    r"(?:(?:segment|select|get|show me|highlight|find|mark|outline|circle|do|what about|how about)\s+)?"
    rf"(?P<who>him|her|(?:that|this)\s+(?:{PERSON_WORDS}))"
    r"(?:\s+(?:too|as well|now|please|pls|instead))*\W*$", re.IGNORECASE)


def points_at_a_person(text: str) -> str | None:
    """The pointing words ("him", "that guy") when the whole turn only points at a person, else None."""
    found = POINTING_AT_A_PERSON.match(text)
    return found.group("who").lower() if found else None


def person_pronoun_reference(words: str, memory: Memory | None) -> tuple[str, str] | None:
    """(reference, words) for a relation's reference that is a person pronoun ("next to him", "behind her"): the
    current target ("previous") when it is a whole person, else the latest earlier person target ("turn:N"); None
    for other words, or when no person was segmented."""
    if words.strip().lower() not in ("him", "her", "them", "he", "she", "hers", "his"):
        return None
    person = earlier_person_target(memory, words)
    if person is None:
        return None
    current = (memory or {}).get("current")
    said = short_phrase(str(person.get("phrase") or words))
    return ("previous", said) if person is current else (turn_reference(person.get("turn")), said)


def said_gender(text: str | None) -> str | None:
    """ "male" / "female" when the words say so ("the man in red", "her"), else None."""
    return next((GENDER_WORDS[w] for w in re.findall(r"[a-z]+", str(text or "").lower()) if w in GENDER_WORDS), None)


def short_phrase(phrase: str) -> str:
    """An earlier target's phrase cut before its own relations and extras, to name it inside another target
    ("the woman in the long black coat with the bag on her shoulder" -> "the woman in the long black coat")."""
    return re.split(r" (?:with|next to|behind|in front of|holding|that|who|near|beside|on her|on his) ", phrase)[0]


def earlier_person_target(memory: Memory | None, pointing: str = "") -> TargetRecord | None:
    """The latest whole-person target (the current one first) that the pointing words may mean ("her" is no target
    said to be a man), or None."""
    wanted = said_gender(pointing)
    current = (memory or {}).get("current") or None
    history = list(reversed((memory or {}).get("history") or []))
    for record in ([current] if current else []) + history:
        if not is_whole_person(record):
            continue
        said = said_gender(record.get("phrase"))
        if wanted is None or said is None or said == wanted:
            return record
    return None


def person_said_earlier(dialogue: list[dict], who: str) -> str | None:
    """The person phrase of the latest earlier user turn that names one ("the man in the striped shirt"), or for a
    turn about a garment only, the one wearing it ("that guy" + "the yellow shirt" -> "the guy in the yellow
    shirt"); None when no earlier user turn names a person or a garment."""
    earlier = [str(m.get("content") or "") for m in dialogue if m.get("role") == "user"][:-1]
    noun = who.split()[-1] if " " in who else "person"
    for text in reversed(earlier):
        category, words = noun_phrase(text)
        if category and coco_category(category) == "person":
            phrase = described(category, words, text)
            return f"the {noun} {phrase[len('the person '):]}" if phrase.startswith("the person ") else phrase
        garment = find_garment(text)
        if garment:
            colors = " ".join(find_colors(text))
            return f"the {noun} in the {colors + ' ' if colors else ''}{garment}"
    return None


def pointing_intent(text: str, context: PlannerContext, interpret: Callable[[PlannerContext, str], Intent]) -> Intent | None:
    """The intent of a turn that only points at a person: the earlier person target again (by its turn), or the
    person an earlier turn named, read as a request of its own by `interpret`; None for any other turn, or when
    the conversation names nobody."""
    pointed = points_at_a_person(text)
    if not pointed:
        return None
    earlier = earlier_person_target(context.memory, pointed)
    if earlier is not None:
        return Intent(kind="segment_from_dialogue", target=earlier.get("phrase") or "that person",
                      category=earlier.get("category"), reference=turn_reference(earlier.get("turn")), confidence=0.8)
    said = person_said_earlier(context.dialogue, pointed)
    if not said:
        return None
    found = interpret(context, said)
    found.notes = [*found.notes, f"read '{pointed}' as {said}"]
    return found

"""Which words of a turn carry the request: the asking sentence of several, and the asking clause after a
scene-setting one ("two ppl sitting in the snow, get the one in red")."""
from __future__ import annotations

import re

from tools.vocabulary import singular

WANTS_MASK = re.compile(
    r"\b(segment|segmentation|mask|highlight|outline|select|show|mark|point (out|to)|find|locate|circle|pick|"
    r"give me|cut out|isolate|where is|where are)\b",
    re.IGNORECASE,
)


def request_sentence(text: str) -> str:
    """The sentence of a turn that carries the request: the last question, else the last sentence with a
    segmentation verb, else the whole turn ("Sorry, my internet is slow. Is the orange cup easy to spot?"
    -> "Is the orange cup easy to spot?"). Quoted text is never split."""
    if re.search(r"[\"“”]", text):
        return text
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text.strip()) if x.strip()]
    if len(sentences) < 2:
        return text
    questions = [x for x in sentences if x.endswith("?")]
    if questions:
        return questions[-1]
    asks = [x for x in sentences if WANTS_MASK.search(x.lower())]
    return asks[-1] if asks else text


CLAUSE_REQUEST = re.compile(
    r"^(?:(?:ok|okay|now|and|so|then|pls|please|can (?:u|you)|could (?:u|you)|just)\s+)*"
    r"(?:get|segment|mask|highlight|outline|select|show(?: me)?|mark|find|locate|circle|pick|give me|cut out|"
    r"isolate)\b\s*(?P<rest>.*)$", re.IGNORECASE)
OBJECT_PRONOUN = re.compile(r"^(?:him|her|it|them|that|this|those|these|one)\b", re.IGNORECASE)


def request_clause(sentence: str) -> str:
    """The clause of a sentence that asks, when a scene-setting clause comes first ("two ppl sitting in the snow,
    get the one in red" -> "get the one in red"); the whole sentence when the asking clause only points back
    ("theres a waiter at the back, can u get him") or there is none."""
    if re.search(r"[\"“”]", sentence):
        return sentence
    clauses = [c.strip() for c in sentence.split(",") if c.strip()]
    asking = CLAUSE_REQUEST.match(clauses[-1]) if len(clauses) > 1 else None
    if asking is None or len(asking.group("rest").split()) < 2 or OBJECT_PRONOUN.match(asking.group("rest")):
        return sentence
    return clauses[-1]


# "and what colour is it", "ok so who is she": a lead-in word before a question word says nothing
LEAD_IN = re.compile(r"^\s*(?:(?:and|so|ok|okay|oh|well|hm+|now|but|also|then|alright|right)\s*,?\s+)+"
                     r"(?=(?:what|whats|what's|which|how|hows|why|where|wheres|who|whos|who's|is|are|does|do|did|can|"
                     r"could)\b)", re.IGNORECASE)


def without_lead_in(text: str) -> str:
    """ "and what colour is it" -> "what colour is it" (only before a question word: "and the lorry" stays)."""
    return LEAD_IN.sub("", text)


# "the larger of the two elephants", "the left one of the 3 dogs": one of a group, named by its difference
ONE_OF_SEVERAL = re.compile(
    r"\b(?:the )?(?P<which>[a-z]+(?:er|est)|left|right|front|back|middle|top|bottom|first|second|third|last)"
    r"(?: one)? of (?:(?:the|these|those) )?(?:two|three|four|five|six|both|\d+) (?P<noun>[a-z]+)\b", re.IGNORECASE)


def one_of_several(text: str) -> str:
    """ "the larger of the two elephants" -> "the larger elephant" (one of them, not both); other text unchanged."""
    return ONE_OF_SEVERAL.sub(lambda m: f"the {m.group('which')} {singular(m.group('noun').lower())}", text)

"""The rule planner's noun phrases: which words end a phrase (actions, commands, predicates), which describe
rather than name (colours, sizes, positions, depth), and `noun_phrase`, the head noun and words of a request
("segment the red mug" -> ("mug", ["red", "mug"])); also `is_chatter` for talk that asks for nothing."""
from __future__ import annotations

import re

from agent.planners.phrases import COLORS, LARGEST, SHAPE_NOUNS, SHAPES, SMALLEST, chunks, singular
from agent.planners.sentences import WANTS_MASK
from tools.lexicon import coco_kind
from tools.vocabulary import (CATEGORY_SYNONYMS, FILLER_WORDS, GARMENT_WORDS, ORDINALS, PERSON_FEATURE_WORDS,
                              POSITION_WORDS, coco_category, plural_request)

# what people are doing: the gerund ends a noun phrase, it never names the thing ("the small one hiding in the back")
ACTION_WORDS = set("""wearing hiding sitting standing playing holding looking walking running eating drinking lying
kneeling jumping bending smiling talking waiting grabbing throwing pulling pushing riding carrying using doing
posing leaning facing watching reading writing working cooking cutting swinging flying skiing surfing written
printed dragging waving raising reaching""".split())
COMMAND_WORDS = set("""segment mask highlight outline select show mark find locate pick out give cut isolate
please now also then can could would you me us let's lets want need see point where which what whats wheres whos
hows get grab take go going come return switch""".split()) | FILLER_WORDS | ACTION_WORDS
# talk that asks for nothing: "sick trick lol", "thanks!", "cool"
CHATTER = re.compile(r"\b(lol|haha+|thanks|thank you|thx|ty|cool|nice|wow|awesome|great|sick|neat|perfect|love it|"
                     r"good job|well done|omg)\b", re.IGNORECASE)
DEPTH_WORDS = set("""front back behind closest nearest closer nearer near close far farther farthest furthest
foreground distance distant camera cam us me viewer""".split())
ATTRIBUTE_WORDS = (set(COLORS) | LARGEST | SMALLEST | set(SHAPES) | POSITION_WORDS | DEPTH_WORDS | set(ORDINALS)
                   | {"biggest", "largest", "smallest"})
PLACEHOLDER_NOUNS = {"one", "ones", "thing", "things", "object", "objects", "item", "items", "region", "part", "stuff"}


# prepositions that start a phrase about somewhere else: they end the noun phrase ("the car across the street")
PHRASE_PREPOSITIONS = set("""across along around through toward towards beyond against past opposite beside besides
between among amongst underneath beneath below above inside outside within upon via""".split())


# predicate adjectives of questions ("is the cup easy to spot?"): they end a noun phrase, never head it
PREDICATE_WORDS = set("""easy hard difficult visible noticeable obvious clear important possible likely present
there here spot see find notice tell sure true doing""".split())


# words after a noun that end its phrase and never head it: adverb particles ("with her hair up", "the bowl up
# there") and "dressed" ("the little girl dressed up like cleopatra")
PHRASE_END_WORDS = {"up", "down", "out", "off", "dressed"}


def noun_phrase(text: str) -> tuple[str | None, list[str]]:
    """(category head noun, the words of the phrase around it) from a request like "segment the red mug"."""
    runs = [run[: next((i for i, w in enumerate(run) if w in PREDICATE_WORDS or w in PHRASE_END_WORDS), len(run))]
            for run in chunks(text, COMMAND_WORDS | PHRASE_PREPOSITIONS)]
    runs = [run for run in runs if run]
    best: list[str] = []
    # "the fuller one": a comparative before "one" describes it; WordNet knows "fuller" only as a noun for a person
    # (a cloth worker), and "the <person> one" is no way to name a person ("the paper one" keeps its noun)
    compared = {w for w in re.findall(r"\b([a-z]+(?:er|est))\s+ones?\b", text.lower())
                if singular(w) not in CATEGORY_SYNONYMS and coco_kind(w) == "person"}

    def is_noun(w: str) -> bool:  # "ball" and "orange" are attribute words and COCO names: the name wins
        return (w not in ATTRIBUTE_WORDS or singular(w) in CATEGORY_SYNONYMS) and w not in PLACEHOLDER_NOUNS and \
            w not in compared

    for run in runs:
        if any(is_noun(w) for w in run):
            best = run
            break
    nouns = [w for w in best if is_noun(w)]
    if not nouns:
        return None, [w for r in runs for w in r if w in ATTRIBUTE_WORDS]
    if (nouns[-1] in GARMENT_WORDS or nouns[-1] in PERSON_FEATURE_WORDS) and \
            not any(singular(w) in CATEGORY_SYNONYMS for w in nouns):
        return "person", best  # "red jacket on the right", "the one w the ponytail": the person who has it
    head = singular(nouns[-1])
    if head in SHAPE_NOUNS:  # "the red circle": a shape, not a category
        return None, best
    return head, best


def the_phrase(words: list[str], fallback: str = "the thing") -> str:
    return "the " + " ".join(words) if words else fallback


BOTH = re.compile(r"\bboth\b(?! (?:of them|arms|hands|legs|feet|eyes|ears|sides)\b)", re.IGNORECASE)


def counted_target(target: str, text: str) -> str:
    """The target with the request's "both" kept ("both screens" -> "both screens", not "the screens"), so the
    candidates take two of them rather than every one found; other targets unchanged."""
    if BOTH.search(text) and target.startswith("the ") and plural_request(target):
        return f"both {target[4:]}"
    return target


def is_chatter(low: str) -> bool:
    """A short remark that asks for nothing: a chatter word, no mask verb, no question, no COCO thing, no
    article or pronoun pointing at something ("sick trick lol", "cool thanks")."""
    return bool(CHATTER.search(low)) and len(low.split()) <= 6 and not WANTS_MASK.search(low) and "?" not in low \
        and not coco_category(low) and not re.search(r"\b(the|a|an|this|that|these|those|it|its|his|her|their)\b", low)

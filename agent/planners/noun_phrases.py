"""The rule planner's noun phrases: which words end a phrase (actions, commands, predicates), which describe
rather than name (colours, sizes, positions, depth), and `noun_phrase`, the head noun and words of a request
("segment the red mug" -> ("mug", ["red", "mug"])); also `is_chatter` for talk that asks for nothing."""
from __future__ import annotations

import re

from agent.planners.phrases import COLORS, LARGEST, SHAPE_NOUNS, SHAPES, SMALLEST, chunks, singular
from agent.planners.sentences import WANTS_MASK
from tools.lexicon import coco_kind
from tools.lexicon import is_noun as wordnet_noun
from tools.vocabulary import (CATEGORY_SYNONYMS, COLOR_MODIFIERS, FILLER_WORDS, GARMENT_WORDS, ORDINALS,
                              PERSON_FEATURE_WORDS, POSITION_WORDS, coco_category, plural_request)

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
VIEWER_WORDS = {"camera", "cam", "viewer", "photographer", "lens"}  # "close to cam bike": words for the viewer
TRAILING_NEARNESS = {"near", "close", "closer", "nearer", "closest", "nearest", "far", "farther", "farthest",
                     "furthest"}
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
# adverbs that end a phrase when they follow its words ("person partially visible on the right edge")
AFTER_NOUN_ADVERBS = {"partially", "partly", "mostly", "barely", "halfway", "fully"}


# nouns that end like a participle ("the dog bed", "the wedding cake"): never taken for one
PARTICIPLE_LIKE_NOUNS = set("""building ceiling painting clothing pudding wedding stuffing icing frosting topping filling
dressing railing awning siding bedding swing string spring ring wing king thing something nothing everything
sibling duckling seedling darling speed feed seed steed""".split())


# a piece of a thing named before it ("the pizza slice", "the cake piece", "the sandwich half"): the thing's class
PIECE_WORDS = {"slice", "piece", "half", "bite", "chunk", "wedge", "portion", "bit", "serving", "helping"}
IRREGULAR_PARTICIPLES = {"held", "worn", "hung", "sat", "stood", "laid", "lain", "kept", "shown"}


def after_noun_participle(prev: str, word: str) -> bool:
    """Whether `word` is a participle that follows the noun `prev` and so ends its phrase ("the cat sleeping",
    "the car parked on the left", "the umbrella held by the woman"): a word ending in -ing (6+ letters) or -ed
    (5+) that names no COCO class and is no noun that merely ends so."""
    participle = (word.endswith("ing") and len(word) >= 6) or (word.endswith("ed") and len(word) >= 5) or \
        word in IRREGULAR_PARTICIPLES
    return participle and word not in PARTICIPLE_LIKE_NOUNS and singular(word) not in CATEGORY_SYNONYMS and \
        (singular(prev) in CATEGORY_SYNONYMS or prev in GARMENT_WORDS or prev in ("one", "thing") or
         coco_kind(singular(prev)) is not None)


def _phrase_end(run: list[str]) -> int:
    """Index where a chunk's noun phrase ends: a predicate word, a particle, or an adverb or participle after its
    first word."""
    for i, w in enumerate(run):
        if w in PREDICATE_WORDS or w in PHRASE_END_WORDS or \
                (i and (w in AFTER_NOUN_ADVERBS or after_noun_participle(run[i - 1], w))):
            return i
    return len(run)


def noun_phrase(text: str) -> tuple[str | None, list[str]]:
    """(category head noun, the words of the phrase around it) from a request like "segment the red mug"."""
    runs = [run[: _phrase_end(run)] for run in chunks(text, COMMAND_WORDS | PHRASE_PREPOSITIONS)]
    runs = [run for run in runs if run]
    best: list[str] = []
    # "the fuller one": a comparative before "one" describes it; WordNet knows "fuller" only as a noun for a person
    # (a cloth worker), and "the <person> one" is no way to name a person ("the paper one" keeps its noun)
    compared = {w for w in re.findall(r"\b([a-z]+(?:er|est))\s+ones?\b", text.lower())
                if singular(w) not in CATEGORY_SYNONYMS and coco_kind(w) == "person"}

    # "the blue glowing thing": a participle before a placeholder noun describes it, it names nothing
    describing = set(re.findall(rf"\b([a-z]+ing)\s+(?:{'|'.join(PLACEHOLDER_NOUNS)})\b", text.lower()))

    def is_noun(w: str) -> bool:  # "ball" and "orange" are attribute words and COCO names: the name wins
        return (w not in ATTRIBUTE_WORDS or singular(w) in CATEGORY_SYNONYMS) and w not in PLACEHOLDER_NOUNS and \
            w not in compared and w not in describing

    for run in runs:
        if any(is_noun(w) for w in run):
            best = run
            break
    while len(best) > 1 and best[-1] in TRAILING_NEARNESS and is_noun(best[-2]):
        best = best[:-1]  # "the cup near the camera": the cup (nearness is the request's depth), not "the cup near"
    if any(w in VIEWER_WORDS for w in best) and any(is_noun(w) for w in best if w not in VIEWER_WORDS):
        best = [w for w in best if w not in VIEWER_WORDS]  # "close to cam bike": the bike
    nouns = [w for w in best if is_noun(w)]
    if not nouns:
        return None, [w for r in runs for w in r if w in ATTRIBUTE_WORDS]
    if (nouns[-1] in GARMENT_WORDS or nouns[-1] in PERSON_FEATURE_WORDS) and \
            not any(singular(w) in CATEGORY_SYNONYMS for w in nouns):
        return "person", best  # "red jacket on the right", "the one w the ponytail": the person who has it
    head = singular(nouns[-1])
    if head in SHAPE_NOUNS:  # "the red circle": a shape, not a category
        return None, best
    at = best.index(nouns[-1])
    if at and best[at - 1] in nouns and head not in CATEGORY_SYNONYMS and \
            wordnet_noun(f"{best[at - 1]} {head}"):  # "the coffee maker" is an appliance, not a "maker" (a person)
        return f"{best[at - 1]} {head}", best
    if head in PIECE_WORDS and len(nouns) > 1 and coco_category(nouns[-2]):  # "the pizza slice": a piece of pizza
        return singular(nouns[-2]), best
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


def _place_words(position: str | None, far: bool, counted: bool) -> list[str]:
    """ "left" -> ["on", "the", "left"] ("from the left" after an ordinal, "on the far left"), "center" -> ["in",
    "the", "middle"], "top" -> ["at", "the", "top"], "top left" -> ["in", "the", "top", "left"]."""
    if position in ("left", "right"):
        return ["from" if counted else "on", "the", *(["far"] if far else []), position]
    if position == "center":
        return ["in", "the", "middle"]
    if position in ("top", "bottom"):
        return ["at", "the", position]
    return ["in", "the", *position.split()] if position else []


def bare_phrase(words: list[str], position: str | None, depth: str | None, plural: bool) -> str:
    """The target of a request that names no thing, in plain English from its attribute words and attributes:
    ["second", "left"] -> "the second one from the left", ["middle"] -> "the one in the middle", ["big", "right"]
    -> "the big one on the right", ["front"] -> "the one in front", ["far", "right"] -> "the one on the far right"."""
    counted = next((w for w in words if w in ORDINALS), None)
    sizes = [w for w in dict.fromkeys(words)
             if w in LARGEST or w in SMALLEST or w in ("biggest", "largest", "smallest")]
    colours = " and ".join(w for w in dict.fromkeys(words) if w in COLORS)  # "the brown and white one"
    colours = re.sub(rf"\b({'|'.join(COLOR_MODIFIERS)}) and ", r"\1 ", colours)  # "dark blue", not "dark and blue"
    shapes = [w for w in dict.fromkeys(words) if w in SHAPES]
    out = ["the", *([counted] if counted else []), *sizes, *([colours] if colours else []), *shapes,
           "ones" if plural else "one"]
    out += _place_words(position, "far" in words, bool(counted))
    if "corner" in words and position and " " in position:
        out.append("corner")
    out += {"front": ["in", "front"], "back": ["in", "the", "back"]}.get(depth or "", [])
    return " ".join(out)

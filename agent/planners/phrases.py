"""Word lists and small parsers the rule-based planner uses: colours, positions, sizes, shapes,
parts, relations, quoted text, and a noun-phrase chunker without a tagger.

Everything works on lower-cased text; functions return plain strings / lists.
"""
from __future__ import annotations

import re

from tools.vocabulary import (  # noqa: F401  (SHAPE_NOUNS, POSITION_PATTERNS, singular are re-exported)
    COLOR_MODIFIERS, COLOR_WORDS, DEPTH_PATTERNS, GARMENT_WORDS, LARGEST_WORDS, PERSON_FEATURE_WORDS, POSITION_PATTERNS,
    POSITION_WORDS, SHAPE_NOUNS, SHAPE_WORDS, SMALLEST_WORDS, VIEWER_PHRASE, coco_category, singular,
)

from tools.people.clothing import is_garment_top, without_garment_tops  # noqa: E402

# Words a turn may open with before what it asks ("ok now the dog", "and his hat"): a regex fragment matching any
# run of them (with the spaces or commas after each), for patterns anchored at the start of a turn.
OPENING_WORDS = "and|now|ok|okay|so|then|also"
LEADING_OPENERS = rf"(?:(?:{OPENING_WORDS})[,\s]+)*"

COLORS: dict[str, str | None] = {**COLOR_WORDS, **{m: None for m in COLOR_MODIFIERS}}  # None: a modifier
SHAPES = SHAPE_WORDS
LARGEST = LARGEST_WORDS
SMALLEST = SMALLEST_WORDS

PART_PATTERNS = [
    (r"\b(top|upper) (half|part|portion|section)\b", "top half"),
    (r"\b(bottom|lower) (half|part|portion|section)\b", "bottom half"),
    (r"\bleft (half|part|portion|side|section)\b", "left half"),
    (r"\bright (half|part|portion|side|section)\b", "right half"),
    (r"\b(handle|grip)s?\b", "handle"), (r"\b(lid|cover)s?\b", "lid"), (r"\b(label|sticker)s?\b", "label"),
    (r"\b(cap|top cap)s?\b", "cap"), (r"\b(centre|center|middle) (part|portion)\b", "center"),
    (r"\b(just|only) the top\b|\bthe top of (it|that|this)\b|\bits top\b", "top half"),
    (r"\b(just|only) the bottom\b|\bthe bottom of (it|that|this)\b|\bits bottom\b|\bits base\b|\bthe base\b", "bottom half"),
    (r"\b(just|only) the left\b", "left half"), (r"\b(just|only) the right\b", "right half"),
    (r"\b(head|face|hair)\b", "head"), (r"\bupper body\b", "upper body"), (r"\b(torso|chest)\b", "torso"),
    (r"\blegs?\b", "legs"), (r"\b(feet|foot)\b", "feet"), (r"\barms?\b", "arms"), (r"\bhands?\b", "hands"),
    (r"\b(whole|entire|full|complete)\b(?! (image|picture|photo|scene|frame|background))|\ball of (it|that|this)\b", "whole"),
]

# relation phrases -> Intent.relation (the target stands in that relation to the reference)
# verbs that are actions only with an object after them ("eating a donut", not "the cutting board")
OBJECT_VERBS = r"eating|drinking|using|cutting|reading|watching"
PLAIN_ACTIONS = (r"kicking|hitting|touching|throwing|catching|chasing|feeding|petting|pushing|pulling|riding|carrying|"
                 r"dragging|grabbing|hugging|swinging|flying|walking|leading|playing with|talking to|looking at")
ACTION_RELATION = rf"\b({PLAIN_ACTIONS}|{OBJECT_VERBS})\b"  # an action word, as said
ACTION_IN_SENTENCE = (rf"\b(?:{PLAIN_ACTIONS})\b|\b(?:{OBJECT_VERBS})\b"  # an action word with its object after it
                      r"(?= (?:the|a|an|some|his|her|their|its|this|that|from (?:the|a|an)|out of)\b)")
# a person bending or leaning over a thing is next to it, not above it ("the guy bent over the carrots")
BENDING_RELATION = (r"\b(?:bending|bent|leaning|leant|hunched|stooping|bends|leans)(?: (?:in|down|forward))?"
                    r" (?:over|toward|towards|into|on|against)\b")
# "on the couch" (a thing), never "on the left", "on the far side", "on the other end" (a place in the photo)
ON_A_THING = (r"\bon(?= (?:(?:the|a|an|this|that) )?(?!(?:far|very|other|top|bottom|upper|lower|left|right|side|edge|end|"
              r"corner|front|back|middle|center|centre|outside|inside|opposite|near|same|his|her|its|their|my|your|our|"
              r"him|them|it|this|that|and|or|with|to|of|in|at|by)\b)[a-z])")
# a place in the photo after the thing something is on ("on the bleachers on the right"): said of the target
TRAILING_PLACE = re.compile(r"^(?P<thing>.+?)[ ,]+(?P<place>(?:on|at|in) (?:the )?(?:far |very )?(?:left|right|top|bottom)\b.*)$")
RELATION_PATTERNS = [
    (BENDING_RELATION, "next_to"),
    (r"\b(to the )?left of\b", "left_of"), (r"\b(to the )?right of\b", "right_of"),
    (r"\bin front of\b", "in_front_of"), (r"\bbehind\b(?= (the|a|an|it|him|her|them|that|this|those|his|another|other|its|their)\b)", "behind"),
    (r"\b(under|below|beneath|underneath)\b", "below"), (r"\b(above|over|on top of)\b", "above"),
    (r"\b(next to|beside|besides|near|nearby|adjacent to|close to|by the side of|neighbou?ring|around)\b|"
     r"\bby(?= (?:the|a|an|his|her|their) )", "next_to"),  # "the guy standing by the desk"
    (r"\b(inside|within|in it|in that)\b", "inside"), (r"\b(containing|contains|holding|that holds)\b", "contains"),
    (r"\b(overlapping|overlaps|on it|on that)\b", "overlaps"),
    (ON_A_THING, "overlaps"),  # "the dog on the couch", "the cat sitting on the laptop": its box on the thing's
    (ACTION_IN_SENTENCE, "next_to"),  # an action between two things ("the man kicking the ball"): the nearest one
]

WORD = r"[^\W_][\w'\-]*"  # a word: letters of any script ("Région"), digits, inner ' and -

PRONOUN_REF = r"\b(it|that|this|them|that one|this one|the previous one|the last one|the same one)\b"

STOP = set("""a an the this that these those it its it's is are was were be been being am do does did of in on at to
for from by with about as into onto over under and or but if then than so such there here their them they
he she his her him i me my we our you your please can could would will should may might must shall just only
what which who whom whose where when why how some any each every all both either neither much many more most
other another same very also too not no yes one ones thing things something anything stuff kind sort
image picture photo scene view visible shown seen appear appears displayed show shows segment segmentation
mask highlight select find outline mark point give provide identify locate see look looking
shes hes theyre thats theres whats im youre ive""".split())  # contractions typed without the apostrophe

VERBISH = set("""indicate indicates suggest suggests imply implies hint hints relate relates contribute contributes
mean means help helps tell tells confirm confirms make makes made use used using seem seems reflect reflects
play plays involve involves enhance enhances support supports show shows depict depicts describe describes
represent represents serve serves signify signifies convey conveys affect affects feature features placed
located positioned situated used provide provides visible present presence role aspect way purpose
specific particular possible likely typically usually often inferred infer suggesting indicating""".split())


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, apostrophes and hyphens kept inside words)."""
    return re.findall(r"[a-z0-9][a-z0-9'\-]*", text.lower())


def quoted(text: str) -> list[str]:
    """Words inside quotes: 'EXIT', "EXIT 42", “Stop”."""
    found = re.findall(r"\"([^\"]{1,60})\"|“([^”]{1,60})”|(?<![a-zA-Z])'([^']{1,60})'(?![a-zA-Z])|‘([^’]{1,60})’", text)
    return [next(g for g in groups if g).strip() for groups in found if any(groups)]


def find_colors(text: str) -> list[str]:
    out: list[str] = []
    for tok in tokens(text):
        canon = COLORS.get(tok.rstrip("s") if tok.endswith("s") and tok.rstrip("s") in COLORS else tok)
        if canon and canon not in out:
            out.append(canon)
    return out


def find_shape(text: str) -> str | None:
    """The shape word of a request; "long" / "thin" / "narrow" before a garment or hair ("the long dress", "long
    hair") says how the garment is cut, not the shape of what is asked for."""
    words = tokens(text)
    for i, tok in enumerate(words):
        if tok in SHAPES and not (i + 1 < len(words) and (words[i + 1] in GARMENT_WORDS or
                                                         words[i + 1] in PERSON_FEATURE_WORDS)):
            return SHAPES[tok]
    return None


YOUNG_WORDS = {"baby", "babies", "young", "juvenile"}  # before an animal's name: the smallest of its kind


def find_size(text: str) -> str | None:
    toks = set(tokens(text))
    if toks & {"biggest", "largest", "widest", "tallest"}:
        return "largest"
    if toks & {"smallest", "narrowest", "tiniest", "shortest"}:
        return "smallest"
    if toks & {"big", "large", "huge", "bigger", "larger", "taller", "tall"}:
        return "largest"
    if toks & {"shorter"}:
        return "smallest"
    if toks & {"small", "little"} and not toks & {"tiny", "smaller"} and \
            any(coco_category(w) == "person" for w in toks - {"small", "little"}):
        return None  # "the little girl": a child (tools.people.words), not the smallest box of a crowd
    if toks & {"small", "tiny", "little", "smaller"}:
        return "smallest"
    if toks & YOUNG_WORDS and coco_category(text) not in ("person", None):
        return "smallest"  # "the baby elephant": the smallest of its kind (a baby person is a child)
    return None


def first_match(patterns, text: str, default: str | None = None) -> str | None:
    """The canonical word of the first (pattern, canonical) pair whose pattern occurs in the lower-cased text."""
    low = text.lower()
    return next((canon for pattern, canon in patterns if re.search(pattern, low)), default)


def find_position(text: str) -> str | None:
    """The position word of a request; a garment "top" ("the girl in the orange top") is no position."""
    return first_match(POSITION_PATTERNS, without_garment_tops(text))


# a place after the thing ("on a blue plate"): colours said after it are the place's (when it is no relation the
# detector can follow: a plate, the grass), not the thing's
PLACE_AFTER = re.compile(r"\b(?:on|under|underneath|below|above|over|behind|beside|near|next to|on top of|against|"
                         r"inside|in front of)\s+(?:a|an|the|some|his|her|their|its)\b")


def own_colors(low: str, colors: list[str]) -> list[str]:
    """The colours said before a place phrase ("the white dog on the green grass" -> white), all when none."""
    place = PLACE_AFTER.search(low)
    return find_colors(low[: place.start()]) if place else colors


def find_depth(text: str) -> str | None:
    """ "front" (nearest the camera) or "back" (farthest), or None."""
    return first_match(DEPTH_PATTERNS, text)


def find_garment(text: str) -> str | None:
    """The first garment or hair word of the request ("the guy in the red shirt" -> "shirt"), or None; "top" only
    where it names a garment ("the orange top", not "on top")."""
    words = tokens(text)
    return next((t for i, t in enumerate(words) if t in GARMENT_WORDS and (t != "top" or is_garment_top(words, i))),
                None)


def find_part(text: str) -> str | None:
    """The part a request names ("only her head" -> "head", "his left hand" -> "left hand"), or None."""
    sided = re.search(r"\b(left|right) (arm|hand|leg|foot)\b", text.lower())
    if sided:
        return f"{sided.group(1)} {sided.group(2)}"
    return first_match(PART_PATTERNS, text)


PLACEHOLDER = r"(?:thing|things|one|ones|object|objects|item|items|stuff|region|regions|shape|shapes)"
POSITION_TAIL = (r"(?:\s+(?:in|on|at|near|towards?)\s+the\s+(?:(?:top|bottom|upper|lower)[ -](?:left|right)|middle|center|"
                 r"centre|top|bottom|left|right|sky|air)(?:\s+(?:side|corner|edge))?)?")


def placeholder_phrase(text: str) -> str | None:
    """The phrase around a placeholder noun with its colour/size/position modifiers, or None:
    "Segment the thing in the middle of the picture." -> "the thing in the middle";
    "Show me the biggest blue thing." -> "the biggest blue thing"."""
    m = re.search(rf"\b(?:the|a|an)\s+((?:[a-z\-]+\s+){{0,3}}?{PLACEHOLDER}){POSITION_TAIL}\b", text.lower())
    if not m:
        return None
    return "the " + " ".join(m.group(0).split()[1:])


# a thing cut off by the photo's border: "cut off at the right edge", "the one at the far left edge", "partial"
# ("the top edge of the sign" is a part of the sign, not a place in the photo)
_AT_SIDE_EDGE = r"\b(?:at|on|by|along) the (?:far |very )?(?:left|right|top|bottom) edge\b"
CUT_OFF = re.compile(r"\b(?:cut off|cut-off|cutoff|partial(?:ly (?:visible|seen|hidden))?|half (?:cut off|visible)"
                     r"|only half)\b|" + _AT_SIDE_EDGE, re.IGNORECASE)
EDGE_PHRASE = re.compile(r"\bat the (left|right|top|bottom) edge\b")


def without_cut_off(text: str) -> str:
    """The request without words that name nothing: "the one cut off on the left edge" -> "the one on the left"."""
    text = re.sub(r"\b(?:half )?(?:cut off|cut-off|cutoff)\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b((?:at|on|by|along) the (?:far |very )?(?:left|right|top|bottom)) edge\b", r"\1", text,
                  flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def edge_phrase(text: str, position: str | None) -> str | None:
    """ "at the right edge" when the request says a thing is cut off by the border its position names, else None."""
    return f"at the {position} edge" if position in ("left", "right", "top", "bottom") and CUT_OFF.search(text) else None


def requested_edge(target: str) -> str | None:
    """The border a target phrase puts its thing at ("the guy in blue at the left edge" -> "left"), or None."""
    found = EDGE_PHRASE.search(target.lower())
    return found.group(1) if found else None


def relation_start(text: str) -> int | None:
    """Word index where the first relation phrase starts, or None."""
    low = re.sub(VIEWER_PHRASE, lambda m: " " * len(m.group(0)), text.lower())
    starts = [m.start() for pattern, _ in RELATION_PATTERNS for m in [re.search(pattern, low)] if m and
              (not _needs_a_known_thing(m.group(0)) or _on_a_known_thing(low[m.end():]))]
    return len(low[: min(starts)].split()) if starts else None


def find_relation(text: str) -> tuple[str, str] | None:
    """(relation, the words after the relation phrase) or None."""
    found = relation_match(text)
    return None if found is None else (found[0], text.lower()[found[1].end():].strip(" ?.!,"))


def relation_match(text: str) -> tuple[str, re.Match] | None:
    """(relation, its match in the lower-cased text) for the earliest relation phrase, or None."""
    low = re.sub(VIEWER_PHRASE, lambda m: " " * len(m.group(0)), text.lower())  # "near the camera" is a depth
    found = [(canon, m) for pattern, canon in RELATION_PATTERNS for m in [re.search(pattern, low)] if m]
    if not found:
        return None
    found = [f for f in found if not _needs_a_known_thing(f[1].group(0)) or _on_a_known_thing(low[f[1].end():])]
    found = [f for f in found if not (re.fullmatch(ACTION_RELATION, f[1].group(0)) and (  # "the flying thing": an
        re.match(rf"\s+{PLACEHOLDER}\b", low[f[1].end():])  # adjective; "flying in the sky": where, not next to what
        or re.fullmatch(r"\s*(?:up\s+)?in\s+the\s+(?:sky|air)[\s?.!,]*", low[f[1].end():])))]
    if not found:
        return None
    best = min(found, key=lambda f: f[1].start())
    if re.fullmatch(ACTION_RELATION, best[1].group(0)) and (not low[best[1].end():].strip(" ?.!,") or
                                                            only_a_place(low[best[1].end():])):
        return None  # "the kid swinging", "the person walking at the bottom": what they do and where, no thing
    if re.fullmatch(ACTION_RELATION, best[1].group(0)):  # "walking next to the bikes": the relation after the verb
        after = [f for f in found if f[1].start() > best[1].start() and not low[best[1].end():f[1].start()].strip()]
        if after:
            return after[0]
    return best


PLACE_FILLERS = {"at", "in", "on", "to", "the", "of", "very", "far", "photo", "picture", "pic", "image", "side",
                 "edge", "corner"}


def only_a_place(rest: str) -> bool:
    """ "at the bottom", "on the far left of the photo": words naming a part of the photo and nothing else."""
    words = re.findall(r"[a-z]+", rest)
    return any(w in POSITION_WORDS for w in words) and all(w in POSITION_WORDS or w in PLACE_FILLERS for w in words)


def _needs_a_known_thing(said: str) -> bool:
    """ "on" and the object verbs ("eating", "cutting") relate only to a thing a detector can find."""
    return said == "on" or re.fullmatch(OBJECT_VERBS, said) is not None


def _on_a_known_thing(after: str) -> bool:
    """Whether the words after "on" (or an object verb) name a thing a detector can find ("the couch", "a bike"):
    only then is it a relation; "on backwards", "cutting the ribbon" say something else of the target."""
    words = re.split(r"[,.;!?]| (?:on|at|in|with|and|next|near|by|behind|under|w) ", after.strip(), maxsplit=1)[0]
    return coco_category(words) is not None


def refers_back(text: str) -> bool:
    """True when the text points at an earlier target ("it", "that one", "the previous one")."""
    return re.search(PRONOUN_REF, text.lower()) is not None


def chunks(text: str, extra_stop: set[str] | None = None) -> list[list[str]]:
    """Noun-phrase-like chunks: maximal runs of content words (stop words and verb-ish words break runs).

    Possessive "'s" is dropped ("player's glove" -> ["player", "glove"]).
    """
    stop = STOP | VERBISH | (extra_stop or set())
    out: list[list[str]] = []
    run: list[str] = []
    for raw in re.findall(rf"{WORD}|[^\s\w]", text):
        tok = raw.lower()
        if tok.endswith("'s") or tok.endswith("s'"):
            tok = tok[:-2] if tok.endswith("'s") else tok[:-1]
        tok = tok.strip("'-")
        if not tok or not tok[0].isalnum() or tok in stop or len(tok) < 2 and not tok.isdigit():
            if run:
                out.append(run)
            run = []
            continue
        run.append(tok)
    if run:
        out.append(run)
    return out


TEXT_CUE = re.compile(
    r"\b(?:that|which|it)?\s*(?:says|saying|reads|reading|labell?ed|written|with the (?:text|word|words)|"
    r"spelling|showing the (?:text|word))\s+[\"'“‘]?([A-Za-z0-9][A-Za-z0-9 .\-&]{0,40}?)[\"'”’]?\s*[?.!,]?\s*$",
    re.IGNORECASE,
)


# "the player with number 24", "the bus no. 5", "#10": the digits are the text the thing shows
NUMBER_CUE = re.compile(r"\s*\b(?:(?:with|wearing|showing)\s+)?(?:the\s+)?(?:number|no\.|#)\s?(\d{1,4})\b", re.IGNORECASE)


def find_text_cue(text: str) -> str | None:
    """The words a request says the target shows: quoted ("the sign saying 'EXIT'"), after says/reads/
    labelled, a number ("the player with number 24"), or two to four words in capitals ("the EXIT sign"); None
    otherwise."""
    qs = quoted(text)
    if qs:
        return qs[0]
    m = TEXT_CUE.search(text)
    if m:
        return m.group(1).strip()
    number = NUMBER_CUE.search(text)
    if number:
        return number.group(1)
    caps = re.findall(r"\b[A-Z0-9][A-Z0-9\-&]*[A-Z][A-Z0-9\-&]*\b", text)  # words in capitals: "the EXIT sign"
    return " ".join(caps) if caps and len(caps) <= 4 else None

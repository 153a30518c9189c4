"""Read what a free-text query asks for: quoted/capitalised text targets and attribute words.

`text_targets(query) -> list[str]`: strings the user wants to find written in the image.
`attribute_request(query) -> AttributeRequest`: colours, position, size, shape and text the query mentions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.vocabulary import BACKGROUND_NOUNS, COLOR_WORDS, LARGEST_WORDS, SHAPE_WORDS, SMALLEST_WORDS

BIGGEST = LARGEST_WORDS
SMALLEST = SMALLEST_WORDS
BACKGROUND_WORDS = BACKGROUND_NOUNS
# Words that are capitalised for grammar, not because they are text in the image.
_NOT_TEXT = {
    "find", "show", "segment", "select", "highlight", "mark", "the", "a", "an", "text", "word", "sign",
    "what", "where", "which", "who", "is", "please", "can", "could", "i", "it", "that", "this",
    "and", "or", "of", "in", "on", "to", "with", "read", "give", "me", "point", "get", "locate",
    "now", "no", "yes", "ok", "okay", "then", "also", "and", "label", "says", "logo",
}
_TEXT_CUES = r"(?:says|saying|reads|reading|read|written|labell?ed|text|word|words|spelling|spells)"
_STOP = _NOT_TEXT | {"for", "at", "from", "by", "there", "some", "any", "all", "out", "up", "you", "my", "its",
                     "one", "thing", "object", "part", "please", "here", "image", "picture", "photo", "where",
                     "saying", "reading", "written", "labeled", "labelled", "on", "left", "right", "top", "bottom"}


def content_words(query: str) -> list[str]:
    """Lower-case words of the query that are not grammar or command words (fallback text targets)."""
    return [w for w in re.findall(r"[a-z0-9]+", query.lower()) if w not in _STOP and len(w) > 1]


def quoted(query: str) -> list[str]:
    """Strings inside "double", 'single' or “curly” quotes."""
    found = re.findall(r'"([^"]+)"|“([^”]+)”|‘([^’]+)’|(?<![A-Za-z])\'([^\']+)\'(?![A-Za-z])', query)
    return [next(g for g in groups if g).strip() for groups in found if any(groups)]


def text_targets(query: str) -> list[str]:
    """What text the query wants found: quoted strings, else ALL-CAPS/Capitalised words (not the first
    grammatical word), else the word(s) after a cue like "says", "reading", "text", else []."""
    q = quoted(query)
    if q:
        return q
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9&'.-]*", query)
    caps: list[str] = []
    for i, tok in enumerate(tokens):
        clean = tok.strip(".'")
        if clean.lower() in _NOT_TEXT:
            continue
        if clean.isupper() and (len(clean) > 1 or clean.isdigit()):
            caps.append(clean)
        elif clean[:1].isupper() and i > 0:
            caps.append(clean)
        elif clean.isdigit():
            caps.append(clean)
    if caps:
        return _join_adjacent(caps, tokens)
    cue_words = set(re.findall(r"[a-z]+", _TEXT_CUES.replace("?", "")))
    for m in reversed(list(re.finditer(_TEXT_CUES + r"\s+((?:[A-Za-z0-9][\w&'.-]*\s*){1,4})", query, re.I))):
        words = [w for w in m.group(1).split() if w.lower() not in _STOP and w.lower() not in cue_words]
        if words:
            return [" ".join(words)]
    return []


def _join_adjacent(caps: list[str], tokens: list[str]) -> list[str]:
    """Merge capitalised words that are adjacent in the query into one phrase ("EXIT 42")."""
    stripped = [t.strip(".'") for t in tokens]
    phrases: list[str] = []
    last_index = -2
    for word in caps:
        idx = stripped.index(word, last_index + 1 if last_index >= 0 else 0)
        if phrases and idx == last_index + 1:
            phrases[-1] = f"{phrases[-1]} {word}"
        else:
            phrases.append(word)
        last_index = idx
    return phrases


@dataclass
class AttributeRequest:
    """Attribute words found in a query (all lists may be empty).

    colors: canonical colour names; horizontal: "left" | "right" | "center" | None; vertical: "top" |
    "bottom" | "center" | None; size: "largest" | "smallest" | None; shapes: canonical shape hints;
    texts: text targets; background: the query asks about the background / whole image.
    """

    colors: list[str] = field(default_factory=list)
    horizontal: str | None = None
    vertical: str | None = None
    size: str | None = None
    shapes: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    background: bool = False

    @property
    def empty(self) -> bool:
        return not (self.colors or self.horizontal or self.vertical or self.size or self.shapes or self.texts)


def attribute_request(query: str) -> AttributeRequest:
    """Parse colour, position, size, shape and text words out of a query."""
    words = re.findall(r"[a-z]+", query.lower())
    req = AttributeRequest()
    for w in words:
        c = COLOR_WORDS.get(w)
        if c and c not in req.colors:
            req.colors.append(c)
        s = SHAPE_WORDS.get(w)
        if s and s not in req.shapes:
            req.shapes.append(s)
    wordset = set(words)
    if wordset & {"left", "leftmost"}:
        req.horizontal = "left"
    elif wordset & {"right", "rightmost"}:
        req.horizontal = "right"
    if wordset & {"top", "upper", "topmost", "above", "highest"}:
        req.vertical = "top"
    elif wordset & {"bottom", "lower", "bottommost", "lowest", "below"}:
        req.vertical = "bottom"
    if wordset & {"middle", "center", "centre", "central"}:
        req.horizontal = req.horizontal or "center"
        req.vertical = req.vertical or "center"
    if wordset & BIGGEST:
        req.size = "largest"
    elif wordset & SMALLEST:
        req.size = "smallest"
    req.background = bool(wordset & BACKGROUND_WORDS)
    req.texts = text_targets(query)
    return req

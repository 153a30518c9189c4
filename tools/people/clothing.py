"""What a phrase says a person wears, item by item: "the blonde old lady in the black and white top" ->
[WornItem(band="head", colors=("yellow",), said="blonde hair"), WornItem(band="torso", colors=("black", "white"),
said="black and white top")].

Each item names the body band it is measured on (tools.vocabulary.BODY_BANDS keys: head, torso, legs, feet), the
colours said of it (COLOR_NAMES; "dark" alone before a garment reads as black), and a pattern word ("striped",
"plaid", "patterned"), which is measured as busy texture, not a colour. A colour after "in" with no garment
("the woman in red") is said of the clothes on the torso. Hair words: blonde, redhead, brunette, grey-haired.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tools.vocabulary import COLOR_MODIFIERS, COLOR_WORDS, GARMENT_WORDS

PATTERN_WORDS = frozenset("""striped stripes stripy stripey plaid checked checkered chequered checkerboard tartan
patterned pattern print printed floral flowery flowered spotted dotted polka camo camouflage""".split())
# one word for the hair and its colour ("the blonde", "redhead on the right", "the grey-haired man")
HAIR_COLOR_WORDS = {"blonde": "yellow", "blond": "yellow", "redhead": "orange", "ginger": "orange",
                    "brunette": "brown", "grey-haired": "gray", "gray-haired": "gray", "white-haired": "white",
                    "silver-haired": "gray", "dark-haired": "black", "black-haired": "black"}
# words that may stand between a colour and its garment ("a long black coat", "the curly dark hair")
_BETWEEN = frozenset("and n & or long short little big curly straight wavy sleeveless leather denim wool woolen "
                     "knit knitted tank crop t light bright pale".split())
# "top" is a garment only after a colour, pattern or garment adjective ("the orange top"), not in "on top"
_TOP_ADJECTIVES = frozenset({"tank", "crop", "tube", "halter", "sleeveless"})


@dataclass(frozen=True)
class WornItem:
    """One worn thing or hair: band (BODY_BANDS key), colours (COLOR_NAMES), pattern word or None, the words said."""

    band: str
    colors: tuple[str, ...]
    pattern: str | None
    said: str


def _colour(word: str, following: str | None) -> str | None:
    """The COLOR_NAMES name of a word; "dark" alone (not before another colour) reads as black."""
    if word in COLOR_WORDS:
        return COLOR_WORDS[word]
    if word == "dark" and (following is None or following not in COLOR_WORDS):
        return "black"
    return None


def is_garment_top(words: list[str], i: int) -> bool:
    """True when words[i] == "top" names a garment: a colour, pattern or garment adjective stands before it."""
    if i == 0 or words[i] != "top":
        return False
    before = words[i - 1]
    return before in COLOR_WORDS or before in COLOR_MODIFIERS or before in PATTERN_WORDS or before in _TOP_ADJECTIVES


_GARMENT_TOP = re.compile(r"\b(%s)(\s+)top\b" % "|".join(sorted({*COLOR_WORDS, *COLOR_MODIFIERS, *PATTERN_WORDS,
                                                                 *_TOP_ADJECTIVES}, key=len, reverse=True)))


def without_garment_tops(text: str) -> str:
    """The text with each garment "top" ("the orange top") renamed "shirt", so position words never read it."""
    return _GARMENT_TOP.sub(lambda m: f"{m.group(1)}{m.group(2)}shirt", text.lower())


def worn_items(text: str | None) -> list[WornItem]:
    """The worn things a phrase names with what is said of them, in phrase order; [] when none.
    A garment with nothing said of it ("the guy in the cap") is an item with no colours and no pattern."""
    words = re.findall(r"[a-z][a-z\-]*", (text or "").lower().replace("t-shirt", "tshirt"))
    items: list[tuple[int, WornItem]] = []
    used: set[int] = set()
    for i, w in enumerate(words):
        if w in HAIR_COLOR_WORDS:
            said = "red hair" if HAIR_COLOR_WORDS[w] == "orange" else f"{w.removesuffix('-haired')} hair"
            items.append((i, WornItem("head", (HAIR_COLOR_WORDS[w],), None, said)))
            used.add(i)
            continue
        garment = w in GARMENT_WORDS and (w != "top" or is_garment_top(words, i))
        if not garment or w == "hair" and i - 1 in used and words[i - 1] in HAIR_COLOR_WORDS:  # "blonde hair"
            continue
        colors: list[str] = []
        pattern = None
        j = i - 1
        while j >= 0 and j not in used and (words[j] in _BETWEEN or words[j] in PATTERN_WORDS or
                                           _colour(words[j], words[j + 1]) or words[j] in COLOR_MODIFIERS):
            c = _colour(words[j], words[j + 1])
            if c and c not in colors:
                colors.insert(0, c)
            if words[j] in PATTERN_WORDS:
                pattern = pattern or words[j]
            j -= 1
        said = " ".join(words[j + 1:i + 1])
        used.update(range(j + 1, i + 1))
        items.append((j + 1, WornItem(GARMENT_WORDS[w], tuple(colors), pattern, said)))
    joined = " ".join(words)
    for m in re.finditer(r"\b(?:in|dressed in|wearing|all in)\s+((?:(?:all|dark|light|bright)\s+)?"
                         r"[a-z]+(?:\s+(?:and|n|&)\s+[a-z]+)?)\b(?!\s+(?:[a-z]+\s+)?(?:%s)\b)"
                         % "|".join(sorted(GARMENT_WORDS)), joined):
        colors = [COLOR_WORDS[x] for x in re.findall(r"[a-z]+", m.group(1)) if x in COLOR_WORDS]
        if colors and not any(set(colors) <= set(it.colors) for _, it in items):  # "the woman in red"
            items.append((len(joined[:m.start(1)].split()), WornItem("torso", tuple(dict.fromkeys(colors)), None,
                                                                    m.group(1))))
    return [it for _, it in sorted(items, key=lambda pair: pair[0])]


def worn_phrase(items: list[WornItem]) -> str:
    """How a target phrase says the items: "in the black and white top with blonde hair" ("" for none)."""
    worn = [f"the {it.said}" if it.said.split()[-1] in GARMENT_WORDS else it.said for it in items if it.band != "head"
            or not it.said.endswith("hair")]
    hair = [it.said for it in items if it.band == "head" and it.said.endswith("hair")]
    return " ".join(filter(None, ["in " + " and ".join(worn) if worn else "",
                                  "with " + " and ".join(hair) if hair else ""]))

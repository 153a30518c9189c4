"""Explanation composer: text that points at the mask's pixels.

`mask_facts(mask, pixels) -> dict` measures a mask: box, position words, area fraction, size word,
colours, shape. `explain_mask(phrase, facts, evidence, previous, confidence) -> str` says where, how big,
what evidence chose it and how it changed from the previous turn. `answer_question(question, intent,
facts, count) -> str` answers answer-only turns from the same facts.
"""
from __future__ import annotations

import re
from typing import TypedDict

import numpy as np

from agent.state import TargetRecord
from tools.grounders.descriptors import accent_color, dominant_colors, shape_hint
from tools.masks import bbox, position_words, size_words
from tools.people.words import SUPPORT_VERBS, USUALLY_WORN
from tools.vocabulary import singular


class MaskFacts(TypedDict, total=False):
    """What mask_facts measures: box [x0, y0, x1, y1] (None for an empty mask), area (pixels), area_fraction
    of the image, width/height of the image, position and size words, colour names (most of the mask first)
    when the pixels are known, and an accent (hue, share) when those are all black/white/gray, shape hint ("round", "elongated", ...)."""

    box: list[float] | None
    area: int
    area_fraction: float
    width: int
    height: int
    position: str
    size: str
    colors: list[str]
    accent: tuple[str, float]
    shape: str


class MaskChange(TypedDict):
    """How a new mask relates to the previous one (change_from)."""

    iou: float
    of_previous: float
    inside_previous: float
    direction: str
    distance_px: float


def mask_facts(mask: np.ndarray, pixels: np.ndarray | None = None) -> MaskFacts:
    """Pixel facts of a bool (H, W) mask: box, position, area (px), area_fraction, size, colors, shape."""
    h, w = mask.shape
    box = bbox(mask)
    area = int(mask.sum())
    facts: MaskFacts = {"box": box, "area": area, "area_fraction": area / float(h * w), "width": w, "height": h}
    if box is None:
        return facts
    facts["position"] = position_words(box, w, h)
    facts["size"] = size_words(facts["area_fraction"])
    if pixels is not None:
        facts["colors"] = dominant_colors(pixels, mask)
        accent = accent_color(pixels, mask, facts["colors"])
        if accent:
            facts["accent"] = accent
    facts["shape"] = shape_hint(mask)
    return facts


WEAK_DETECTION = re.compile(r"^(.+) \(detector (0\.\d+), weak\)$")  # the evidence line of a weak box (category.py)
EASY_TO_SPOT_FRACTION = 0.01  # a target covering this share of the photo or more is "easy to spot"


def _where(facts: MaskFacts) -> str:
    x0, y0, x1, y1 = facts["box"]
    return f"in the {facts['position']} of the image (box x {x0}-{x1}, y {y0}-{y1})"


def _how_big(facts: MaskFacts) -> str:
    pct = 100.0 * facts["area_fraction"]
    return f"{facts['area']} px, {pct:.1f}% of the image ({facts['size']})"


def explain_mask(phrase: str, facts: MaskFacts, evidence: list[str], previous: TargetRecord | None = None,
                 change: MaskChange | None = None, confidence: float = 1.0, kind: str = "new_target") -> str:
    """One paragraph: what, where, how big, why, and how it relates to the previous turn's mask."""
    if facts.get("box") is None:
        return f"I could not find {phrase} in the image: no region matched."
    parts = [f"I segmented {phrase} {_where(facts)}: {_how_big(facts)}."]
    look = []
    if facts.get("colors"):
        look.append("/".join(facts["colors"]))
    if facts.get("shape") and facts["shape"] != "irregular":
        look.append(facts["shape"])
    if look:
        parts.append(f"It looks {' and '.join(look)}.")
    if evidence:
        parts.append("Chosen because: " + "; ".join(dict.fromkeys(evidence)) + ".")
    if previous and change:
        prev_phrase = previous.get("phrase", "the previous target")
        ratio = change.get("inside_previous")
        if kind == "refine_part" and ratio is not None and change["of_previous"] > 1.02:
            parts.append(f"Extended {prev_phrase} to {phrase}: {100 * change['of_previous']:.0f}% of the previous mask.")
        elif kind == "refine_part" and ratio is not None:
            share = f"{100 * change['of_previous']:.1f}" if change["of_previous"] < 0.01 else f"{100 * change['of_previous']:.0f}"
            outside = 1.0 - ratio
            parts.append(f"Narrowed from {prev_phrase} to {phrase}: {share}% of the previous mask's size" +
                         (f", {100 * outside:.0f}% of it lies outside the previous mask (a touching piece)." if outside > 0.2 else "."))
        elif kind == "correct":
            parts.append(f"Replaces the previous pick ({prev_phrase}); the two masks overlap {100 * change['iou']:.0f}% (IoU).")
        elif kind == "relate":
            parts.append(f"Related to {prev_phrase}: centre {change['direction']} of it, {change['distance_px']:.0f} px away.")
    weak = next((m for m in (WEAK_DETECTION.match(str(e)) for e in evidence or []) if m), None)
    if any(str(e).startswith("uncertain") for e in evidence or []):
        parts.append(f"Uncertain: {phrase} is tiny, it may not be a separate part of the previous mask.")
    elif weak:  # "sink (detector 0.25, weak)": the class's boxes are all below the detector's confidence bar
        parts.append(f"Not sure this is {article(weak.group(1))}: the detector only guesses at it (this box scores "
                     f"{weak.group(2)}), so it may be something else, or there may be no {weak.group(1)} here at all.")
    elif confidence < 0.5:
        parts.append("Low confidence: nothing in the request pinned this down, so I took the most salient region.")
    return " ".join(parts)


def change_from(previous_mask: np.ndarray | None, mask: np.ndarray) -> MaskChange | None:
    """How a new mask relates to the previous one: IoU, share of the previous mask, direction, distance."""
    if previous_mask is None or previous_mask.shape != mask.shape or not previous_mask.any() or not mask.any():
        return None
    inter = float((previous_mask & mask).sum())
    union = float((previous_mask | mask).sum())
    ys, xs = np.nonzero(mask)
    pys, pxs = np.nonzero(previous_mask)
    dx, dy = xs.mean() - pxs.mean(), ys.mean() - pys.mean()
    horiz = "right" if dx > 0 else "left"
    vert = "below" if dy > 0 else "above"
    direction = (f"{horiz}" if abs(dx) > 2 * abs(dy) else vert if abs(dy) > 2 * abs(dx) else f"{vert} and {horiz}")
    return {"iou": inter / union, "of_previous": float(mask.sum()) / float(previous_mask.sum()),
            "inside_previous": inter / float(mask.sum()), "direction": direction,
            "distance_px": float(np.hypot(dx, dy))}


def answer_question(question: str | None, phrase: str, facts: MaskFacts | None, count: int | None = None,
                    evidence: list[str] | None = None, text_only: bool = False, counted: str | None = None,
                    possible: int = 0) -> str:
    """Answer an answer-only turn from pixel facts of the current target (or a count of matching regions;
    `counted`: the detector class counted, when a detector did the counting; `possible`: weak detections of
    that class, when there is no confident one)."""
    if question in ("count", "exists") and count is not None:
        from tools.vocabulary import plural_of

        what = (f"{plural_of(counted, count)} (the detector's confident boxes)" if counted else
                f"region{'s' if count != 1 else ''} matching {phrase}")
        maybe = ""
        if possible and counted:
            maybe_what = article(counted) if possible == 1 else plural_of(counted, possible)
            maybe = f"; {possible} weaker detection{'s' if possible != 1 else ''} may be {maybe_what}, but I am not sure"
        if question == "exists":
            return f"{'Yes' if count else 'Maybe' if maybe else 'No'}: I found {count} {what}{maybe}."
        return f"I count {count} {what}{maybe}."
    if question == "chatter":
        return "OK. Tell me what to segment or ask about next."
    if text_only or not facts or facts.get("box") is None:
        if text_only:
            return f"Without the image I cannot measure pixels; the target under discussion is {phrase}."
        return f"There is no segmented target yet to answer about; ask me to segment {phrase} first."
    if question == "color":
        colors = facts.get("colors") or []
        accent = facts.get("accent")
        with_hue = f", with some {accent[0]} ({100 * accent[1]:.0f}% of it)" if accent else ""
        return (f"{phrase[0].upper() + phrase[1:]} is mostly {' and '.join(colors)}{with_hue}." if colors else
                f"I cannot name a clear colour for {phrase}.") + f" (measured over its {facts['area']} mask pixels)"
    if question == "where":
        return f"{phrase[0].upper() + phrase[1:]} is {_where(facts)}."
    if question == "size":
        return f"{phrase[0].upper() + phrase[1:]} covers {_how_big(facts)}."
    if question == "visible":  # "is the ball easy to spot?": by its size in the photo
        if facts["area_fraction"] >= EASY_TO_SPOT_FRACTION:
            return f"Yes: {phrase} is easy to spot, {_where(facts)}, {facts['area_fraction'] * 100:.1f}% of the image."
        return (f"Not easily: {phrase} is {facts['size']} ({facts['area_fraction'] * 100:.1f}% of the image), "
                f"{_where(facts)}.")
    if question == "shape":
        return f"{phrase[0].upper() + phrase[1:]} looks {facts.get('shape', 'irregular')}."
    if question == "text":
        text = facts.get("text")
        return f"I read: {text}." if text else f"I read no text inside {phrase}."
    if question == "who":  # a person's answer is agent.who_answer's
        return f"{phrase[0].upper() + phrase[1:]} is no person as far as I can tell. It is {_where(facts)}."
    if question == "doing":  # a person's answer is agent.activity_answer's
        return (f"I can't tell what {phrase} is doing: I read actions only for people (their pose and what they hold "
                f"or ride). It is {_where(facts)}.")
    if question == "why":
        why = "; ".join(evidence or []) or "it was the best match for the request"
        return f"I chose {phrase} because {why}. It is {_where(facts)}, {_how_big(facts)}."
    colors = "/".join(facts.get("colors") or []) or "unclear colour"
    return f"{phrase[0].upper() + phrase[1:]}: {colors}, {facts.get('shape', 'irregular')}, {_where(facts)}, {_how_big(facts)}."


def article(noun: str) -> str:
    """ "a cup", "an umbrella" (by the first letter; good enough for the COCO names)."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


ALTERNATIVE_BELOW = 0.4  # a thing named with a detector confidence below this is said with the next likeliest classes


def what_answer(lead: str, chosen: dict, candidates: list[dict]) -> str:
    """ "<lead> a laptop (detector 0.24), a guess: it may also be a book or a bowl." for a "what is ..." question
    answered by a detection (`chosen` and the ranked `candidates` carry "label" and "detector_score"); the next
    likeliest other classes are said only when the detector is unsure of the chosen one. A chosen region with no
    "detector_score" (a proposal) is said to be unnamed."""
    if "detector_score" not in chosen:  # a region proposal: nothing named it, so no name is said
        return f"{lead} something none of my detectors can name; I outlined the likeliest region."
    label = str(chosen.get("label") or "thing")
    score = float(chosen["detector_score"])
    text = f"{lead} {article(label)} (detector {score:.2f})"
    if score >= ALTERNATIVE_BELOW:
        return text + "."
    others: list[str] = []
    for c in candidates:
        other = str(c.get("label") or "")
        if other and other != label and other not in others:
            others.append(other)
    if not others:
        return text + ", a guess."
    return text + f", a guess: it may also be {' or '.join(article(o) for o in others[:2])}."


def scene_summary(counts: dict[str, int], limit: int = 5) -> str:
    """ {"person": 1, "cup": 2} -> "1 person and 2 cups" (the most frequent classes first, at most `limit`)."""
    from tools.vocabulary import plural_of

    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    parts = [f"{n} {plural_of(name, n)}" for name, n in items]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""


def miss_text(category: str, seen: dict[str, int]) -> str:
    """The answer when a named class is nowhere in the photo: what is there instead, no mask."""
    there = scene_summary({k: v for k, v in seen.items() if k != category})
    return f"I don't see {article(category)} in this photo" + (f"; I see {there}." if there else ".") + \
        " No mask this turn; the current target stays as it was."


def uncountable_text(phrase: str, question: str = "count") -> str:
    """The answer to "how many lamps?" / "is there a lamp?" when no detector knows the thing and no colour or
    shape word narrows it."""
    ask, it = (f"tell whether there is {phrase}", "it") if question == "exists" else (f"count {phrase}", "them")
    return (f"I can't {ask}: none of my detectors knows {it}, and without a colour or shape to match, the regions "
            f"I find in the photo say nothing about {it}. No mask this turn.")


def unknown_thing_text(phrase: str, reading: bool = False, described: bool = False, asks_if: bool = False) -> str:
    """The answer when the request names a thing no detector knows and says nothing (colour, place, size) that
    picks a region out, or (described=True) says something no region fits. reading=True: the question asks what
    it says (the photo's text follows this sentence); asks_if=True: it asks whether there is one."""
    if asks_if:
        last = phrase.split()[-1] if phrase.split() else ""
        return (f"I can't tell whether {phrase} {'are' if singular(last) != last else 'is'} in the photo: none of my "
                "detectors knows what it looks like. No mask this turn; the current target stays as it was.")
    if reading:
        return f"I can't locate {phrase}: none of my detectors knows what it looks like, so no mask this turn."
    if described:
        return (f"I can't find {phrase}: none of my detectors knows what it looks like, and no region fits the "
                "description well enough to pick it. Say its colour or where it is, or click on it. No mask this turn; "
                "the current target stays as it was.")
    return (f"I can't find {phrase}: none of my detectors knows what it looks like, and the request gives no colour, "
            "place or size to pick a region by. Say its colour or where it is, or click on it. No mask this turn; "
            "the current target stays as it was.")


def no_other_text(category: str | None, kept: str, where: str | None = None) -> str:
    """The answer to "no, the other one" when the search has nothing left but the rejected pick(s); where: the part
    of the photo the search was confined to ("on the left of the photo", "in the background")."""
    if category and where:
        return (f"I don't see another {category} {where}: the detector finds no {category} there besides the "
                f"one I segmented. No mask this turn; {kept} stays the target.")
    if category:
        return (f"I don't see another {category} in this photo: the detector finds no {category} besides the one "
                f"I segmented. No mask this turn; {kept} stays the target.")
    return f"I found no other region that fits. No mask this turn; {kept} stays the target."


GROUND_VERBS = ("standing on", "lying on")  # with nothing detected under them, what people and animals are on


def held_miss_text(who: str, verb: str, thing: str | None = None) -> str:
    """The answer when nothing the detector finds lies on the person (`thing`: the class the user named)."""
    on = {"she": "her", "he": "him", "they": "them"}.get(who, who)
    if thing:
        return f"I don't see {article(thing)} on {on}. No mask this turn; the current target stays as it was."
    be = "are" if who == "they" else "is"
    if verb in GROUND_VERBS:  # standing or lying on nothing a detector knows: the ground (or the floor) itself
        return (f"{who[:1].upper()}{who[1:]} {be} most likely {verb} the ground or the floor: none of the objects I "
                f"can detect lies under {on}. No mask this turn.")
    where = "under" if verb in SUPPORT_VERBS else "on"
    worn_on = verb.removeprefix("wearing on the ") if verb.startswith("wearing on the ") else None
    guess = f" What people wear on the {worn_on} is usually {USUALLY_WORN[worn_on]}." if worn_on in USUALLY_WORN else ""
    return (f"I can't tell what {who} {be} {verb}: none of the objects I can detect lies {where} {on}.{guess} "
            "No mask this turn.")

"""Answers to "what does it say?" from the photo's OCR lines, looked for where the question points.

Order: the lines inside the target's box -> lines just beside it (a sign's text may spill past the mask, a jersey's
number sits on the person's back) -> lines in the part of the photo the question names ("at the bottom", "in the
corner") -> the photo's other readable lines, said as such. Boxes are [x0, y0, x1, y1] pixels.
"""
from __future__ import annotations

from typing import Any

from tools.masks import centre_inside, part_preposition, position_words

PHOTO_TEXT = "text"   # an intent category naming the photo's own text ("what does it say at the bottom")
NEAR_MARGIN = 0.35   # "beside" reaches this share of the box's width / height past each side
MAX_LINES_SAID = 3   # the photo's other text: at most this many lines, the most confident first


def in_photo_part(position: str, line_box: list[float], width: int, height: int) -> bool:
    """Whether a line sits in the named part of the photo ("bottom", "top left", "corner": any corner)."""
    where = position_words(line_box, width, height).split()
    if position == "corner":
        return len(where) == 2
    return all(word in where for word in position.split())


def _joined(lines) -> str:
    return " / ".join(line.text for line in lines)


def _in_reading_order(lines) -> list:
    """The lines that read something, top to bottom, then left to right."""
    return sorted((line for line in lines if str(line.text or "").strip()), key=lambda line: (line.box[1], line.box[0]))


def _most_confident(lines) -> list:
    """At most MAX_LINES_SAID lines, the most confident, in reading order."""
    best = sorted(lines, key=lambda line: -float(line.score))[:MAX_LINES_SAID]
    return sorted(best, key=lambda line: (line.box[1], line.box[0]))


def text_answer(phrase: str | None, box: list[float] | None, position: str | None, lines, width: int,
                height: int) -> str:
    """One sentence reporting the text read for a "what does it say" question.
    phrase/box: the target asked about (None: the photo itself); position: a photo part the question names;
    lines: OCR lines (objects with .text, .box, .score) of the whole photo, in reading order."""
    lines = _in_reading_order(lines)
    if box is not None:
        inside = [line for line in lines if centre_inside(box, line.box)]
        if inside:
            return f"I read: {_joined(inside)}."
        beside = [line for line in lines if centre_inside(box, line.box, NEAR_MARGIN)]
        if beside:
            return f"I read no text inside {phrase}; right beside it I read: {_joined(beside)}."
    if position:
        part = [line for line in lines if in_photo_part(position, line.box, width, height)]
        where = "in a corner" if position == "corner" else \
            f"{part_preposition(position)} the {position}"
        if part:
            lead = f"I read no text inside {phrase}; {where}" if box is not None else where[:1].upper() + where[1:]
            return f"{lead} of the photo I read: {_joined(part)}."
    missed = f"I read no text inside {phrase}" if box is not None else "I read no text there"
    if not lines:
        return f"{missed}, and no readable text anywhere in the photo."
    return f"{missed}; elsewhere in the photo I read: {_joined(_most_confident(lines))}."


def unfound_text_answer(position: str | None, lines, width: int, height: int) -> str:
    """The sentence added when the thing a "what does X say" question names was not found: the text the photo
    shows (in the part the question names when it names one, else the most confident lines), said as such."""
    lines = _in_reading_order(lines)
    if not lines:
        return "I read no text anywhere in the photo either."
    part = [line for line in lines if position and in_photo_part(position, line.box, width, height)]
    said = part or _most_confident(lines)
    where = f"in the {position} of the photo" if part else "in the photo"
    return f"The text I can read {where}: {_joined(said)}."


def photo_text_answer(phrase: str | None, box: list[float] | None, position: str | None, vision: Any,
                      runtime: Any) -> str:
    """text_answer over the photo's OCR lines (read once per image by the runtime); inside the target's box, the
    lines read in that box enlarged when it holds any (a jersey number the whole photo's read misses)."""
    lines = runtime.read_text(vision, "read the text")
    if box is not None:
        closer = [line for line in runtime.read_text_in(vision, box) if centre_inside(box, line.box)]
        if closer:
            lines = closer + [line for line in lines if not centre_inside(box, line.box)]
    return text_answer(phrase, box, position, lines, vision.image.width, vision.image.height)


def unfound_photo_text(position: str | None, vision: Any, runtime: Any) -> str:
    """unfound_text_answer over the photo's OCR lines."""
    lines = runtime.read_text(vision, "read the text")
    return unfound_text_answer(position, lines, vision.image.width, vision.image.height)

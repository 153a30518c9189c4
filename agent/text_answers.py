"""Answers to "what does it say?" from the photo's OCR lines, looked for where the question points.

Order: the lines inside the target's box -> lines just beside it (a sign's text may spill past the mask, a jersey's
number sits on the person's back) -> lines in the part of the photo the question names ("at the bottom", "in the
corner") -> the photo's other readable lines, said as such. Boxes are [x0, y0, x1, y1] pixels.
"""
from __future__ import annotations

from typing import Any

from tools.masks import position_words

PHOTO_TEXT = "text"   # an intent category naming the photo's own text ("what does it say at the bottom")
NEAR_MARGIN = 0.35   # "beside" reaches this share of the box's width / height past each side
MAX_LINES_SAID = 3   # the photo's other text: at most this many lines, the most confident first


def _centre(box: list[float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _inside(box: list[float], line_box: list[float], margin: float = 0.0) -> bool:
    """The line's centre lies in `box` grown by `margin` of its size on each side."""
    mx, my = margin * (box[2] - box[0]), margin * (box[3] - box[1])
    cx, cy = _centre(line_box)
    return box[0] - mx <= cx <= box[2] + mx and box[1] - my <= cy <= box[3] + my


def in_photo_part(position: str, line_box: list[float], width: int, height: int) -> bool:
    """Whether a line sits in the named part of the photo ("bottom", "top left", "corner": any corner)."""
    where = position_words(line_box, width, height).split()
    if position == "corner":
        return len(where) == 2
    return all(word in where for word in position.split())


def _joined(lines) -> str:
    return " / ".join(line.text for line in lines)


def text_answer(phrase: str | None, box: list[float] | None, position: str | None, lines, width: int,
                height: int) -> str:
    """One sentence reporting the text read for a "what does it say" question.
    phrase/box: the target asked about (None: the photo itself); position: a photo part the question names;
    lines: OCR lines (objects with .text, .box, .score) of the whole photo, in reading order."""
    lines = sorted((line for line in lines if str(line.text or "").strip()), key=lambda line: (line.box[1], line.box[0]))
    if box is not None:
        inside = [line for line in lines if _inside(box, line.box)]
        if inside:
            return f"I read: {_joined(inside)}."
        beside = [line for line in lines if _inside(box, line.box, NEAR_MARGIN)]
        if beside:
            return f"I read no text inside {phrase}; right beside it I read: {_joined(beside)}."
    if position:
        part = [line for line in lines if in_photo_part(position, line.box, width, height)]
        where = "a corner" if position == "corner" else f"the {position}"
        if part:
            return f"In {where} of the photo I read: {_joined(part)}."
    missed = f"I read no text inside {phrase}" if box is not None else "I read no text there"
    if not lines:
        return f"{missed}, and no readable text anywhere in the photo."
    best = sorted(lines, key=lambda line: -float(line.score))[:MAX_LINES_SAID]
    best.sort(key=lambda line: (line.box[1], line.box[0]))
    return f"{missed}; elsewhere in the photo I read: {_joined(best)}."


def unfound_text_answer(position: str | None, lines, width: int, height: int) -> str:
    """The sentence added when the thing a "what does X say" question names was not found: the text the photo
    shows (in the part the question names when it names one, else the most confident lines), said as such."""
    lines = [line for line in lines if str(line.text or "").strip()]
    if not lines:
        return "I read no text anywhere in the photo either."
    part = [line for line in lines if position and in_photo_part(position, line.box, width, height)]
    said = part or sorted(lines, key=lambda line: -float(line.score))[:MAX_LINES_SAID]
    said.sort(key=lambda line: (line.box[1], line.box[0]))
    where = f"in the {position} of the photo" if part else "in the photo"
    return f"The text I can read {where}: {_joined(said)}."


def photo_text_answer(phrase: str | None, box: list[float] | None, position: str | None, vision: Any,
                      runtime: Any) -> str:
    """text_answer over the photo's OCR lines (read once per image by the runtime)."""
    lines = runtime.read_text(vision, "read the text")
    return text_answer(phrase, box, position, lines, vision.image.width, vision.image.height)


def unfound_photo_text(position: str | None, vision: Any, runtime: Any) -> str:
    """unfound_text_answer over the photo's OCR lines."""
    lines = runtime.read_text(vision, "read the text")
    return unfound_text_answer(position, lines, vision.image.width, vision.image.height)

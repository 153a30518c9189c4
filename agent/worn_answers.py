"""Answers about a person, measured on their mask: "what colour is his shirt?" (the garment's body part, from
the person's keypoints when the people analysis has them, else a band of their box), "what is she wearing?" (the
colours on the upper body, legs and feet; garments are not recognised, only where they are and their colours, and
the answer says so; "on her hands": the colours there and what is usually worn there, as a guess) and "is she
sitting?" (the pose from the keypoints); "what is she doing?" goes to agent.activity_answer, "who is she?" to
agent.who_answer.
"""
from __future__ import annotations


import numpy as np

from agent.activity_answer import activity_answer
from agent.candidates.parts import keypoint_part_masks
from agent.candidates.people import facts_for_mask, pose_said
from agent.candidates.worn import item_mask
from agent.state import IntentRecord
from tools.grounders.descriptors import color_shares, dominant_colors
from tools.masks import bbox
from tools.people.clothing import WornItem
from tools.people.words import USUALLY_WORN
from tools.vocabulary import COLOR_NAMES, GARMENT_WORDS

MIN_PART_PIXELS = 30  # fewer pixels of a part inside the person's mask are too few to name a colour
_BAND_WORDS = {"torso": "upper body", "legs": "legs", "feet": "feet", "head": "head"}


def _band_part(band: str, mask: np.ndarray, vision, runtime) -> tuple[np.ndarray, str] | None:
    """(bool (H, W) part of the person's `mask` on that body band, how it was found); None when the part is not
    seen (out of frame) or too small."""
    facts = facts_for_mask(mask, vision, runtime)
    box = bbox(mask)
    if box is None:
        return None
    part, how = item_mask(WornItem(band, (), None, band), list(box), facts, mask.shape)
    if part is None:
        return None
    part = part & mask
    if int(part.sum()) < MIN_PART_PIXELS:
        return None
    return part, "by the body keypoints" if how == "keypoints" else "on a band of the person's box"


def _limb_part(part: str, mask: np.ndarray, vision, runtime) -> tuple[np.ndarray, str] | None:
    """(bool (H, W) "hands" or "arms" of the person's `mask` by their body keypoints, how), or None."""
    found = keypoint_part_masks(part, mask, vision, runtime)
    if not found or int((found[0][0] & mask).sum()) < MIN_PART_PIXELS:
        return None
    return found[0][0] & mask, "by the body keypoints"


def _part_colors(band: str, mask: np.ndarray, vision, runtime) -> tuple[list[str], int, str] | None:
    """(colour names, pixels measured, how) on the band of the person that `mask` (bool (H, W)) shows; None when
    that part is not seen (out of frame) or too small."""
    found = _band_part(band, mask, vision, runtime)
    if found is None:
        return None
    part, how = found
    return dominant_colors(vision.image.pixels, part), int(part.sum()), how


def garment_color_answer(garment: str, owner: str, mask: np.ndarray, vision, runtime) -> str | None:
    """ "His shirt is mostly black (measured on his upper body by the body keypoints, 812 pixels)." or None when
    the garment word names no body band."""
    band = GARMENT_WORDS.get(garment)
    if band is None:
        return None
    found = _part_colors(band, mask, vision, runtime)
    if found is None:
        return f"I can't see where {owner}'s {garment} would be ({_BAND_WORDS[band]} hidden or out of the frame)."
    colors, pixels, how = found
    named = " and ".join(colors) if colors else "no clear colour"
    return (f"{owner[0].upper() + owner[1:]}'s {garment} is mostly {named} (measured on the {_BAND_WORDS[band]} "
            f"{how}, {pixels} pixels).")


def worn_on_answer(part: str, owner: str, mask: np.ndarray, vision, runtime, asked: list[str] | None = None) -> str:
    """ "What is she wearing on her hands": the colours measured on that part and what is usually worn there
    (USUALLY_WORN). part: a USUALLY_WORN key (the back is measured on the upper body); asked: colour names the
    question gave ("that gold thing on her arm"), whose share of the part is said."""
    band = {"back": "torso", "head": "head", "feet": "feet", "legs": "legs"}.get(part)
    found = _band_part(band, mask, vision, runtime) if band else _limb_part(part, mask, vision, runtime)
    guess = f"I don't recognise garments; what people wear on the {part} is usually {USUALLY_WORN[part]}."
    if found is None:
        return f"I can't see {owner}'s {part} well enough to measure them (too few body keypoints). {guess}"
    part_mask, how = found
    pixels = vision.image.pixels
    where = "upper body" if part == "back" else part
    look = "looks" if where in ("head", "upper body") else "look"
    said = f"{owner[0].upper() + owner[1:]}'s {where} {look} mostly {' and '.join(dominant_colors(pixels, part_mask))}"
    shares = color_shares(pixels, part_mask)
    for c in asked or []:
        if c in COLOR_NAMES:
            said += f"; {100 * shares[COLOR_NAMES.index(c)]:.0f}% of {'it is' if look == 'looks' else 'them are'} {c}"
    return f"{said} (measured {how}, {int(part_mask.sum())} pixels). {guess}"


def wearing_answer(owner: str, mask: np.ndarray, vision, runtime) -> str:
    """The colours on the person's upper body, legs and feet, said as colours of where the clothes are."""
    said = []
    for band in ("torso", "legs", "feet"):
        found = _part_colors(band, mask, vision, runtime)
        if found and found[0]:
            said.append(f"{_BAND_WORDS[band]} mostly {'/'.join(found[0])}")
    if not said:
        return f"I can't tell what {owner} is wearing: too little of them is seen."
    return (f"By colour where clothes are on {owner}: {'; '.join(said)}. (I measure colours on the body parts; "
            f"I don't recognise garments.)")


def pose_answer(pose: str, owner: str, mask: np.ndarray, vision, runtime) -> str:
    """ "Yes: by the body keypoints the woman looks sitting (0.62)." / "No: ... looks standing." / can't tell."""
    facts = facts_for_mask(mask, vision, runtime)
    if facts is None or not facts.pose:
        return f"I can't tell whether {owner} is {pose}: I find too few body keypoints on them."
    said = pose_said(owner, facts)
    return f"Yes: {said}." if facts.pose == pose else f"No: {said}, not {pose}."


def answer_about_person(intent: IntentRecord, phrase: str, mask: np.ndarray | None, vision, runtime) -> str | None:
    """The answer for a colour question naming a garment, a "what is X wearing?", "what is X doing?" or "who is X?"
    question about a person's mask; None for any other question or target (the general answer stands)."""
    if mask is None or not mask.any():
        return None
    question, garment = intent.get("question"), intent.get("garment")
    if question == "color" and garment:
        return garment_color_answer(str(garment), phrase, mask, vision, runtime)
    if question == "wearing" and intent.get("part") in USUALLY_WORN:
        return worn_on_answer(str(intent["part"]), phrase, mask, vision, runtime, list(intent.get("colors") or []))
    if question == "wearing":
        return wearing_answer(phrase, mask, vision, runtime)
    if question == "doing":
        return activity_answer(phrase, mask, vision, runtime)
    if question == "who":
        from agent.who_answer import who_answer  # it reuses wearing_answer from this module

        return who_answer(phrase, mask, vision, runtime)
    if question == "describe" and intent.get("pose"):  # "is she sitting?"
        return pose_answer(str(intent["pose"]), phrase, mask, vision, runtime)
    return None

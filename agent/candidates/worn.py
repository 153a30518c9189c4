"""Telling people apart by what they wear: each worn item the request names ("the black and white top", "blonde
hair", "the plaid shirt") is measured where it is on each person, and the item scores add up.

Where: the body part from the person's keypoints (torso between shoulders and hips, legs, feet, the upper half
of the head for hair and hats) inside their box when the people analysis has them, else a band of the box
(tools.vocabulary.BODY_BANDS, the middle half of its width). What: the share of the item's colours there
(tools.grounders.region_cues.color_share, averaged over "black and white"), and for a pattern word the busy
texture (share of pixels on a strong brightness edge), ranked against the other people.
"""
from __future__ import annotations

import cv2
import numpy as np

from agent.candidates.category import band_mask, head_phrase
from tools.grounders.region_cues import color_share
from tools.people.clothing import WornItem, worn_items
from tools.people.parts import keypoint_part
from tools.regions import Region
from tools.vocabulary import BODY_BANDS, GARMENT_WORDS

COLOR_WEIGHT = 1.5    # per item, times the colour share
RELATIVE_COLOR_WEIGHT = 1.0  # per item, times the share over the best share among the people (when >= 0.1)
PATTERN_WEIGHT = 1.0  # per pattern item, times the person's busy-texture rank among the people (0..1)
MIN_PATTERN_PIXELS = 400  # a garment under about 20 x 20 px shows no pattern: on a far-off figure every pixel is
                          # an edge (dev set: "boy in the plaid shirt" went to a 240 px torso at 60% edges, while
                          # "the person behind him in the striped shirt" is a 744 px torso at 23%)
EDGE_LEVEL = 40.0     # Sobel magnitude (0..255 grey) that counts as a strong edge
_PART_OF_BAND = {"torso": "torso", "legs": "legs", "feet": "feet", "head": "head"}


def request_worn(intent: dict) -> list[WornItem]:
    """The worn items of the request's own phrase (before any relation), else one item from the planner's
    garment and colours (an LLM planner's intent), else []."""
    items = [it for it in worn_items(head_phrase(intent)) if it.colors or it.pattern]
    if items:
        return items
    colors = tuple(intent.get("colors") or [])
    band = GARMENT_WORDS.get(str(intent.get("garment") or ""))
    return [WornItem(band or "torso", colors, None, " ".join([*colors, intent.get("garment") or ""]).strip())] \
        if colors else []


def item_mask(item: WornItem, box: list[float], facts, shape: tuple[int, int]) -> tuple[np.ndarray | None, str]:
    """(bool mask (H, W) where the item is on this person, how) or (None, why) when keypoints show the part is
    not seen (legs out of frame). Hair and hats: the upper half of the head."""
    if facts is not None and facts.keypoints is not None:
        inside = np.zeros(shape, bool)
        x0, y0, x1, y1 = (int(round(v)) for v in box)
        inside[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1] = True
        found = keypoint_part(_PART_OF_BAND[item.band], facts.keypoints, inside)
        if found is not None and found[0].sum() >= 20:
            mask = found[0]
            if item.band == "head":
                rows = np.flatnonzero(mask.any(axis=1))
                mask = mask.copy()
                mask[rows[0] + (rows[-1] - rows[0] + 1) // 2:] = False
            return mask, "keypoints"
        if item.band in ("legs", "feet"):
            return None, f"its {item.band} are not seen"
    return band_mask(box, BODY_BANDS[item.band], shape), "box band"


def busy_texture(gray: np.ndarray, mask: np.ndarray) -> float:
    """Share of the mask's pixels on a strong brightness edge (0..1): stripes and checks are busy."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return 0.0
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = gray[y0:y1, x0:x1].astype(np.float32)
    magnitude = np.hypot(cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3))
    return float((magnitude[mask[y0:y1, x0:x1]] > EDGE_LEVEL * 4).mean())  # Sobel 3x3 gains about 4


def worn_evidence(items: list[WornItem], regions: list[Region], vision, runtime) -> dict[int, tuple[float, list[str]]]:
    """{id(region): (score change, evidence)} for person regions against the worn items; {} without items."""
    if not items or not regions:
        return {}
    pixels = vision.image.pixels
    shape = pixels.shape[:2]
    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if any(it.pattern for it in items) else None
    people = "people" in runtime.grounders
    out: dict[int, tuple[float, list[str]]] = {id(r): (0.0, []) for r in regions}
    facts_of = {id(r): runtime.person_facts(vision, r.box) if people else None for r in regions}
    for item in items:
        busy: dict[int, float] = {}
        shares_of: dict[int, float] = {}
        for r in regions:
            mask, how = item_mask(item, list(r.box), facts_of[id(r)], shape)
            delta, why = out[id(r)]
            if mask is None:
                out[id(r)] = (delta, why + [f"{item.said}: {how}"])
                continue
            where = f"its {item.band}" + (" (keypoints)" if how == "keypoints" else "")
            if item.colors:
                region = Region(box=list(r.box), mask=mask)
                shares = [color_share(region, pixels, c) for c in item.colors]
                share = float(np.mean(shares))
                shares_of[id(r)] = share
                delta += COLOR_WEIGHT * share
                why = why + [f"{100 * share:.0f}% {'/'.join(item.colors)} on {where}"]
            if item.pattern and gray is not None and int(mask.sum()) >= MIN_PATTERN_PIXELS:
                busy[id(r)] = busy_texture(gray, mask)
            out[id(r)] = (delta, why)
        best = max(shares_of.values(), default=0.0)
        if best >= 0.1:  # the most orange of the people stands out even when 21% of its torso is
            for key, share in shares_of.items():
                delta, why = out[key]
                out[key] = (delta + RELATIVE_COLOR_WEIGHT * share / best, why)
        if busy:
            low, high = min(busy.values()), max(busy.values())
            for key, value in busy.items():
                rank = (value - low) / (high - low) if high - low > 0.02 else 0.0
                delta, why = out[key]
                out[key] = (delta + PATTERN_WEIGHT * rank,
                            why + ([f"{item.pattern}: busy texture on its {item.band} ({100 * value:.0f}% edge pixels)"]
                                   if rank > 0.5 else []))
    return out

"""Rank regions against a request's description: colour / shape / text words, then position or size order,
then saliency. Background-like regions rank last unless the request names the background.

Intents are `Intent.to_record()` dicts; regions are `tools.regions.Region` with descriptors in `attributes`.
"""
from __future__ import annotations

import numpy as np

from agent.candidates.record import Candidate, box_center, candidate
from tools.grounders.region_cues import background_like, color_share
from tools.masks import bbox
from tools.regions import Region
from tools.vocabulary import BACKGROUND_NOUNS


def wants_background(intent: dict) -> bool:
    """True when the request names the background itself (the table, the floor, the wall ...)."""
    words = {str(intent.get("category") or "")} | set(str(intent.get("target") or "").lower().split())
    return bool(words & BACKGROUND_NOUNS)


def describe_match(intent: dict, region: Region, width: int | None = None, height: int | None = None) -> tuple[float, list[str]]:
    """Score of a proposal against the intent's colour / shape / text words (position and size come later).
    Background-like regions (see tools.grounders.region_cues) lose 1.0 unless the request names the background."""
    a = region.attributes
    score, why = 0.0, []
    colors = a.get("colors") or []
    for want in intent.get("colors") or []:
        if colors and colors[0] == want:
            score, why = score + 1.0, why + [f"colour {want}"]
        elif want in colors:
            score, why = score + 0.6, why + [f"partly {want}"]
        else:
            score -= 0.6
    shape = intent.get("shape")
    if shape:
        score += 0.8 if a.get("shape") == shape else -0.3
        if a.get("shape") == shape:
            why.append(f"{shape} shape")
    cue = (intent.get("text_cue") or "").lower()
    text = " ".join(a.get("text") or []) if isinstance(a.get("text"), list) else (a.get("text") or region.text or "")
    if cue and cue in text.lower():
        score, why = score + 1.5, why + [f"contains the text '{cue}'"]
    frac = float(a.get("area_fraction", 0.0))
    if width is None and region.mask is not None:
        height, width = region.mask.shape
    bg = frac > 0.6 or a.get("background") or (width is not None and background_like(region, width, height))
    if bg:  # background-like (a table, a wall): last, unless the request names the background
        score += 0.5 if wants_background(intent) else -1.0
    if a.get("composite"):
        score -= 0.5  # a group of several other proposals
    return score, why


def saliency(region: Region, width: int, height: int) -> float:
    """Central, medium-large, confidently segmented regions score high (0..1)."""
    cx, cy = box_center(region.box)
    central = 1.0 - min(1.0, np.hypot(cx / width - 0.5, cy / height - 0.5) / 0.7)
    frac = float(region.attributes.get("area_fraction", 0.0))
    sized = 1.0 if 0.04 <= frac <= 0.45 else (0.5 if 0.01 <= frac <= 0.6 else 0.1)
    return 0.4 * central + 0.4 * sized + 0.2 * float(region.score)


def order_by_position(regions: list[Region], position: str | None, size: str | None,
                      center: tuple[float, float] | None = None, demote_faint: bool = True) -> list[Region]:
    """Sort a group of regions by a position word (leftmost first for "left") or by size; "center" sorts by
    distance to `center` (the image centre when given, else the group's mean centre). By position, in a group of
    three or more, regions much smaller than the group's largest come last (_faint) unless nearly all are that
    small, or demote_faint is False ("way back on the left": the small far ones are meant); of two, the one on
    that side is meant at any size."""
    if size == "largest":
        return sorted(regions, key=lambda r: -float(r.attributes.get("area_fraction", 0.0)))
    if size == "smallest":
        return sorted(regions, key=lambda r: float(r.attributes.get("area_fraction", 0.0)))
    if not position:
        return regions
    keys = {"left": lambda c: c[0], "right": lambda c: -c[0], "top": lambda c: c[1], "bottom": lambda c: -c[1],
            "top left": lambda c: c[0] + c[1], "top right": lambda c: -c[0] + c[1],
            "bottom left": lambda c: c[0] - c[1], "bottom right": lambda c: -c[0] - c[1]}
    faint = _faint(regions) if demote_faint and len(regions) > 2 else set()  # of two, either is "the right one"
    if len(faint) >= 3 and 4 * len(faint) >= 3 * len(regions):  # nearly all are small (skaters around one
        faint = set()                                                # close-up jumper): small is the rule there
    if position == "center":
        mx, my = center or _mid(regions)
        return sorted(regions, key=lambda r: (id(r) in faint,
                                              float(np.hypot(box_center(r.box)[0] - mx, box_center(r.box)[1] - my))))
    return sorted(regions, key=lambda r: (id(r) in faint, keys[position](box_center(r.box))))


def depth_key(region: Region, height: float) -> float:
    """How near the camera a region stands (larger is nearer): its box's bottom edge as a share of the image
    height plus the square root of its area share (on a ground plane, near things reach lower and look bigger)."""
    return float(region.box[3]) / max(height, 1.0) + float(np.sqrt(region.attributes.get("area_fraction", 0.0)))


def rank_order(regions: list[Region], position: str | None, size: str | None, depth: str | None,
               width: float, height: float, demote_faint: bool = True) -> list[Region]:
    """Regions ordered by every cue the request gives (position, size, depth): the sum of their ranks, ties
    kept in the given order. One cue alone is order_by_position or the depth order. demote_faint=False: small
    ones keep their place in the position order (a person cut off at the photo's edge shows little of them)."""
    orders = []
    if position or size:
        orders.append(order_by_position(regions, position, size, (width / 2, height / 2),
                                        demote_faint=demote_faint and depth != "back"))
    if depth:  # "in the back" of a crowd: the farthest of the figures one can make out, not a speck
        tiny = tiny_members(regions)
        orders.append(sorted(regions, key=lambda r: (id(r) in tiny, -depth_key(r, height) if depth == "front"
                                                     else depth_key(r, height))))
    if not orders:
        return list(regions)
    if len(orders) == 1:
        return orders[0]
    rank = {id(r): sum(o.index(r) for o in orders) for r in regions}
    return sorted(regions, key=lambda r: rank[id(r)])


FAINT_AREA_RATIO = 0.1  # a region under a tenth of the group's largest comes after the others in position order
TINY_AREA_RATIO = 0.03  # under this share of the largest a region is a far-off figure: never what "in the back"
                        # means (on the real-photo dev set, 109 referred instances among 3+ of their class: the
                        # smallest 0.038 of its class's largest box, a tenth of them under 0.093)


def _faint(group: list[Region], ratio: float = FAINT_AREA_RATIO) -> set[int]:
    """id() of the regions much smaller than the largest of their group (a passer-by far behind the two men in
    front): "the man on the right" means the rightmost of the prominent ones. Needs attributes["area_fraction"]."""
    areas = {id(r): float(r.attributes.get("area_fraction", 0.0)) for r in group}
    largest = max(areas.values(), default=0.0)
    return {key for key, area in areas.items() if area < ratio * largest}


def tiny_members(group: list[Region]) -> set[int]:
    """id() of the far-off figures of a group (TINY_AREA_RATIO of its largest): only a group of three or more has
    them (two of a kind are both referable however they differ)."""
    return _faint(group, TINY_AREA_RATIO) if len(group) > 2 else set()


def _mid(regions: list[Region]) -> tuple[float, float]:
    return float(np.mean([box_center(r.box)[0] for r in regions])), float(np.mean([box_center(r.box)[1] for r in regions]))


def _pieces_of_wholes(group: list[Region]) -> set[int]:
    """ids (id()) of group members that are a piece of a bigger same-colour member (a mug's body inside the
    mug-with-handle region): >= 90% of the piece lies inside it and the whole is at most 2.5x its area.
    Colour, area ratio and the masks' boxes are checked before any pixel is counted (a crowded photo has ~100
    regions)."""
    masked = [r for r in group if r.mask is not None and r.mask.any()]
    areas = {id(r): float(np.count_nonzero(r.mask)) for r in masked}
    boxes = {id(r): bbox(r.mask) for r in masked}
    colour = {id(r): (r.attributes.get("colors") or [None])[0] for r in masked}
    pieces = set()
    for small in masked:
        s_area = areas[id(small)]
        for big in masked:
            if big is small or big.attributes.get("composite") or colour[id(big)] != colour[id(small)]:
                continue
            if colour[id(small)] is None or not s_area < areas[id(big)] <= 2.5 * s_area:
                continue
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = boxes[id(small)], boxes[id(big)]
            x0, y0, x1, y1 = max(ax0, bx0), max(ay0, by0), min(ax1, bx1), min(ay1, by1)
            if x1 <= x0 or y1 <= y0:
                continue
            rows, cols = slice(y0, y1), slice(x0, x1)
            if float(np.count_nonzero(small.mask[rows, cols] & big.mask[rows, cols])) >= 0.9 * s_area:
                pieces.add(id(small))
                break
    return pieces


def _color_fallback(intent: dict, regions: list[Region], pixels, width: int, height: int) -> dict[int, tuple[float, list[str]]]:
    """When no (object-like) region is mainly the asked colour: colour-nearness scores instead of matches."""
    wants = intent.get("colors") or []
    objects = [r for r in regions if not background_like(r, width, height)] or regions
    if not wants or any(w in (r.attributes.get("colors") or []) for r in objects for w in wants):
        return {}
    out = {}
    for r in regions:
        share = max(color_share(r, pixels, w) for w in wants)
        why = [f"no region is mainly {'/'.join(wants)}; nearest in colour ({100 * share:.0f}% of its pixels are "
               f"{'/'.join(wants)} or close)"]
        out[id(r)] = (2.0 * share - (1.0 if background_like(r, width, height) and not wants_background(intent) else 0.0), why)
    return out


def rank_by_description(intent: dict, regions: list[Region], width: int, height: int, pixels=None) -> list[Candidate]:
    """Proposals ranked: description score groups, then position/size order, then saliency. Background-like
    regions stay out of the first group unless the request names the background; when no region has the asked
    colour, colour nearness (from `pixels`) replaces the colour match and the evidence says so."""
    if not regions:
        return []
    fallback = _color_fallback(intent, regions, pixels, width, height)
    scored = [(fallback.get(id(r)) or describe_match(intent, r, width, height), r) for r in regions]
    best = max(s for (s, _), _ in scored)
    margin = 0.15 if fallback else 0.3
    bg_ok = wants_background(intent)
    group = [r for (s, _), r in scored if s >= best - margin and float(r.attributes.get("area_fraction", 0)) <= 0.6
             and (bg_ok or not background_like(r, width, height))]
    group = group or [r for (s, _), r in scored if s >= best - margin] or [r for _, r in scored]
    by_saliency = sorted(group, key=lambda r: -saliency(r, width, height))
    pieces = _pieces_of_wholes(group) if (intent.get("position") or intent.get("size") or intent.get("depth")
                                          or intent.get("category")) else set()
    wholes = [r for r in by_saliency if id(r) not in pieces]
    ordered = rank_order(wholes, intent.get("position"), intent.get("size"), intent.get("depth"), width, height)
    ordered += [r for r in by_saliency if id(r) in pieces]
    why_of = {id(r): why for (_, why), r in scored}
    out = []
    n = len(wholes)
    what = "candidate regions" if fallback else "matching regions"
    for i, r in enumerate(ordered):
        why = list(why_of[id(r)])
        if intent.get("position") and i == 0 and n > 1:
            why.append(f"the {intent['position']}most of {n} {what}".replace("centermost", "most central"))
        if intent.get("size") and i == 0 and n > 1:
            why.append(f"the {intent['size']} of {n} {what}")
        if intent.get("depth") and i == 0 and n > 1:
            why.append(f"the {'nearest' if intent['depth'] == 'front' else 'farthest'} of {n} {what}")
        rec = candidate(r, best + 1.0 - i / max(len(ordered), 1) + 0.1 * saliency(r, width, height), why)
        rec["tied"] = n > 1 and not (intent.get("position") or intent.get("size"))
        out.append(rec)
    score_of = {id(r): s for (s, _), r in scored}
    rest = [r for _, r in scored if r not in group]
    for r in sorted(rest, key=lambda r: -score_of[id(r)]):
        out.append(candidate(r, score_of[id(r)] + 0.1 * saliency(r, width, height), why_of[id(r)]))
    return out

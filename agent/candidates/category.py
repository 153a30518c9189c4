"""Detector-first grounding: a request naming a category the detector knows gets that class's detections as
candidates (box prompts for the segmenter), ranked among themselves by the request's colour, position and size
words; a plural request ("all the people", "the two dogs") groups them so the masks are joined.

Works with the embedded COCO-80 detector (closed vocabulary: `coco_category` names the class) and with a user's
open-vocabulary detector (Grounding DINO, OWLv2: the category phrase is their query).
"""
from __future__ import annotations

import numpy as np

from agent.candidates.ranking import rank_order, tiny_members
from agent.candidates.rows import ROW_PENALTY, requested_row, row_members
from agent.candidates.record import Candidate, candidate
from agent.planners.phrases import relation_start, requested_edge
from tools.grounders.region_cues import color_share
from tools.masks import box_area, box_iou, inside_share
from tools.regions import Region
from tools.vocabulary import (BODY_BANDS, GARMENT_WORDS, KIND_GROUPS, ORDINALS, coco_category, kind_word, plural_of,
                              plural_request)

MIN_SCORE = 0.3    # detections at or above this are instances of the category
WEAK_SCORE = 0.12  # when none reaches MIN_SCORE, the best one above this is offered, flagged weak
MAX_INSTANCES = 12
WEAK_PEER_SHARE = 0.6  # weak detections this close to the best weak one are its peers when words pick by depth
RANK_STEP, MAX_RANK_PENALTY = 0.5, 1.5  # score lost per place in the position/size/depth order, and at most


def head_phrase(intent: dict) -> str:
    """The words of the target phrase before any relation ("the cup left of it" -> "the cup")."""
    target = str(intent.get("target") or "")
    cut = relation_start(target)
    return " ".join(target.split()[:cut]) if cut else target


def kind_group(intent: dict) -> tuple[str, ...] | None:
    """The COCO classes the target's head noun names together ("the bag": handbag, backpack, suitcase;
    "the boards on the left": surfboard, skateboard, snowboard; tools.vocabulary.KIND_GROUPS), or None."""
    word = group_word(intent)
    return KIND_GROUPS[word] if word else None


def group_of(intent: dict, category: str | None) -> tuple[str, ...] | None:
    """The kind group the request means by `category` (its detector category): kind_group when the category is
    one of its classes ("the bag" -> handbag: all three bag classes), else None."""
    group = kind_group(intent)
    return group if group and category in group else None


def group_word(intent: dict) -> str | None:
    """The last word of the target phrase that names a kind group, singular ("the blue bags strapped" -> "bag")."""
    words = head_phrase(intent).split()
    return next(filter(None, (kind_word(" ".join(words[:i])) for i in range(len(words), 0, -1))), None)


def intent_category(intent: dict, open_vocabulary: bool = False) -> str | None:
    """The COCO class the request's target names ("the man on the left" -> "person"; a kind group's first
    class, "the board" -> "surfboard", see kind_group), or None; with an open-vocabulary detector
    (open_vocabulary=True) any head noun the planner found is a category to ask it for."""
    named = coco_category(head_phrase(intent)) or coco_category(intent.get("category"))
    group = None if open_vocabulary else kind_group(intent)
    if group and named is None:  # "the board": no one class is named ("the woman with the bag" names a person)
        named = group[0]
    return named or (intent.get("category") or None if open_vocabulary else None)


def detector_category(intent: dict, runtime) -> str | None:
    """The category to ask the loaded detector for (intent_category for the detector kind), or None without a
    detector: the one decision that sends a turn down the detector path."""
    if not runtime.has_detector():
        return None
    return intent_category(intent, runtime.has_open_vocabulary())


def class_hits(category: str, classes: tuple[str, ...] | None, vision, runtime) -> list[Region]:
    """Every detection of the category (or of a kind group's classes), most confident first."""
    return sorted((r for c in classes or (category,) for r in runtime.detect_category(vision, c)),
                  key=lambda r: -float(r.score))


def category_regions(category: str, vision, runtime, weak_peers: bool = False,
                     classes: tuple[str, ...] | None = None, with_weak: bool = False) -> tuple[list[Region], bool]:
    """(instances of `category` best first, weak): detections >= MIN_SCORE, else the best one >= WEAK_SCORE
    (weak=True); boxes in image pixels. weak_peers=True keeps every weak one within WEAK_PEER_SHARE of the best:
    for words that pick one by depth ("the car closest to the camera", "the ponies in the back"), since a detector
    scores far, small things lower, so the best weak one is no guide to depth; and for a count's possible ones. By
    position words alone the best weak one stays the answer (keeping its peers lost more than it won on the COCO
    referring benchmark). `classes`: a kind group's classes, searched together (default: the category alone).
    with_weak=True: the strong ones and every weak one after them (weak=False: each says its own score)."""
    hits = class_hits(category, classes, vision, runtime)
    strong = [r for r in hits if r.score >= MIN_SCORE][:MAX_INSTANCES]
    if with_weak:
        return [r for r in hits if r.score >= WEAK_SCORE][:MAX_INSTANCES], False
    if strong:
        return strong, False
    weak = [r for r in hits if r.score >= WEAK_SCORE]
    if weak_peers and weak:
        return [r for r in weak if r.score >= WEAK_PEER_SHARE * weak[0].score][:MAX_INSTANCES], True
    return weak[:1], bool(weak)


OTHER_SIDE_SCORE = 0.2  # a weak detection this confident may be the one on the side the words name


def wrong_side(box: list[float], position: str | None, width: int, height: int) -> bool:
    """Whether a box's centre lies clearly on the other half of the photo from a position word ("right" and a
    centre in the left 45%); False for "center", no position, or a box near the middle (counting a weak box in
    for a confident one near the middle lost a turn on the dev set and won none on the COCO referring benchmark)."""
    if not position or position == "center":
        return False
    cx, cy = (box[0] + box[2]) / 2 / width, (box[1] + box[3]) / 2 / height
    words = position.split()
    return ("left" in words and cx > 0.55) or ("right" in words and cx < 0.45) or \
        ("top" in words and cy > 0.55) or ("bottom" in words and cy < 0.45)


def other_side(regions: list[Region], position: str | None, category: str, classes: tuple[str, ...] | None, vision,
               runtime) -> list[Region]:
    """ "the sandwich on the right" when the detector's one confident sandwich is on the left: its best weak
    detection (>= OTHER_SIDE_SCORE) on the named side, apart from that one, as a second instance for the position
    order; [] otherwise."""
    w, h = vision.image.width, vision.image.height
    if len(regions) != 1 or not wrong_side(list(regions[0].box), position, w, h):
        return []
    return [r for r in class_hits(category, classes, vision, runtime) if OTHER_SIDE_SCORE <= r.score < MIN_SCORE
            and not wrong_side(list(r.box), position, w, h) and box_iou(list(r.box), list(regions[0].box)) < 0.5][:1]


def band_mask(box: list[float], band: tuple[float, float], shape: tuple[int, int]) -> np.ndarray:
    """Bool (H, W): the middle half of the box's width over the rows of `band` (top 0 .. bottom 1)."""
    height, width = shape
    x0, y0, x1, y1 = box
    qx, bh = (x1 - x0) / 4, y1 - y0
    mask = np.zeros(shape, bool)
    mask[int(max(y0 + band[0] * bh, 0)):int(min(y0 + band[1] * bh, height)) + 1,
         int(max(x0 + qx, 0)):int(min(x1 - qx, width)) + 1] = True
    return mask


def _box_region(region: Region, width: int, height: int, with_mask: bool,
                band: tuple[float, float] = (0.25, 0.75)) -> Region:
    """The detection with area_fraction set and, with_mask, the middle half of its box's width over the rows of
    `band` (top 0 .. bottom 1; default the inner half) as a mask where colour shares are measured."""
    x0, y0, x1, y1 = region.box
    attrs = dict(region.attributes)
    attrs["area_fraction"] = max(x1 - x0, 0) * max(y1 - y0, 0) / float(width * height)
    mask = band_mask(list(region.box), band, (height, width)) if with_mask else None
    return Region(box=list(region.box), score=region.score, label=region.label, source=region.source, mask=mask,
                  attributes=attrs, id=region.id)


def _what(category: str, n: int) -> str:
    return f"{n} {plural_of(category, n)}"


def category_candidates(intent: dict, category: str, vision, runtime, turn: int,
                        with_weak: bool = False) -> list[Candidate]:
    """Candidates for a named category, best first; [] when the detector finds none. with_weak: weak detections
    too, each flagged (see category_regions)."""
    from agent.candidates.people import person_evidence  # people.py and worn.py read head_phrase from here
    from agent.candidates.worn import request_worn, worn_evidence
    w, h = vision.image.width, vision.image.height
    group_classes = group_of(intent, category)
    edge = requested_edge(str(intent.get("target") or ""))  # cut off by the border: faint boxes count too
    regions, _ = category_regions(category, vision, runtime, weak_peers=bool(intent.get("depth")),
                                  classes=group_classes, with_weak=with_weak or bool(edge))
    if not regions:
        return []
    regions = regions + other_side(regions, intent.get("position"), category, group_classes, vision, runtime)
    noun = group_word(intent) if group_classes else category
    worn = request_worn(intent) if category == "person" else []
    colors = [] if worn else intent.get("colors") or []  # a person's colours are said of what they wear
    body = GARMENT_WORDS.get(str(intent.get("garment") or "")) or ("torso" if category == "person" else None)
    band = BODY_BANDS[body] if body else (0.25, 0.75)  # a person's colour is their clothing's
    boxed = [_box_region(r, w, h, with_mask=bool(colors), band=band) for r in regions]
    n = len(boxed)
    shares = {id(r): max((color_share(r, vision.image.pixels, c) for c in colors), default=0.0) for r in boxed}
    position, size, depth = intent.get("position"), intent.get("size"), intent.get("depth")
    row = requested_row(str(intent.get("target") or "")) or (  # "the ones kneeling in front": the front row
        depth if depth in ("front", "back") and plural_request(head_phrase(intent)) else None)
    row = row if n > 2 else None
    in_row = row_members([list(r.box) for r in boxed], row) if row else set()
    if in_row:  # "the girl in the middle of the front row": ranked within that row; the row replaces the depth cue
        depth = None
        inside = [r for j, r in enumerate(boxed) if j in in_row]
        ordered = rank_order(inside, position, size, None, w, h) + [r for j, r in enumerate(boxed) if j not in in_row]
    else:
        ordered = rank_order(boxed, position, size, depth, w, h, demote_faint=not edge)
    tiny = set() if asks_for_tiny(intent) else tiny_members(boxed)
    place = ordinal(head_phrase(intent)) if position else None  # "the second guy from the left"
    place = place if place and place <= n else None
    rank = {id(r): abs(i - (place - 1)) if place else i for i, r in enumerate(ordered)}
    group = f"all:{category}" if plural_request(head_phrase(intent)) and n > 1 else None
    people = person_evidence(intent, boxed, vision, runtime) if category == "person" and n > 1 else {}
    wearing = worn_evidence(worn, boxed, vision, runtime) if n > 1 else {}
    members = {k for k, (d, _) in people.items() if d > 0}  # "the ones kneeling": only those the models agree on
    if in_row:  # "the ones kneeling in front": the row's members, less those the models say are otherwise (a
        row_ids = {id(r) for j, r in enumerate(boxed) if j in in_row}  # person they could not judge stays)
        members = (row_ids - {k for k, (d, _) in people.items() if d < 0}) or row_ids
    tied = n > 1 and not (position or size or depth or colors or worn or group or any(d for d, _ in people.values()))
    parts_of_wholes = inner_boxes(boxed) if tied else set()
    out: list[Candidate] = []
    for j, r in enumerate(boxed):
        faint = r.score < MIN_SCORE  # a weak box, offered alone or among confident ones
        evidence = [f"{r.label or category} (detector {r.score:.2f}{', weak' if faint else ''})"]
        score = 2.0 + float(r.score)
        if tied:  # "the person" among several: of near-equally confident boxes the prominent one is meant
            score += PROMINENCE_WEIGHT * float(np.sqrt(box_area(r.box) / max(w * h, 1)))
            if id(r) in parts_of_wholes:
                score -= PART_BOX_PENALTY
                evidence.append("its box lies inside a larger box of the same class (part of that one, likely)")
        if colors:
            score += 1.5 * shares[id(r)]
            where = f"on its {body}" if body else "inside its box"
            evidence.append(f"{100 * shares[id(r)]:.0f}% {'/'.join(colors)} {where}")
        for said in (people, wearing):
            if id(r) in said:
                score += said[id(r)][0]
                evidence += said[id(r)][1]
        if in_row:
            if j in in_row:
                evidence.append(f"in the {row} row ({len(in_row)} of {n} by the height of their tops)")
            else:
                score -= ROW_PENALTY
        if position or size or depth:
            score -= min(RANK_STEP * rank[id(r)], MAX_RANK_PENALTY)  # "in the back" of 12 people: the first few
            if rank[id(r)] == 0 and n > 1 and place:
                evidence.append(f"number {place} from the {position} of {_what(noun, n)}")
            elif rank[id(r)] == 0 and n > 1:
                words = [f"{position}most".replace("centermost", "most central") if position else size,
                         {"front": "nearest", "back": "farthest"}.get(depth or "")]
                evidence.append(f"the {' and '.join(w for w in words if w)} of {_what(noun, n)}")
        elif n == 1:
            evidence.append(f"the only {noun} found")
        if edge:
            at_edge = touches_border(list(r.box), edge, w, h)
            score += EDGE_BONUS if at_edge else -0.5 * EDGE_BONUS
            evidence += [f"at the {edge} edge of the photo"] if at_edge else []
        if id(r) in tiny:
            score -= TINY_PENALTY
            evidence.append(f"much smaller than the other {plural_of(category, n)} (a far-off one)")
        in_group = group if group and (not members or id(r) in members) else None
        if in_group and members:
            evidence.append(f"one of the {len(members)} in the {row} row the people analysis does not rule out"
                            if in_row else f"one of the {len(members)} the people analysis matches")
        elif in_group:
            evidence.append(f"all {_what(noun, n)} together")
        out.append(candidate(r, score, evidence, needs_mask=True, cid=detection_id(r, vision, runtime), group=in_group, tied=tied,
                             detector_score=round(float(r.score), 4), low_confidence=faint))
    out.sort(key=lambda c: -c["score"])
    if tied:
        top = max(boxed, key=lambda r: float(r.score))
        most = round(float(top.score), 4) <= out[0]["detector_score"]
        why = "the more confident box lies inside it" if id(top) in parts_of_wholes else "near-equal detector scores"
        out[0]["evidence"].append(f"the most confident of {_what(noun, n)}" if most else
                                  f"the most prominent of {_what(noun, n)} (the larger box; {why})")
    return _counted_group(out, group_size(head_phrase(intent)), category)


def inner_boxes(regions: list[Region]) -> set[int]:
    """id() of the boxes that lie (>= INNER_SHARE of their area) inside a box at least twice as large whose
    detector score is at least WHOLE_SCORE_RATIO of theirs: a detector's box of a person's upper half beside the
    box of the whole person."""
    out = set()
    for r in regions:
        area = box_area(r.box)
        for big in regions:
            if big is r or box_area(big.box) < 2 * area or float(big.score) < WHOLE_SCORE_RATIO * float(r.score):
                continue
            if inside_share(r.box, big.box) >= INNER_SHARE:
                out.add(id(r))
                break
    return out


def detection_id(region: Region, vision, runtime) -> str:
    """ "det:<class>:<rank>": the detection's place among its class's detections on this image, best first; the
    same box gets the same id whatever the request (masks are cached per id and image)."""
    ranked = sorted(runtime.detect_category(vision, region.label), key=lambda r: -float(r.score))
    rank = next((i for i, r in enumerate(ranked) if (r.id, list(r.box)) == (region.id, list(region.box))), len(ranked))
    return f"det:{region.label}:{rank}"


EDGE_BONUS = 1.0      # "cut off at the right edge": a box touching that border of the photo
INNER_SHARE = 0.9        # inner_boxes: this share of a box inside a larger one ...
WHOLE_SCORE_RATIO = 0.7  # ... scored at least this share of the inner one's score
PART_BOX_PENALTY = 0.15  # and the inner box, a likely part of the larger one, drops this much when nothing else decides
PROMINENCE_WEIGHT = 0.1  # x sqrt(box share of the photo): of several equally named boxes, a near-tie goes to the larger
BORDER_SHARE = 0.02   # a box within this share of the width (height) of a border touches it


def touches_border(box: list[float], side: str, width: int, height: int) -> bool:
    """Whether box [x0, y0, x1, y1] reaches the photo's `side` border ("left", "right", "top", "bottom")."""
    return {"left": box[0] <= BORDER_SHARE * width, "right": box[2] >= (1 - BORDER_SHARE) * width,
            "top": box[1] <= BORDER_SHARE * height, "bottom": box[3] >= (1 - BORDER_SHARE) * height}[side]


TINY_PENALTY = 1.0  # a far-off figure among three or more (ranking.tiny_members) unless the words ask for one
FAR_OFF_WORDS = ("in the distance", "far away", "far off", "faraway")  # "in the back" is not: a figure one makes out


def asks_for_tiny(intent: dict) -> bool:
    """Whether the request asks for a small or far-off instance ("the smallest boat", "the boat in the distance")."""
    return intent.get("size") == "smallest" or any(w in str(intent.get("target") or "").lower() for w in FAR_OFF_WORDS)


GROUP_SIZES = {"both": 2, "two": 2, "pair": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3,
               "4": 4, "5": 5}


def ordinal(phrase: str) -> int | None:
    """The place a phrase counts to ("the second guy from the left" -> 2), or None."""
    return next((ORDINALS[w] for w in phrase.lower().split() if w in ORDINALS), None)


def group_size(phrase: str) -> int | None:
    """How many a plural request asks for ("both kids" -> 2, "the three dogs" -> 3), or None ("all", "the kids")."""
    return next((GROUP_SIZES[w] for w in phrase.lower().split() if w in GROUP_SIZES), None)


def _counted_group(ranked: list[Candidate], size: int | None, category: str) -> list[Candidate]:
    """ "both kids in helmets" among 12 people: only the `size` best-scoring group members stay in the group."""
    members = [c for c in ranked if c.get("group")]
    if not size or len(members) <= size:
        return ranked
    keep = {id(c) for c in members[:size]}
    for c in members:
        if id(c) not in keep:
            c["group"] = None
            c["evidence"] = [e for e in c["evidence"] if not e.startswith(("all ", "one of the "))]
        else:
            c["evidence"] = [e for e in c["evidence"] if not e.startswith(("all ", "one of the "))] + \
                [f"one of the {size} {plural_of(category, size)} that match best"]
    return ranked


IMPLIED_MIN_INSTANCES = 2  # a class the picture is "about" has at least this many confident instances


def implied_category(memory: dict, vision, runtime) -> str | None:
    """The class a request without a noun means ("the one on the left", "the big one"): the current target's
    class when the detector sees at least two of it, else, among the classes with at least two confident
    instances, the one covering the most of the photo (the two people at a table, not its nine chairs); None when
    no class has several."""
    counts: dict[str, list[float]] = {}
    for d in runtime.all_detections(vision):
        if d.score >= MIN_SCORE:
            counts.setdefault(d.label, []).append((d.box[2] - d.box[0]) * (d.box[3] - d.box[1]))
    current = coco_category(((memory or {}).get("current") or {}).get("category"))  # "guy" -> person, the label
    if current in counts and len(counts[current]) >= IMPLIED_MIN_INSTANCES:
        return current
    several = [(sum(a), len(a), name) for name, a in counts.items() if len(a) >= IMPLIED_MIN_INSTANCES]
    return max(several)[2] if several else None


IMPLIED_COLOUR_SHARE = 0.15  # an implied class is meant by a colour word only when one of its instances shows it


def shows_colour(category: str, colors: list[str], vision, runtime) -> bool:
    """Whether any confident instance of the class has at least IMPLIED_COLOUR_SHARE of one of the colours in the
    inner half of its box: "the white stuff in the middle" among carrots is no carrot (0% white), so the regions
    are searched by colour instead."""
    w, h = vision.image.width, vision.image.height
    regions, _ = category_regions(category, vision, runtime)
    boxed = [_box_region(r, w, h, with_mask=True) for r in regions]
    return any(color_share(r, vision.image.pixels, c) >= IMPLIED_COLOUR_SHARE for r in boxed for c in colors)

"""Describe: a new target named by category and attributes ("the man on the left", "the red mug").

Order of evidence: text the request quotes (OCR) -> the category's detections (detector-first: no region
proposals are computed when the detector answers) -> Haar cascades (faces, cat faces, plates; people when no
COCO detector is loaded) -> region proposals ranked by colour / shape / position / size, flagged low
confidence when nothing in the request pins the pick down.
"""
from __future__ import annotations

from agent.candidates.category import category_candidates, detector_category, intent_category
from agent.candidates.ranking import order_by_position, rank_by_description, wants_background
from agent.candidates.record import Candidate, candidate
from agent.candidates.text import text_candidates
from tools.grounders.region_cues import background_like, flat_share
from tools.masks import box_iou
from tools.regions import Region
from tools.vocabulary import HAAR_NOUNS

OTHER_CLASS_SCORE = 0.5  # a detection this confident says what a region is


def _haar_candidates(intent: dict, vision, runtime, turn: int) -> list[Candidate]:
    """Haar cascade boxes for faces, cat faces, plates (and people without a COCO detector)."""
    noun = HAAR_NOUNS.get(str(intent.get("category") or "")) or HAAR_NOUNS.get(intent_category(intent) or "")
    if not noun or "haar" not in runtime.grounders or (noun in ("person", "cat") and runtime.has_detector()):
        return []
    out = [candidate(d, 2.0 + d.score, [f"detector haar: {d.label} {d.score:.2f}"], needs_mask=True, cid=f"t{turn}:haar{j}")
           for j, d in enumerate(runtime.detect(vision, "haar", noun)[: runtime.max_box_prompts])]
    if out and intent.get("position"):
        boxes = order_by_position([Region(box=c["box"], id=c["id"]) for c in out], intent["position"], None)
        order = {r.id: i for i, r in enumerate(boxes)}
        for c in out:
            c["score"] = c["score"] - 0.5 * order[c["id"]]
    return out


def describe_candidates(intent: dict, vision, runtime, turn: int) -> list[Candidate]:
    """Candidates for a described target, best first. A category the detector knows and finds nowhere (no box of
    that class even at WEAK_SCORE) gives [] (an honest miss: explain says what is there instead), never an
    unrelated region. A weak box alone (WEAK_SCORE..MIN_SCORE) is offered and the answer says it may not be that
    class at all. Refusing weak boxes was measured and dropped: on the real-photo dev set 4 of 13 weak picks were
    things not in the photo and 2 were right, but on the COCO referring set, where every asked thing is there,
    most were right (gIoU 0.555 -> 0.494 in a run that refused them); a confident box of another
    class over the weak one did not tell them apart either (a keyboard seen as a book, a glass as a cup).
    A second look down to score 0.08 was measured and dropped too: on the COCO referring set it turned two misses into masks of IoU 0.19 and 0.00, and on the dev set an absent umbrella into a false one."""
    out = text_candidates(intent, vision, runtime, turn)
    category = detector_category(intent, runtime)
    missed = None
    if category:
        found = category_candidates(intent, category, vision, runtime, turn)
        if found and not out:
            return found
        if found and all(c["id"].startswith("det:") for c in out):  # "the bus that says 22": a detected bus holds it
            held = {c["id"] for c in out}
            return sorted(out + [c for c in found if c["id"] not in held], key=lambda c: -c["score"])
        out += found
        missed = None if found else category
    out += _haar_candidates(intent, vision, runtime, turn)
    if missed and not out:
        return []
    if unknown_without_cues(intent, runtime) and not out and cluttered(vision, runtime):
        return []  # "show me the mic" on a busy desk: no detector knows it, no word picks a region; the answer says so
    regions = proposal_candidates(intent, vision, runtime, turn, missed=missed, named=bool(out))
    if not out and regions and not regions[0]["evidence"] and unknown_to_detector(intent, runtime) and \
            cluttered(vision, runtime):
        return []  # "the box of tissues": its word ("box": rectangular) fits no region; the most salient is no answer
    return sorted(out + regions, key=lambda c: -c["score"])


def has_description_cue(intent: dict) -> bool:
    """Whether the request says a colour, shape, position, depth or size that ranks region proposals."""
    return bool(intent.get("colors") or intent.get("shape") or intent.get("position") or intent.get("size")
                or intent.get("depth"))


def unknown_to_detector(intent: dict, runtime) -> bool:
    """A named thing the loaded detector does not know ("the mic", "the tomato"; without a detector, proposals are
    the only search and this never holds), not the background ("the sky") and not found by a relation."""
    return bool(intent.get("category")) and runtime.has_detector() and not detector_category(intent, runtime) and \
        not wants_background(intent) and not intent.get("relation")


def unknown_without_cues(intent: dict, runtime) -> bool:
    """`unknown_to_detector` with no colour, shape, position, depth or size to rank regions by: any region offered
    would be a guess unrelated to the words (on the real-photo dev set such picks scored gIoU 0.15, and two of six
    were things not in the photo)."""
    return unknown_to_detector(intent, runtime) and not has_description_cue(intent)


CLUTTERED_REGIONS = 20  # object-like region proposals above which the most salient one is no fair guess
PLAIN_SHARE_MIN = 0.05  # under this share of flat pixels an image is textured all over: cluttered, nothing to count


def cluttered(vision, runtime) -> bool:
    """Whether the photo shows more than CLUTTERED_REGIONS object-like region proposals. On a plain scene of a few
    things (the synthetic shelves: 8-9) the most salient region is a fair, low-confidence guess for a thing no
    detector knows (dropping it lost gIoU 0.03 on the synthetic split's first 50 dialogues); on the real photos of
    the dev set (36-46) it was right once in six. Counting needs the region proposals (10-20 s on a photo), so an
    image with under PLAIN_SHARE_MIN flat pixels (tools.grounders.region_cues.flat_share: no plain background at
    all) is taken as cluttered first: 127 of the 160 coco_tiny photos, none of the 200 synthetic test scenes
    (their lowest share is 0.061)."""
    if flat_share(vision.image.pixels) < PLAIN_SHARE_MIN:
        return True
    w, h = vision.image.width, vision.image.height
    regions = [r for r in runtime.proposals(vision) if not r.attributes.get("background") and not background_like(r, w, h)]
    return len(regions) > CLUTTERED_REGIONS


def proposal_candidates(intent: dict, vision, runtime, turn: int, missed: str | None = None,
                        named: bool = False) -> list[Candidate]:
    """Region proposals ranked by the description. `missed`: the category the detector was asked for and did not
    find (regions that another class's confident detection covers rank lower); `named`: other searches found
    candidates already (no low-confidence flag)."""
    missed = missed or detector_category(intent, runtime)
    w, h = vision.image.width, vision.image.height
    described = rank_by_description(intent, runtime.proposals(vision), w, h, vision.image.pixels)
    if missed:
        _detector_hints(described, missed, vision, runtime)
    has_cue = has_description_cue(intent)
    note = f"the detector found no {'other ' if intent.get('exclude_previous') else ''}{missed}" if missed else None
    if not has_cue and not named:
        why = f"{note}: the most salient region (low confidence)" if note else \
            "no detector knows this category: the most salient region (low confidence)"
        for c in described:
            c["evidence"] = c["evidence"] + [why]
            c["low_confidence"] = True
    elif note:
        for c in described:
            c["evidence"] = c["evidence"] + [note]
    return sorted(described, key=lambda c: -c["score"])


def _detector_hints(cands: list[Candidate], wanted: str, vision, runtime) -> None:
    """When the detector did not find the wanted class, a proposal whose box matches a confident detection of
    another class (box IoU > 0.6) is that thing, not the wanted one: it loses 1.5 and says so. (Weak detections
    of any class were tried as an objectness cue: NanoDet's 100 low-score boxes cover walls as well as objects.)"""
    others = [d for d in runtime.all_detections(vision) if d.label != wanted and d.score >= OTHER_CLASS_SCORE]
    for c in cands:
        hit = next((d for d in others if box_iou(c["box"], d.box) > 0.6), None)
        if hit is not None:
            c["score"] = round(c["score"] - 1.5, 4)
            c["evidence"] = c["evidence"] + [f"looks like a {hit.label} (detector {hit.score:.2f}), not a {wanted}"]

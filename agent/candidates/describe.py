"""Describe: a new target named by category and attributes ("the man on the left", "the red mug").

Order of evidence: text the request quotes (OCR) -> the category's detections (detector-first: no region
proposals are computed when the detector answers) -> Haar cascades (faces, cat faces, plates; people when no
COCO detector is loaded) -> region proposals ranked by colour / shape / position / size, flagged low
confidence when nothing in the request pins the pick down.
"""
from __future__ import annotations

from agent.candidates.category import category_candidates, intent_category
from agent.candidates.ranking import order_by_position, rank_by_description
from agent.candidates.record import Candidate, candidate
from agent.candidates.text import text_candidates
from tools.regions import Region
from tools.vocabulary import HAAR_NOUNS


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
    """Candidates for a described target, best first."""
    out = text_candidates(intent, vision, runtime, turn)
    category = intent_category(intent)
    missed = None
    if category and runtime.has_detector():
        found = category_candidates(intent, category, vision, runtime, turn)
        if found and not out:
            return found
        out += found
        missed = None if found else f"the detector found no {category}"
    out += _haar_candidates(intent, vision, runtime, turn)
    w, h = vision.image.width, vision.image.height
    described = rank_by_description(intent, runtime.proposals(vision), w, h, vision.image.pixels)
    has_cue = bool(intent.get("colors") or intent.get("shape") or intent.get("position") or intent.get("size"))
    if not has_cue and not out:
        why = f"{missed}: the most salient region (low confidence)" if missed else \
            "no detector knows this category: the most salient region (low confidence)"
        for c in described:
            c["evidence"] = c["evidence"] + [why]
            c["low_confidence"] = True
    elif missed:
        for c in described:
            c["evidence"] = c["evidence"] + [missed]
    return sorted(out + described, key=lambda c: -c["score"])

"""Count: how many things match a question's category / colour / shape words ("how many people?")."""
from __future__ import annotations

from agent.candidates.category import category_regions, detector_category, group_of
from agent.candidates.ranking import describe_match
from agent.candidates.record import Candidate, candidate
from tools.masks import box_iou
from tools.vocabulary import HAAR_NOUNS


def countable(intent: dict, runtime) -> bool:
    """Whether count_matching can count what the turn names: a detector class, a Haar noun, or colour / shape
    words to match region proposals by ("how many lamps?" has none of these: every proposal would count)."""
    haar = HAAR_NOUNS.get(str(intent.get("category") or ""))
    return bool(detector_category(intent, runtime) or (haar and "haar" in runtime.grounders) or
                intent.get("colors") or intent.get("shape"))


def count_matching(intent: dict, vision, runtime) -> tuple[int, list[Candidate]]:
    """(count, the matching candidates): detections of a known category, else Haar hits, else proposals
    matching the colour / shape words; (0, []) when not countable(). With no confident detection of the category,
    its weak ones (category_regions) come back flagged low_confidence and are not counted: an answer may name them
    as possible."""
    if not countable(intent, runtime):
        return 0, []
    category = detector_category(intent, runtime)
    if category:  # "how many bags": handbags, backpacks and suitcases together (a kind group's classes)
        regions, weak = category_regions(category, vision, runtime, weak_peers=True,
                                         classes=group_of(intent, category))
        hits = [candidate(r, r.score, [f"{r.label or category} (detector {r.score:.2f}{', weak' if weak else ''})"],
                          cid=f"det:{r.label or category}:{j}", low_confidence=weak) for j, r in enumerate(regions)]
        return (0 if weak else len(hits)), hits
    haar = HAAR_NOUNS.get(str(intent.get("category") or ""))
    if haar and "haar" in runtime.grounders:
        found = runtime.detect(vision, "haar", haar)
        return len(found), [candidate(d, d.score, [f"detector haar: {d.label}"]) for d in found]
    hits = []
    need = len(intent.get("colors") or []) + (1 if intent.get("shape") else 0)
    for r in runtime.proposals(vision):
        s, why = describe_match(intent, r)
        if r.attributes.get("background") or r.attributes.get("composite"):
            continue
        if float(r.attributes.get("area_fraction", 0)) <= 0.6 and s >= 0.8 * need:
            hits.append(candidate(r, s, why))
    kept = _dedupe(hits)
    return len(kept), kept


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """Drop candidates whose box nearly equals an earlier kept one."""
    kept: list[Candidate] = []
    for c in cands:
        if all(box_iou(c["box"], k["box"]) < 0.7 for k in kept):
            kept.append(c)
    return kept

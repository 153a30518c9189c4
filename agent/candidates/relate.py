"""Relate: regions standing in a relation ("left of", "under", "next to", ...) to a reference, which is the
previous target or a described region ("the cup next to the laptop"). A target naming a known category is
searched among that category's detections; otherwise among the region proposals (plus the relation graph when
the reference is a proposal itself).
"""
from __future__ import annotations

import numpy as np

from agent.candidates.background import background_mask
from agent.candidates.category import category_candidates, detector_category, implied_category
from agent.candidates.contents import contents_candidates
from agent.candidates.held import held_candidates, held_phrase_parts
from agent.candidates.people import person_acting_on
from agent.candidates.ranking import rank_by_description, saliency, wants_background
from agent.candidates.record import Candidate, box_center, candidate
from agent.memory import current_target, record_of_turn, target_mask
from agent.planners.earlier_targets import earlier_target_described
from agent.planners.questions import BACKGROUND_PART, PHOTO_PART_REFERENCE
from tools.grounders.region_cues import background_like
from tools.grounders.relations import RELATIONS as GRAPH_RELATIONS
from tools.masks import bbox, box_iou, filled_box, inside_share, photo_part_box
from tools.regions import Region
from tools.vocabulary import coco_category, coco_classes


WEAK_PENALTY = 0.5  # a faint detection beside a confident one of its class is often a fragment of it
DEPTH_STEP = 0.15  # a bottom edge this share of the reference's height lower (higher) is clearly in front (behind)
DEPTH_RELATIONS = ("in_front_of", "behind")


def relation_score(box: list[float], ref: list[float], relation: str, mask_overlap: float, width: int, height: int,
                   ref_inside: float = 0.0) -> float:
    """How well a candidate box stands in `relation` to a reference box (0..1); boxes [x0, y0, x1, y1].
    mask_overlap: share of the candidate inside the reference; ref_inside: share of the reference inside the
    candidate's box (a tie or a bag on a person is "with" them: next to, not apart)."""
    cx, cy = box_center(box)
    rx, ry = box_center(ref)
    diag = float(np.hypot(width, height))
    gap_x = max(ref[0] - box[2], box[0] - ref[2], 0.0)
    gap_y = max(ref[1] - box[3], box[1] - ref[3], 0.0)
    near = 1.0 - min(1.0, np.hypot(gap_x, gap_y) / (0.5 * diag))
    h_overlap = max(0.0, min(box[2], ref[2]) - max(box[0], ref[0])) / max(min(box[2] - box[0], ref[2] - ref[0]), 1)
    v_overlap = max(0.0, min(box[3], ref[3]) - max(box[1], ref[1])) / max(min(box[3] - box[1], ref[3] - ref[1]), 1)
    if relation == "left_of":
        return (cx < rx and box[2] <= ref[0] + 0.3 * (ref[2] - ref[0])) * (0.5 * near + 0.5 * v_overlap)
    if relation == "right_of":
        return (cx > rx and box[0] >= ref[2] - 0.3 * (ref[2] - ref[0])) * (0.5 * near + 0.5 * v_overlap)
    if relation == "below":
        return (cy > ry and box[1] >= ref[1] + 0.5 * (ref[3] - ref[1])) * (0.5 * near + 0.5 * h_overlap)
    if relation == "above":
        return (cy < ry and box[3] <= ref[3] - 0.5 * (ref[3] - ref[1])) * (0.5 * near + 0.5 * h_overlap)
    if relation == "next_to":
        return (mask_overlap < 0.3 or ref_inside > 0.6) * near
    if relation == "inside":
        return float(mask_overlap > 0.8) * (0.5 + 0.5 * near)
    if relation == "contains":
        inside = box[0] <= ref[0] + 2 and box[1] <= ref[1] + 2 and box[2] >= ref[2] - 2 and box[3] >= ref[3] - 2
        return float(inside) * 0.8
    if relation == "overlaps":
        return float(mask_overlap > 0.05)
    if relation in DEPTH_RELATIONS:
        # Standing lower (in front) or higher (behind) in the image, and in line with it: what is behind something
        # is partly hidden by it, so it shares its columns (often inside its box), rather than merely near it.
        # How far lower (higher) its bottom edge stands, as a share of the reference's height, grades it: 4 px
        # higher is beside it, not behind it.
        lift = (box[3] - ref[3] if relation == "in_front_of" else ref[3] - box[3]) / max(ref[3] - ref[1], 1.0)
        return float(lift > 0) * (0.5 + 0.5 * min(1.0, lift / DEPTH_STEP)) * (0.2 + 0.3 * near + 0.5 * h_overlap)
    return 0.0


def reference_intent(ref: str) -> dict:
    """The reference phrase read as a search of its own ("the red car on the left")."""
    from agent.planners.phrases import find_colors, find_depth, find_position, find_shape, find_size
    return {"kind": "new_target", "target": ref, "colors": find_colors(ref), "position": find_position(ref),
            "size": find_size(ref), "shape": find_shape(ref), "depth": find_depth(ref)}


def reference(intent: dict, memory: dict, vision, runtime) -> tuple[np.ndarray | None, str | None, str]:
    """(reference mask, reference region id, words) for a relation: the previous target, an earlier target the
    reference's words repeat ("the lady in the black coat"), a detection of the category the reference names, or
    the best described proposal."""
    ref = intent.get("reference")
    if str(ref).startswith(PHOTO_PART_REFERENCE):  # "whats that on the left": that part of the photo
        part = str(ref)[len(PHOTO_PART_REFERENCE):]
        h, w = vision.image.height, vision.image.width
        if part == BACKGROUND_PART:  # "whats in the background": above where the nearest things stand
            found = runtime.all_detections(vision) if runtime.has_detector() else []
            return background_mask(found, w, h), None, "the background"
        return filled_box(photo_part_box(part, w, h), h, w), None, f"the {part} of the photo"
    if ref in (None, "previous") or not ref or str(ref).startswith("turn:"):  # the current or an earlier target
        cur = record_of_turn(memory, ref) or current_target(memory)
        return target_mask(cur), (cur or {}).get("region_id"), (cur or {}).get("phrase", "the previous target")
    earlier = earlier_target_described(str(ref), memory)  # "the lady in the black coat", segmented two turns ago
    if earlier is not None and target_mask(earlier) is not None:
        return target_mask(earlier), earlier.get("region_id"), str(earlier.get("phrase") or ref)
    sub = reference_intent(ref)
    named = coco_category(ref)
    if named and runtime.has_detector():
        found = category_candidates(sub, named, vision, runtime, 0)
        if found:
            ref_id = found[0]["id"]  # stable per image: the mask is segmented once
            return runtime.box_prompt_masks(vision, {ref_id: found[0]["box"]})[ref_id][0], None, ref
    ranked = rank_by_description(sub, runtime.proposals(vision), vision.image.width, vision.image.height,
                                 vision.image.pixels)
    if not ranked:
        return None, None, ref
    return vision.masks.get(ranked[0]["id"]), ranked[0]["id"], ref


SAME_AS_REFERENCE_IOU = 0.55  # a detection this close to the reference box is the reference itself
RELATED_BOX = "related_box"  # attributes key: the box of the thing a target was found by ("the guy dragging the
                             # suitcase" keeps the suitcase's, so "his suitcase" is that one)
OTHER_CLASS_SAME_IOU = 0.85   # ... when the reference is of another class: a rider's box covers most of the
                              # motorbike's ("the guy riding it"), only a near-identical box is the same thing
MAX_REFERENCES = 4            # "the woman with the bag": each of the best few bags is tried as the reference


def reference_category(intent: dict, memory: dict | None) -> str | None:
    """The COCO class of a relation's reference: the class of the earlier target it points at ("previous",
    "turn:N") or the class its words name ("the bag"); None when neither names one."""
    ref = str(intent.get("reference") or "previous")
    if ref == "previous" or ref.startswith("turn:"):
        record = record_of_turn(memory, ref) or current_target(memory) or {}
        return coco_category(record.get("category")) or coco_category(record.get("phrase"))
    return coco_category(ref)


def same_as_reference_iou(category: str, ref_category: str | None, ref_id: str | None = None) -> float:
    """Box IoU above which a detection of `category` is the reference itself rather than a thing related to it:
    loose for the same class, unless the reference is a known detection (then only its own id or a near-identical
    box is it: the giraffe behind the giraffe shares most of its box)."""
    known = str(ref_id or "").startswith(("det:", "held:"))
    return SAME_AS_REFERENCE_IOU if ref_category in (None, category) and not known else OTHER_CLASS_SAME_IOU


def reference_boxes(intent: dict, vision, runtime, memory: dict | None = None) -> list[tuple[list[float], float, str]]:
    """For a reference that names a detected category ("the bag", "the red car"): its best few detections as
    (box, score change, candidate id), the change being how far below the best-described one each is (0 for the
    best); [] for any other reference (the previous target, a proposal)."""
    ref = str(intent.get("reference") or "")
    named = coco_category(ref) if ref and ref != "previous" and not ref.startswith("turn") else None
    if not named or not runtime.has_detector() or earlier_target_described(ref, memory) is not None:
        return []  # an earlier target the words repeat is the reference itself (see reference)
    found = category_candidates(reference_intent(ref), named, vision, runtime, 0)[:MAX_REFERENCES]
    return [(list(c["box"]), float(c["score"] - found[0]["score"]), c["id"]) for c in found]


def _detected(intent: dict, category: str, refs: list[tuple[list[float], float, str | None]], rel: str,
              ref_words: str, vision, runtime, turn: int, ref_category: str | None = None) -> list[Candidate]:
    """The category's detections ranked by the relation to the best of the reference boxes for each (box, score
    change, id) triple (the reference itself dropped: see same_as_reference_iou); when every strong one is the
    reference, the weak ones are tried; for a depth relation with no size or position word they are candidates
    from the start (a giraffe half hidden behind another scores low; "the little glass behind the cat" ranks by
    size, which faint boxes of fragments would win)."""
    early = rel in DEPTH_RELATIONS and not (intent.get("size") or intent.get("position"))
    found = _related_detections(intent, category, refs, rel, ref_words, vision, runtime, turn, ref_category, early)
    if found or early:
        return found
    return _related_detections(intent, category, refs, rel, ref_words, vision, runtime, turn, ref_category, True)


def _related_detections(intent: dict, category: str, refs: list[tuple[list[float], float, str | None]], rel: str,
                        ref_words: str, vision, runtime, turn: int, ref_category: str | None,
                        with_weak: bool) -> list[Candidate]:
    w, h = vision.image.width, vision.image.height
    in_part = str(intent.get("reference") or "").startswith(PHOTO_PART_REFERENCE)  # "the other one" after "whats
    out = []                                                                      # on the left": only the left
    for c in category_candidates(intent, category, vision, runtime, turn, with_weak=with_weak):
        best = None
        for ref_box, ref_change, ref_id in refs:
            if c["id"] == ref_id or box_iou(c["box"], ref_box) > same_as_reference_iou(category, ref_category, ref_id):
                continue
            overlap, ref_inside = inside_share(c["box"], ref_box), inside_share(ref_box, c["box"])
            geo = relation_score(c["box"], ref_box, rel, overlap, w, h, ref_inside if category == "person" else 0.0)
            acting, how = person_acting_on(intent, c["box"], ref_box, vision, runtime) if category == "person" \
                else (0.0, "")
            pair = 3.0 * geo + 3.0 * acting + ref_change
            if best is None or pair > best[0]:
                best = (pair, geo, acting, how, ref_box)
        if best is None or (in_part and best[1] <= 0):
            continue
        _, geo, acting, how, ref_box = best
        c = dict(c)
        c["score"] = round(c["score"] + best[0] - (WEAK_PENALTY if c.get("low_confidence") else 0.0), 4)
        c["attributes"] = {**(c.get("attributes") or {}), RELATED_BOX: [round(float(v), 1) for v in ref_box]}
        evidence = [e for e in c["evidence"]
                    if not (acting and e.startswith(("the most confident of", "the most prominent of")))]
        c["evidence"] = ([f"{rel.replace('_', ' ')} {ref_words}"] if geo > 0 else []) + ([how] if how else []) + evidence
        c["tied"] = False
        out.append(c)
    return sorted(out, key=lambda c: -c["score"])


def relate_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """Candidates related to the reference, best first; None when there is no reference (search as new)."""
    ref_mask, ref_id, ref_words = reference(intent, memory, vision, runtime)
    if ref_mask is None or not ref_mask.any():
        return None
    w, h = vision.image.width, vision.image.height
    ref_box = bbox(ref_mask)
    rel = intent.get("relation") or "next_to"
    if rel == "held_by":
        asked = str(intent.get("target") or "")  # "what she is holding", "what they are standing on"; "his board"
        verb = held_phrase_parts(asked)[1] if asked.startswith("what ") else "with"
        named = intent.get("category")  # the thing's own noun ("his tie"), never the owner the target phrase names
        held = coco_classes(named) or (named if runtime.has_open_vocabulary() else None)
        owner = record_of_turn(memory, intent.get("reference")) or current_target(memory) or {}
        said_before = coco_classes(str((owner.get("intent") or {}).get("reference") or ""))
        same_words = bool(held) and tuple(said_before) == tuple(held)  # "his suitcase" after "dragging the suitcase"
        return held_candidates(ref_box, ref_words, verb, vision, runtime, turn, held,
                               related_box=(owner.get("attributes") or {}).get(RELATED_BOX) if same_words else None)
    if str(intent.get("target") or "").startswith("what "):  # "what's on the plate?": the named things there
        part = str(intent.get("reference") or "").startswith(PHOTO_PART_REFERENCE)
        found = contents_candidates(list(ref_box), ref_words, rel, vision, runtime, turn, ref_mask if part else None)
        if found:
            return found
    category = detector_category(intent, runtime)
    if not category and runtime.has_detector() and str(intent.get("target") or "").startswith(("the thing", "the one")):
        category = implied_category(memory, vision, runtime)  # "the one behind it" among giraffes: a giraffe
    if category:
        refs = reference_boxes(intent, vision, runtime, memory) or [(list(ref_box), 0.0, ref_id)]
        found = _detected(intent, category, refs, rel, ref_words, vision, runtime, turn,
                          reference_category(intent, memory))
        if found or not runtime.detect_category(vision, category):
            return found  # none of that class anywhere: an honest miss, not an unrelated region
    proposals = runtime.proposals(vision)
    graph = runtime.relation_graph(vision) if ref_id in vision.masks else None  # a proposal's or a detection's id
    graph_rel = "touching" if rel == "next_to" else rel
    if graph_rel not in GRAPH_RELATIONS:  # depth relations: the graph has no such edge, the geometry decides
        graph_ids: set = set()
    elif graph is not None and ref_id in graph:
        from tools.grounders.relations import related
        graph_ids = set(related(graph, ref_id, graph_rel))
    else:  # the reference is not a proposal: relate every proposal to it as an extra node (boxes)
        from tools.grounders.relations import pair_relations
        ref_region = Region(box=list(ref_box), id="reference")
        graph_ids = {r.id for r in proposals if graph_rel in pair_relations(r, ref_region, touch_px=4)}
    out = []
    ranked = {c["id"]: c for c in rank_by_description(intent, proposals, w, h, vision.image.pixels)}
    for r in proposals:
        if r.mask is None or r.id == ref_id or r.attributes.get("background") or \
                float(r.attributes.get("area_fraction", 0)) > 0.6:
            continue
        inter = float((r.mask & ref_mask).sum())
        overlap = inter / max(float(r.mask.sum()), 1.0)
        if inter / max(float((r.mask | ref_mask).sum()), 1.0) > 0.5:
            continue  # the reference itself
        geo = relation_score(r.box, ref_box, rel, overlap, w, h) + (0.3 if r.id in graph_ids else 0.0)
        geo *= 0.5 if r.attributes.get("composite") else 1.0
        geo *= 0.4 if background_like(r, w, h) and not wants_background(intent) else 1.0
        if geo <= 0:
            continue
        desc = ranked.get(r.id, {}).get("score", 0.0) if (intent.get("colors") or intent.get("shape")) else 0.0
        why = [f"{rel.replace('_', ' ')} {ref_words}"] + ranked.get(r.id, {}).get("evidence", [])
        out.append(candidate(r, 2.0 * geo + 0.5 * desc + 0.1 * saliency(r, w, h), why))
    return sorted(out, key=lambda c: -c["score"]) or None

"""Gather and rank candidate regions for an Intent.

`gather(intent, memory, vision, runtime, turn) -> list[candidate]` (best first). A candidate is a
JSON-safe dict {"id", "box", "score", "label", "source", "text", "attributes", "evidence": [str],
"needs_mask": bool}; its mask (when known) sits in vision.masks[id]. Candidates without a mask
(detector / OCR boxes) are segmented with a box prompt by the segment node.
Cues: text -> OCR lines and the proposal containing them; colour/position/size/shape -> proposal
descriptors; relation -> geometry against the reference mask (plus the relation graph when the
reference is a proposal); correction -> the previous region excluded; Haar categories -> detector
boxes; otherwise the most salient proposal, flagged low-confidence.
"""
from __future__ import annotations

import numpy as np

from agent.memory import current_target, excluded_ids, target_mask
from agent.parts import part_candidates
from agent.select_cues import (  # noqa: F401  (mark_composites is re-exported for the runtime)
    background_like, color_share, containing_proposal, mark_composites, sign_box, wants_background,
)
from tools.masks import bbox, box_iou
from tools.regions import Region

HAAR_CATEGORIES = {
    "person": "person", "people": "person", "man": "person", "woman": "person", "boy": "person", "girl": "person",
    "child": "person", "kid": "person", "player": "person", "pedestrian": "person", "human": "person",
    "face": "face", "head": "face", "cat": "cat", "kitten": "cat", "plate": "plate", "license": "plate",
    "licence": "plate", "number plate": "plate",
}
TEXT_NOUNS = {None, "text", "word", "words", "letter", "letters", "writing", "title", "phrase", "number"}


def _record(region: Region, score: float, evidence: list[str], needs_mask: bool = False, cid: str | None = None) -> dict:
    rec = region.to_record()
    rec.update(id=cid or region.id, score=round(float(score), 4), evidence=evidence, needs_mask=needs_mask)
    return rec


def _center(box: list[float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def describe_match(intent: dict, region: Region, width: int | None = None, height: int | None = None) -> tuple[float, list[str]]:
    """Score of a proposal against the intent's colour / shape / text words (position and size come later).
    Background-like regions (see agent.select_cues) lose 1.0 unless the request names the background."""
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
    cx, cy = _center(region.box)
    central = 1.0 - min(1.0, np.hypot(cx / width - 0.5, cy / height - 0.5) / 0.7)
    frac = float(region.attributes.get("area_fraction", 0.0))
    sized = 1.0 if 0.04 <= frac <= 0.45 else (0.5 if 0.01 <= frac <= 0.6 else 0.1)
    return 0.4 * central + 0.4 * sized + 0.2 * float(region.score)


def order_by_position(regions: list[Region], position: str | None, size: str | None,
                      center: tuple[float, float] | None = None) -> list[Region]:
    """Sort a group of regions by a position word (leftmost first for "left") or by size; "center" sorts by
    distance to `center` (the image centre when given, else the group's mean centre)."""
    if size == "largest":
        return sorted(regions, key=lambda r: -float(r.attributes.get("area_fraction", 0.0)))
    if size == "smallest":
        return sorted(regions, key=lambda r: float(r.attributes.get("area_fraction", 0.0)))
    if not position:
        return regions
    keys = {"left": lambda c: c[0], "right": lambda c: -c[0], "top": lambda c: c[1], "bottom": lambda c: -c[1],
            "top left": lambda c: c[0] + c[1], "top right": lambda c: -c[0] + c[1],
            "bottom left": lambda c: c[0] - c[1], "bottom right": lambda c: -c[0] - c[1]}
    if position == "center":
        mx, my = center or _mid(regions)
        return sorted(regions, key=lambda r: float(np.hypot(_center(r.box)[0] - mx, _center(r.box)[1] - my)))
    return sorted(regions, key=lambda r: keys[position](_center(r.box)))


def _mid(regions: list[Region]) -> tuple[float, float]:
    return float(np.mean([_center(r.box)[0] for r in regions])), float(np.mean([_center(r.box)[1] for r in regions]))


def _pieces_of_wholes(group: list[Region]) -> set[int]:
    """ids (id()) of group members that are a piece of a bigger same-colour member (a mug's body inside the
    mug-with-handle region): >= 90% of the piece lies inside it and the whole is at most 2.5x its area."""
    pieces = set()
    for small in group:
        for big in group:
            if big is small or small.mask is None or big.mask is None or big.attributes.get("composite"):
                continue
            s_area, b_area = float(small.mask.sum()), float(big.mask.sum())
            same = (small.attributes.get("colors") or [None])[0] == (big.attributes.get("colors") or [""])[0]
            if same and s_area < b_area <= 2.5 * s_area and float((small.mask & big.mask).sum()) >= 0.9 * s_area:
                pieces.add(id(small))
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


def rank_by_description(intent: dict, regions: list[Region], width: int, height: int, pixels=None) -> list[dict]:
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
    pieces = _pieces_of_wholes(group) if (intent.get("position") or intent.get("size") or intent.get("category")) else set()
    wholes = [r for r in by_saliency if id(r) not in pieces]
    ordered = order_by_position(wholes, intent.get("position"), intent.get("size"), (width / 2, height / 2))
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
        rec = _record(r, best + 1.0 - i / max(len(ordered), 1) + 0.1 * saliency(r, width, height), why)
        rec["tied"] = n > 1 and not (intent.get("position") or intent.get("size"))
        out.append(rec)
    score_of = {id(r): s for (s, _), r in scored}
    rest = [r for _, r in scored if r not in group]
    for r in sorted(rest, key=lambda r: -score_of[id(r)]):
        out.append(_record(r, score_of[id(r)] + 0.1 * saliency(r, width, height), why_of[id(r)]))
    return out


def relation_score(box: list[float], ref: list[float], relation: str, mask_overlap: float, width: int, height: int) -> float:
    """How well a candidate box stands in `relation` to a reference box (0..1); boxes [x0, y0, x1, y1]."""
    cx, cy = _center(box)
    rx, ry = _center(ref)
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
        return (mask_overlap < 0.3) * near
    if relation == "inside":
        return float(mask_overlap > 0.8) * (0.5 + 0.5 * near)
    if relation == "contains":
        inside = box[0] <= ref[0] + 2 and box[1] <= ref[1] + 2 and box[2] >= ref[2] - 2 and box[3] >= ref[3] - 2
        return float(inside) * 0.8
    if relation == "overlaps":
        return float(mask_overlap > 0.05)
    return 0.0


def _reference(intent: dict, memory: dict, vision, runtime) -> tuple[np.ndarray | None, str | None, str]:
    """(reference mask, reference region id, words) for a relation: the previous target or a described region."""
    ref = intent.get("reference")
    if ref in (None, "previous") or not ref:
        cur = current_target(memory)
        return target_mask(cur), (cur or {}).get("region_id"), (cur or {}).get("phrase", "the previous target")
    from agent.planners.phrases import find_colors, find_position, find_shape, find_size
    sub = {"colors": find_colors(ref), "position": find_position(ref), "size": find_size(ref), "shape": find_shape(ref)}
    ranked = rank_by_description(sub, runtime.proposals(vision), vision.image.width, vision.image.height,
                                 vision.image.pixels)
    if not ranked:
        return None, None, ref
    return vision.masks.get(ranked[0]["id"]), ranked[0]["id"], ref


def gather(intent: dict, memory: dict, vision, runtime, turn: int) -> list[dict]:
    """Candidates for this turn's intent, best first (see module docstring)."""
    w, h = vision.image.width, vision.image.height
    kind = intent["kind"]
    if kind == "segment_from_dialogue" and str(intent.get("reference") or "").startswith("turn:"):
        record = next((r for r in (memory or {}).get("history") or []
                       if f"turn:{r.get('turn')}" == intent["reference"]), None)
        settled = target_mask(record)
        if settled is not None and settled.any():
            cid = f"t{turn}:settled"
            vision.masks[cid] = settled
            return [{"id": cid, "box": bbox(settled), "score": 1.0, "label": record.get("phrase"), "source": "memory",
                     "text": None, "attributes": {}, "needs_mask": False,
                     "evidence": [f"the target the dialogue settled on ({record.get('phrase')}, turn {record.get('turn')})"]}]
    if kind == "correct":
        redo = _redo_search(intent, memory, vision, runtime, turn)
        if redo is not None:
            return redo
    if kind == "refine_part":
        prev = target_mask(current_target(memory))
        if prev is None:
            kind = "new_target"
        else:
            out = []
            for i, (m, score, why) in enumerate(part_candidates(intent.get("part") or "top half", prev, runtime.proposals(vision),
                                                                   vision.image.pixels)):
                if not m.any():
                    continue
                cid = f"t{turn}:part{i}"
                vision.masks[cid] = m
                out.append({"id": cid, "box": bbox(m), "score": score, "label": intent.get("part"), "source": "part",
                            "text": None, "attributes": {}, "evidence": [why], "needs_mask": False,
                            "uncertain": why.startswith("uncertain")})
            return out
    proposals = runtime.proposals(vision)
    if kind == "relate":
        ref_mask, ref_id, ref_words = _reference(intent, memory, vision, runtime)
        if ref_mask is not None:
            ref_box = bbox(ref_mask)
            rel = intent.get("relation") or "next_to"
            graph_ids: set[str] = set()
            graph = runtime.relation_graph(vision) if ref_id in vision.masks and not str(ref_id).startswith("t") else None
            graph_rel = "touching" if rel == "next_to" else rel
            if graph is not None and ref_id in graph:
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
                out.append(_record(r, 2.0 * geo + 0.5 * desc + 0.1 * saliency(r, w, h), why))
            if out:
                return sorted(out, key=lambda c: -c["score"])
        kind = "new_target"
    out: list[dict] = []
    cue = intent.get("text_cue")
    if cue:
        for j, t in enumerate(runtime.read_text(vision, f'"{cue}"')[:3]):
            wants_holder = intent.get("category") not in TEXT_NOUNS
            holder = containing_proposal(t.box, proposals, w, h) if wants_holder else None
            read = f"OCR read '{t.text}' ({t.score:.2f})"
            if holder is not None:
                out.append(_record(holder, 3.0 + t.score, [read, f"region {holder.id} contains that text"]))
                continue
            box, why = list(t.box), [read]
            if wants_holder:
                box = sign_box(t.box, vision.image.pixels)
                why.append("no region holds that text: box prompt on " +
                           ("the uniform-colour plate around it" if box != list(t.box) else "the text box"))
            out.append(_record(Region(box=box, score=t.score, label=t.label, source=t.source, text=t.text,
                                      attributes=dict(t.attributes)), 3.0 + t.score, why, needs_mask=True,
                               cid=f"t{turn}:ocr{j}"))
    category = intent.get("category")
    haar = HAAR_CATEGORIES.get(category or "")
    if haar and "haar" in runtime.grounders:
        for j, d in enumerate(runtime.detect(vision, "haar", haar)[: runtime.max_box_prompts]):
            out.append(_record(d, 2.0 + d.score, [f"detector haar: {d.label} {d.score:.2f}"], needs_mask=True,
                               cid=f"t{turn}:det{j}"))
        if out and intent.get("position"):
            boxes = order_by_position([Region(box=c["box"], id=c["id"]) for c in out], intent["position"], None)
            order = {r.id: i for i, r in enumerate(boxes)}
            for c in out:
                c["score"] = c["score"] - 0.5 * order[c["id"]]
    described = rank_by_description(intent, proposals, w, h, vision.image.pixels)
    has_cue = bool(intent.get("colors") or intent.get("shape") or intent.get("position") or intent.get("size"))
    if not has_cue and not out:
        for c in described:
            c["evidence"] = c["evidence"] + ["no detector knows this category: the most salient region (low confidence)"]
            c["low_confidence"] = True
    out += described
    if kind == "correct" or intent.get("exclude_previous"):
        out = _exclude_previous(out, memory, vision)
    out.sort(key=lambda c: -c["score"])
    return out


CUE_KEYS = ("colors", "position", "size", "shape", "category", "text_cue")


def _redo_search(intent: dict, memory: dict, vision, runtime, turn: int) -> list[dict] | None:
    """A correction repeats the search that produced the rejected pick (same intent and reference memory,
    with any new cue words of the correction), minus the rejected regions; None when nothing to repeat."""
    history = (memory or {}).get("history") or []
    idx = len(history) - 1
    while idx > 0 and history[idx].get("kind") == "correct":
        idx -= 1
    if idx < 0 or not history[idx].get("intent"):
        return None
    base = dict(history[idx]["intent"])
    if base.get("kind") in (None, "correct", "answer_only"):
        return None
    base.update({k: intent[k] for k in CUE_KEYS if intent.get(k)})
    if intent.get("position") or intent.get("size"):
        base["kind"] = "new_target" if base["kind"] == "segment_from_dialogue" else base["kind"]
    earlier = {"current": history[idx - 1] if idx > 0 else None, "history": history[:idx]}
    new_cue = any(intent.get(k) for k in CUE_KEYS)
    return _exclude_previous(gather(base, earlier, vision, runtime, turn), memory, vision, only_current=new_cue)


def _exclude_previous(cands: list[dict], memory: dict, vision, only_current: bool = False) -> list[dict]:
    """Drop the previous pick (same id, or mask IoU > 0.5 / box IoU > 0.6 with it) and, unless only_current
    (the correction named a new cue), the picks rejected before it."""
    cur = current_target(memory) or {}
    skip = {cur.get("region_id")} if only_current else set(excluded_ids(memory))
    prev = target_mask(cur)
    out = []
    for c in cands:
        if c["id"] in skip:
            continue
        m = vision.masks.get(c["id"])
        if prev is not None and m is not None and m.shape == prev.shape:
            if float((m & prev).sum()) / max(float((m | prev).sum()), 1.0) > 0.5:
                continue
        elif cur.get("box") and box_iou(c["box"], cur["box"]) > 0.6:
            continue
        out.append(c)
    return out


def count_matching(intent: dict, vision, runtime) -> tuple[int, list[dict]]:
    """How many proposals match the intent's colour/shape/category words (for "how many ...?")."""
    category = intent.get("category")
    if HAAR_CATEGORIES.get(category or "") and "haar" in runtime.grounders:
        hits = runtime.detect(vision, "haar", HAAR_CATEGORIES[category])
        return len(hits), [_record(d, d.score, [f"detector haar: {d.label}"]) for d in hits]
    hits = []
    for r in runtime.proposals(vision):
        s, why = describe_match(intent, r)
        need = len(intent.get("colors") or []) + (1 if intent.get("shape") else 0)
        if r.attributes.get("background") or r.attributes.get("composite"):
            continue
        if float(r.attributes.get("area_fraction", 0)) <= 0.6 and s >= 0.8 * need and (need or s >= 0):
            hits.append(_record(r, s, why))
    return len(_dedupe(hits)), _dedupe(hits)


def _dedupe(cands: list[dict]) -> list[dict]:
    """Drop candidates whose box nearly equals or sits inside an earlier kept one."""
    kept: list[dict] = []
    for c in cands:
        if all(box_iou(c["box"], k["box"]) < 0.7 for k in kept):
            kept.append(c)
    return kept

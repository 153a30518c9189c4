"""Spatial relations between regions as a networkx DiGraph.

Nodes are region ids (attributes: box, area, centroid, label). An edge a -> b has
`relations`: a set of words saying how a relates to b: "left_of", "right_of", "above", "below",
"inside", "contains", "touching", "overlaps", "larger_than". Masks are used when both regions have one
(compared on a copy downscaled to at most 256 px), else boxes.
`related(graph, b, "left_of")` lists the regions that are left of b, nearest first.
"""
from __future__ import annotations

import math

import cv2
import networkx as nx
import numpy as np

from tools.masks import as_bool_mask, box_area, box_intersection
from tools.regions import Region

RELATIONS = ("left_of", "right_of", "above", "below", "inside", "contains", "touching", "overlaps", "larger_than")
_WORK_SIDE = 256


def _center(r: Region) -> tuple[float, float]:
    if r.attributes.get("centroid"):
        return float(r.attributes["centroid"][0]), float(r.attributes["centroid"][1])
    return (r.box[0] + r.box[2]) / 2, (r.box[1] + r.box[3]) / 2


def _small_masks(regions: list[Region]) -> tuple[list[np.ndarray | None], float]:
    """Masks downscaled so the longest side is <= 256 px (nearest), and the scale used."""
    shapes = [r.mask.shape for r in regions if r.mask is not None]
    if not shapes:
        return [None] * len(regions), 1.0
    h, w = shapes[0][:2]
    scale = min(1.0, _WORK_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out: list[np.ndarray | None] = []
    for r in regions:
        if r.mask is None or r.mask.shape[:2] != (h, w):
            out.append(None)
            continue
        m = as_bool_mask(r.mask).astype(np.uint8)
        out.append(cv2.resize(m, size, interpolation=cv2.INTER_NEAREST) > 0 if scale < 1 else m > 0)
    return out, scale


def dilate(mask: np.ndarray, px: int) -> np.ndarray:
    """bool mask grown by px pixels (square structuring element)."""
    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.dilate(mask.astype(np.uint8), kernel) > 0


def pair_relations(a: Region, b: Region, ma=None, mb=None, touch_px: int = 2, dilated_a=None,
                   margin: float | None = None) -> set[str]:
    """How a relates to b. ma/mb: optional downscaled bool masks of a and b (same shape);
    dilated_a: ma dilated by touch_px (computed here when not given); touch_px in mask pixels;
    margin: box gap in image pixels beyond which masks are not compared (default 2 * touch_px + 2)."""
    rel: set[str] = set()
    (ax, ay), (bx, by) = _center(a), _center(b)
    aw, ah = a.box[2] - a.box[0], a.box[3] - a.box[1]
    bw, bh = b.box[2] - b.box[0], b.box[3] - b.box[1]
    # directional: centre order plus at most half of the smaller extent of overlap along that axis
    if ax < bx and a.box[2] <= b.box[0] + 0.5 * min(aw, bw):
        rel.add("left_of")
    if ax > bx and b.box[2] <= a.box[0] + 0.5 * min(aw, bw):
        rel.add("right_of")
    if ay < by and a.box[3] <= b.box[1] + 0.5 * min(ah, bh):
        rel.add("above")
    if ay > by and b.box[3] <= a.box[1] + 0.5 * min(ah, bh):
        rel.add("below")
    pad = 2 * touch_px + 2 if margin is None else margin
    near = box_intersection([a.box[0] - pad, a.box[1] - pad, a.box[2] + pad, a.box[3] + pad], b.box) > 0
    if ma is not None and mb is not None:
        area_a, area_b = float(ma.sum()), float(mb.sum())
        inter, touching = 0.0, False
        if near:
            inter = float(np.logical_and(ma, mb).sum())
            if dilated_a is None:
                dilated_a = dilate(ma, touch_px)
            touching = inter > 0 or bool(np.logical_and(dilated_a, mb).any())
    else:
        area_a, area_b = box_area(a.box), box_area(b.box)
        inter = box_intersection(a.box, b.box)
        grown = [a.box[0] - touch_px, a.box[1] - touch_px, a.box[2] + touch_px, a.box[3] + touch_px]
        touching = box_intersection(grown, b.box) > 0
    if area_a > 0 and inter >= 0.9 * area_a and area_a < area_b:
        rel.add("inside")
    elif area_b > 0 and inter >= 0.9 * area_b and area_b < area_a:
        rel.add("contains")
    elif inter > 0:
        rel.add("overlaps")
    if touching:
        rel.add("touching")
    if area_a > 1.2 * area_b:
        rel.add("larger_than")
    return rel


def relation_graph(regions: list[Region], touch_px: int = 2) -> nx.DiGraph:
    """DiGraph over region ids (ids "r0".. are assigned where missing); edge a -> b: relations of a to b."""
    for i, r in enumerate(regions):
        if not r.id:
            r.id = f"r{i}"
    masks, scale = _small_masks(regions)
    touch = max(1, int(round(touch_px * scale))) if scale < 1 else touch_px
    g = nx.DiGraph()
    for r in regions:
        g.add_node(r.id, box=list(r.box), label=r.label, centroid=_center(r),
                   area=float(r.attributes.get("area", box_area(r.box))))
    dilated = [dilate(m, touch) if m is not None else None for m in masks]
    for i, a in enumerate(regions):
        for j, b in enumerate(regions):
            if i == j:
                continue
            rel = pair_relations(a, b, masks[i], masks[j], touch, dilated[i], margin=(touch + 1) / scale + 2)
            if rel:
                g.add_edge(a.id, b.id, relations=rel, distance=math.dist(_center(a), _center(b)))
    return g


def related(graph: nx.DiGraph, region_id: str, relation: str) -> list[str]:
    """Ids of regions n with `n <relation> region_id` (e.g. related(g, "r2", "left_of") = what is left of r2),
    nearest first. Unknown relation -> ValueError; unknown id -> []."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; expected one of {', '.join(RELATIONS)}")
    if region_id not in graph:
        return []
    hits = [(d["distance"], n) for n, _, d in graph.in_edges(region_id, data=True) if relation in d["relations"]]
    return [n for _, n in sorted(hits)]


def nearest(regions: list[Region], ref: Region | str) -> list[Region]:
    """The other regions sorted by centre distance to ref (a Region or a region id), nearest first."""
    if isinstance(ref, str):
        matches = [r for r in regions if r.id == ref]
        if not matches:
            raise ValueError(f"no region with id {ref!r}")
        ref = matches[0]
    c = _center(ref)
    others = [r for r in regions if r is not ref and (not ref.id or r.id != ref.id)]
    return sorted(others, key=lambda r: math.dist(_center(r), c))

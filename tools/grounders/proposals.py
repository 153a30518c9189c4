"""Region-proposal grounding (embedded): segmenter "everything" proposals + descriptors + relations.

`ProposalGrounder(segmenter, ocr=None, detector=None)`:
  regions(image) -> list[Region] (ids "r0".., source "proposals", masks, descriptor attributes;
                    de-duplicated; cached per image sha256; background-like ones flagged "background");
                    the detector's confident boxes seed the proposals, a 16 x 16 grid of points (at most
                    MAX_GRID_PROMPTS of them prompted) finds the rest
  regions_within(image, box) -> the same from an 8 x 8 grid over one box (the parts of one thing)
  graph(image)   -> networkx DiGraph of spatial relations (see tools.grounders.relations)
  ground(image, query) -> all non-background regions scored by how well their descriptors match the
                    query's colour / position / size / shape / text words, best first.
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from tools.grounders.descriptors import add_area_ranks, describe, summary
from tools.grounders.ocr import similarity
from tools.grounders.query_words import AttributeRequest, attribute_request
from tools.grounders.relations import relation_graph
from tools.image_cache import PerImageCache
from tools.images import ImageInput, load_image
from tools.masks import bbox
from tools.regions import Region
from tools.segmenters.propose import StopFn, stop_if_asked

BACKGROUND_FRACTION = 0.6
# Detections at least this confident, the SEED_MAX most confident of them, are prompted as boxes before the point
# grid; their masks are proposals (a crowded bar has 40 such boxes: each costs a decoder prompt).
SEED_MIN_SCORE = 0.3
SEED_MAX = 20
POINTS_PER_SIDE = 16
# At most this many grid points are prompted (seeds not counted), spread evenly over those still unanswered: a
# cluttered photo stops there instead of prompting up to 200 points (docs/speed.md, benchmarks/bench_proposals.py).
MAX_GRID_PROMPTS = 80
# the grid laid over one thing's box when only its parts are wanted ("only its handle")
LOCAL_POINTS_PER_SIDE = 8


def mask_iou_matrix(masks: list[np.ndarray], side: int = 128) -> np.ndarray:
    """Pairwise IoU (N, N) of bool masks, computed on copies subsampled to about `side` px."""
    if not masks:
        return np.zeros((0, 0))
    h, w = masks[0].shape
    step = max(1, int(round(max(h, w) / side)))
    flat = np.stack([m[::step, ::step].ravel() for m in masks]).astype(np.float32)
    inter = flat @ flat.T
    areas = flat.sum(axis=1)
    union = areas[:, None] + areas[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def deduplicate(proposals: list, iou_threshold: float = 0.85) -> list:
    """Keep the best-scoring of proposals whose masks overlap with IoU > iou_threshold."""
    order = sorted(range(len(proposals)), key=lambda i: -(proposals[i].predicted_iou + proposals[i].stability))
    ious = mask_iou_matrix([proposals[i].mask for i in order])
    kept: list[int] = []
    for k in range(len(order)):
        if all(ious[k, j] <= iou_threshold for j in kept):
            kept.append(k)
    return [proposals[order[k]] for k in kept]


class ProposalGrounder:
    """Grounds attribute queries ("the red thing on the left", "the biggest round object") on proposals."""

    name = "proposals"

    def __init__(self, segmenter, ocr=None, detector=None, points_per_side: int = POINTS_PER_SIDE,
                 max_prompts: int | None = MAX_GRID_PROMPTS, cache_size: int = 8, dedup_iou: float = 0.85):
        self.segmenter = segmenter
        self.ocr = ocr  # an OcrReader (or anything with read(image) -> [TextBox]) or None
        self.detector = detector  # a CocoDetector (anything with detect(image) -> [Region]) or None
        self.points_per_side = points_per_side
        self.max_prompts = max_prompts
        self.dedup_iou = dedup_iou
        self._graphs: PerImageCache[nx.DiGraph] = PerImageCache(cache_size)
        self._within: PerImageCache[dict] = PerImageCache(cache_size)  # sha -> {box: regions within it}
        self._cache: PerImageCache[list[Region]] = PerImageCache(
            cache_size, on_evict=lambda sha, _: self._graphs.discard(sha))  # a graph goes with its regions

    def regions(self, image: ImageInput, include_background: bool = True, stop: StopFn | None = None) -> list[Region]:
        """All proposals with descriptors (ids "r0".. by decreasing area); cached per image. `stop` (a prefetch's):
        asked between decoder calls and before the text is read; ProposalsStopped once it says so, nothing cached."""
        img = load_image(image)
        regions = self._cache.get_or_compute(img.sha256, lambda: self._build(img, stop))
        return regions if include_background else [r for r in regions if not r.attributes.get("background")]

    def seed_boxes(self, img) -> np.ndarray | None:
        """(M, 4) boxes of the SEED_MAX most confident detections scoring >= SEED_MIN_SCORE, or None without a
        detector."""
        if self.detector is None:
            return None
        found = sorted((r for r in self.detector.detect(img) if r.score >= SEED_MIN_SCORE), key=lambda r: -r.score)
        boxes = [r.box for r in found[:SEED_MAX]]
        return np.asarray(boxes, np.float32).reshape(-1, 4)

    def _build(self, img, stop: StopFn | None = None) -> list[Region]:
        seeds = self.seed_boxes(img)
        extra = {} if seeds is None or not len(seeds) else {"seed_boxes": seeds}
        if self.max_prompts is not None:
            extra["max_prompts"] = self.max_prompts
        if stop is not None:
            extra["stop"] = stop
        proposals = self.segmenter.propose(img, points_per_side=self.points_per_side, **extra)
        stop_if_asked(stop)
        text_boxes = self.ocr.read(img) if self.ocr is not None else None
        return self._described(img, proposals, text_boxes, "r")

    def regions_within(self, image: ImageInput, box: list[float]) -> list[Region]:
        """Proposals from a LOCAL_POINTS_PER_SIDE grid over `box` [x0, y0, x1, y1] only (ids "b0".., no text read):
        the parts of one thing, for a fraction of the whole photo's prompts; cached per image and box."""
        img = load_image(image)
        key = tuple(round(float(v), 1) for v in box)
        done = self._within.get_or_compute(img.sha256, dict)
        if key not in done:
            proposals = self.segmenter.propose(img, points_per_side=LOCAL_POINTS_PER_SIDE, within=key)
            done[key] = self._described(img, proposals, None, f"b{len(done)}.")
        return done[key]

    def _described(self, img, proposals: list, text_boxes, prefix: str) -> list[Region]:
        """Regions (ids prefix + index by decreasing area) of de-duplicated, non-empty proposals with descriptors."""
        proposals = deduplicate([p for p in proposals if p.mask.any()], self.dedup_iou)
        attrs = [describe(p.mask, img.pixels, text_boxes) for p in proposals]
        add_area_ranks(attrs)
        order = sorted(range(len(proposals)), key=lambda i: attrs[i]["area_rank"])
        regions: list[Region] = []
        for new_id, i in enumerate(order):
            p, a = proposals[i], attrs[i]
            a["predicted_iou"] = round(float(p.predicted_iou), 4)
            a["stability"] = round(float(p.stability), 4)
            a["background"] = a["area_fraction"] > BACKGROUND_FRACTION
            a["summary"] = summary(a)
            regions.append(Region(box=[float(v) for v in (bbox(p.mask) or p.box)], score=float(p.predicted_iou),
                                  label="region", source="proposals", mask=p.mask,
                                  text=" ".join(a["text"]) if a.get("text") else None, attributes=a,
                                  id=f"{prefix}{new_id}"))
        return regions

    def graph(self, image: ImageInput) -> nx.DiGraph:
        """Relation graph over all regions of the image (cached)."""
        img = load_image(image)
        regions = self.regions(img)
        return self._graphs.get_or_compute(img.sha256, lambda: relation_graph(regions))

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        """Copies of the regions with score = descriptor match to the query in [0, 1], best first.
        Background-like regions (> 60% of the image) are left out unless the query asks for them."""
        req = attribute_request(query)
        img = load_image(image)
        candidates = self.regions(img, include_background=req.background)
        if not candidates:
            candidates = self.regions(img, include_background=True)
        h, w = img.height, img.width
        n = len(candidates)
        by_area = sorted(candidates, key=lambda r: -r.attributes.get("area", 0))
        ranks = {id(r): k for k, r in enumerate(by_area, start=1)}  # size rank among these candidates
        scored = []
        for r in candidates:
            match, why = score_region(r, req, w, h, n, ranks[id(r)])
            quality = 0.5 * r.attributes.get("predicted_iou", r.score) + 0.5 * r.attributes.get("stability", r.score)
            score = 0.9 * match + 0.1 * quality if not req.empty else quality
            attrs = dict(r.attributes, match=why)
            scored.append(Region(box=list(r.box), score=float(round(score, 5)), label=r.label, source=r.source,
                                 mask=r.mask, text=r.text, attributes=attrs, id=r.id))
        scored.sort(key=lambda r: -r.score)
        return scored


def score_region(region: Region, req: AttributeRequest, width: int, height: int, count: int,
                 rank: int | None = None) -> tuple[float, dict]:
    """Mean of per-criterion matches in [0, 1] for one region, plus the per-criterion values.
    rank: the region's size rank among the `count` candidates (1 = largest; default its "area_rank")."""
    a = region.attributes
    parts: dict[str, float] = {}
    colors = a.get("colors", [])
    for c in req.colors:
        parts[f"color:{c}"] = 1.0 if colors[:1] == [c] else (0.6 if c in colors else 0.0)
    cx, cy = a.get("centroid") or [(region.box[0] + region.box[2]) / 2, (region.box[1] + region.box[3]) / 2]
    x, y = cx / max(width, 1), cy / max(height, 1)
    if req.horizontal == "left":
        parts["left"] = 1.0 - x
    elif req.horizontal == "right":
        parts["right"] = x
    elif req.horizontal == "center":
        parts["center_x"] = 1.0 - 2 * abs(x - 0.5)
    if req.vertical == "top":
        parts["top"] = 1.0 - y
    elif req.vertical == "bottom":
        parts["bottom"] = y
    elif req.vertical == "center":
        parts["center_y"] = 1.0 - 2 * abs(y - 0.5)
    rank = rank if rank is not None else a.get("area_rank")
    if req.size and rank is not None:
        rel = max(0.0, 1.0 - (rank - 1) / max(count - 1, 1))  # 1 for the largest
        parts[req.size] = rel if req.size == "largest" else 1.0 - rel
    for s in req.shapes:
        shape = a.get("shape")
        parts[f"shape:{s}"] = 1.0 if shape == s else (0.5 if {shape, s} <= {"square", "rectangular"} else 0.0)
    texts = a.get("text") or []
    for t in req.texts:
        parts[f"text:{t}"] = max((similarity(t, x) for x in texts), default=0.0)
    if not parts:
        return 0.0, {}
    return sum(parts.values()) / len(parts), {k: round(v, 3) for k, v in parts.items()}

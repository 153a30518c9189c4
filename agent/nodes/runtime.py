"""The heavy, in-process side of the agent: planner, segmenter, grounders and the per-image vision cache.

Nodes receive an `AgentRuntime` from the run's LangGraph context (agent.nodes.context.TurnContext), never through
state.
`VisionCache` keeps, per image sha256: the LoadedImage, the segmenter embedding, proposal regions (with
masks and descriptors), OCR lines, the relation graph, detector hits, and candidate masks by id.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from langgraph.config import get_stream_writer
from langgraph.runtime import get_runtime

from tools.image_cache import PerImageCache
from tools.images import ImageError, LoadedImage, load_image
from tools.regions import Region

CLOSED_VOCABULARY_DETECTOR = "detector"                       # the embedded COCO-80 detector's grounder name
OPEN_VOCABULARY_DETECTORS = ("grounding_dino", "owlv2")      # a user's detectors, queried by category name
PERSON_BOX_SCORE = 0.12  # detector person boxes the people analysis looks at (the weakest a turn may offer)


@dataclass
class ImageVision:
    """Everything computed for one image; filled lazily by the nodes."""

    image: LoadedImage
    embedding: Any = None
    proposals: list[Region] | None = None
    graph: Any = None
    people: list[Any] | None = None  # tools.people.PersonFacts, one per detected person (then MoveNet-only people)
    ocr: dict[str, list[Region]] = field(default_factory=dict)      # query -> OCR regions
    detections: dict[str, list[Region]] = field(default_factory=dict)  # query -> detector regions
    masks: dict[str, np.ndarray] = field(default_factory=dict)      # candidate id -> bool (H, W)
    mask_scores: dict[str, float] = field(default_factory=dict)     # candidate id -> predicted IoU of its box prompt
    seconds: dict[str, float] = field(default_factory=dict)         # one-time costs (embed, propose)


class VisionCache:
    """LRU of ImageVision keyed by image sha256 (at most `capacity` images in memory; tools.image_cache)."""

    def __init__(self, capacity: int = 4):
        self.capacity = capacity
        self._items: PerImageCache[ImageVision] = PerImageCache(capacity)

    def register(self, image: LoadedImage) -> ImageVision:
        return self._items.get_or_compute(image.sha256, lambda: ImageVision(image=image))

    def holds(self, sha256: str) -> bool:
        """Whether the image with this pixel hash is cached (no reload, no LRU move)."""
        return sha256 in self._items

    def get(self, image_ref: dict | None) -> ImageVision | None:
        """The cached vision for a state image ref {"path", "sha256", ...}; when the cache lacks it (eviction,
        restart, a served graph's new process) the file is loaded from "path" and hash-checked. None when there
        is no ref; ImageError (one line) when the file is gone or changed, or the ref has no path to reload."""
        if not image_ref:
            return None
        sha = image_ref.get("sha256")
        hit = self._items.get(sha) if sha else None
        if hit is not None:
            return hit
        if not image_ref.get("path"):
            raise ImageError(f"image sha256 {str(sha)[:12]}... is no longer in memory and its reference has no path")
        image = load_image(image_ref["path"])
        if sha is not None and image.sha256 != sha:
            raise ImageError(f"{image_ref['path']} changed since this conversation began (its pixels no longer "
                             "match the thread's sha256)")
        return self.register(image)


@dataclass
class AgentRuntime:
    """Injected into every node. grounders: name -> object ("ocr", "proposals", "haar", detectors)."""

    planner: Any
    fallback_planner: Any
    segmenter: Any = None
    grounders: dict[str, Any] = field(default_factory=dict)
    cache: VisionCache = field(default_factory=VisionCache)
    progress: Callable[[str], None] | None = None
    interrupt_on_ambiguity: bool = False
    max_box_prompts: int = 6

    def say(self, message: str) -> None:
        """Report progress: inside a graph run to the run context's `progress` callback when it has one, else as a
        {"progress": message} event on LangGraph's stream writer (stream_mode "custom"); outside a run (a
        prefetch) to this runtime's `progress` callback."""
        try:
            run = get_runtime()
        except RuntimeError:  # not inside a graph run
            run = None
        if run is None:
            if self.progress is not None:
                self.progress(message)
            return
        callback = getattr(run.context, "progress", None)
        if callback is not None:
            callback(message)
        else:
            get_stream_writer()({"progress": message})

    # ---- lazily computed per-image facts -------------------------------------------------------
    def embedding(self, vision: ImageVision):
        if vision.embedding is None and self.segmenter is not None:
            self.say("encoding the image")
            t = time.perf_counter()
            vision.embedding = self.segmenter.embed(vision.image)
            vision.seconds["embed"] = time.perf_counter() - t
        return vision.embedding

    def proposals(self, vision: ImageVision) -> list[Region]:
        if vision.proposals is None:
            grounder = self.grounders.get("proposals")
            vision.proposals = []
            if grounder is not None:
                self.say("finding regions")
                t = time.perf_counter()
                regions = list(grounder.regions(vision.image))
                for i, r in enumerate(regions):
                    r.id = r.id or f"p{i}"
                    if r.mask is not None:
                        vision.masks[r.id] = r.mask
                from tools.grounders.region_cues import mark_composites
                mark_composites(regions)
                vision.proposals = regions
                vision.seconds["propose"] = time.perf_counter() - t
        return vision.proposals

    def relation_graph(self, vision: ImageVision):
        if vision.graph is None:
            grounder = self.grounders.get("proposals")
            if grounder is not None and hasattr(grounder, "graph"):
                vision.graph = grounder.graph(vision.image)
        return vision.graph

    def read_text(self, vision: ImageVision, query: str) -> list[Region]:
        if query not in vision.ocr:
            grounder = self.grounders.get("ocr")
            vision.ocr[query] = list(grounder.ground(vision.image, query)) if grounder is not None else []
        return vision.ocr[query]

    def detect(self, vision: ImageVision, name: str, query: str) -> list[Region]:
        key = f"{name}:{query}"
        if key not in vision.detections:
            grounder = self.grounders.get(name)
            vision.detections[key] = list(grounder.ground(vision.image, query)) if grounder is not None else []
        return vision.detections[key]

    # ---- categories -------------------------------------------------------------------------------
    def has_detector(self) -> bool:
        """True when a category detector is loaded: the embedded COCO detector or an open-vocabulary one."""
        return any(name in self.grounders for name in (CLOSED_VOCABULARY_DETECTOR, *OPEN_VOCABULARY_DETECTORS))

    def has_open_vocabulary(self) -> bool:
        """True when only an open-vocabulary detector (no closed COCO one) answers category queries."""
        return CLOSED_VOCABULARY_DETECTOR not in self.grounders and any(n in self.grounders for n in OPEN_VOCABULARY_DETECTORS)

    def detect_category(self, vision: ImageVision, category: str) -> list[Region]:
        """Detections of one category, best first: the COCO detector's boxes of that class (all classes are
        detected once per image), else an open-vocabulary detector queried with the category name."""
        if CLOSED_VOCABULARY_DETECTOR in self.grounders:
            return [r for r in self.all_detections(vision) if r.label == category]
        for name in OPEN_VOCABULARY_DETECTORS:
            if name in self.grounders:
                return self.detect(vision, name, category)
        return []

    def all_detections(self, vision: ImageVision) -> list[Region]:
        """Every detection of the COCO detector on this image (computed once), best first; [] without one."""
        coco = self.grounders.get(CLOSED_VOCABULARY_DETECTOR)
        if coco is None:
            return []
        if CLOSED_VOCABULARY_DETECTOR not in vision.detections:
            self.say("detecting objects")
            t = time.perf_counter()
            vision.detections[CLOSED_VOCABULARY_DETECTOR] = list(coco.detect(vision.image))
            vision.seconds["detect"] = time.perf_counter() - t
        return vision.detections[CLOSED_VOCABULARY_DETECTOR]

    def people(self, vision: ImageVision) -> list[Any]:
        """Keypoints, pose and face estimates of every person (tools.people.PersonFacts), computed once per image
        over the detector's person boxes; [] without the "people" backend."""
        analyser = self.grounders.get("people")
        if analyser is None:
            return []
        if vision.people is None:
            self.say("looking at the people")
            t = time.perf_counter()
            boxes = [list(r.box) for r in self.all_detections(vision) if r.label == "person" and r.score >= PERSON_BOX_SCORE]
            vision.people = analyser.analyse(vision.image.pixels, boxes)
            vision.seconds["people"] = time.perf_counter() - t
        return vision.people

    def person_facts(self, vision: ImageVision, box: list[float]) -> Any:
        """The PersonFacts whose box overlaps `box` (a detector box or a person mask's box) most, at IoU >= 0.5;
        None when no analysed person does."""
        from tools.masks import box_iou

        scored = [(box_iou(f.box, box), i) for i, f in enumerate(self.people(vision))]
        best = max(scored, default=(0.0, -1))
        return vision.people[best[1]] if best[0] >= 0.5 else None

    def box_mask(self, vision: ImageVision, box: list[float]) -> np.ndarray:
        """The segmenter's mask for one box prompt (a filled box without a segmenter); bool (H, W)."""
        if self.segmenter is None:
            from agent.nodes.segment import box_mask
            return box_mask(box, vision.image.height, vision.image.width)
        masks, _ = self.segmenter.segment(self.embedding(vision), boxes=np.array([box], dtype=np.float32),
                                          multimask=True).best()
        return np.asarray(masks[0], bool)

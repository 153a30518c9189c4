"""Open-vocabulary detectors through transformers, loaded from a local folder (local_files_only=True).

`GroundingDinoGrounder(path, box_threshold=0.3, text_threshold=0.25)`: GroundingDinoForObjectDetection +
AutoProcessor; the query becomes lower-case phrases ending in "." ("red car. dog.").
`Owlv2Grounder(path, threshold=0.1)`: Owlv2ForObjectDetection + Owlv2Processor; one text query per phrase.
Both: ground(image, query) -> list[Region] with boxes [x0, y0, x1, y1] in original pixels (clipped to
the image), score in [0, 1], label = the phrase the box matched; best first, at most max_detections.
No weights ship with the project: point `path` at a folder saved with save_pretrained (model + processor).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from tools.box_nms import nms_indices
from tools.grounders.base import GrounderError
from tools.images import ImageInput, load_image
from tools.regions import Region

_FILLER = re.compile(r"^(please\s+)?(find|show|segment|select|highlight|detect|locate|mark|where is|where are)"
                     r"(\s+me)?\s+", re.I)


def query_phrases(query: str, max_phrases: int = 8) -> list[str]:
    """Split a query into detector phrases: "find the red car. a dog" -> ["the red car", "a dog"]."""
    parts = [p.strip(" ,;:!?\"'").lower() for p in re.split(r"[.;\n]+", query)]
    phrases = [_FILLER.sub("", p).strip() for p in parts]
    phrases = [p for p in phrases if p]
    if not phrases:
        raise GrounderError("empty query: say what to look for, e.g. 'a red car'")
    return phrases[:max_phrases]


def _check_folder(path: str | Path, kind: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_dir():
        raise GrounderError(f"{kind} model folder {p} does not exist")
    if not (p / "config.json").is_file():
        raise GrounderError(f"{p} has no config.json; save the {kind} model there with save_pretrained")
    return p


def _load(loader, path: Path, kind: str, **kwargs):
    """Call a from_pretrained with local_files_only=True; turn its failures into one-line GrounderErrors."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        return loader.from_pretrained(str(path), local_files_only=True, **kwargs)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise GrounderError(f"cannot load the {kind} model from {path}: {first}") from None


def _clip_box(box, width: int, height: int) -> list[float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((min(max(x0, 0.0), width), min(max(x1, 0.0), width)))
    y0, y1 = sorted((min(max(y0, 0.0), height), min(max(y1, 0.0), height)))
    return [x0, y0, x1, y1]


def _finish(regions: list[Region], max_detections: int, nms_iou: float, prefix: str) -> list[Region]:
    """Drop empty boxes, suppress same-label duplicates (box IoU > nms_iou, tools.box_nms), sort, number."""
    regions = [r for r in regions if r.box[2] - r.box[0] >= 1 and r.box[3] - r.box[1] >= 1]
    labels = {label: i for i, label in enumerate(dict.fromkeys(r.label for r in regions))}
    keep = nms_indices(np.array([r.box for r in regions]), np.array([r.score for r in regions]), nms_iou,
                       classes=np.array([labels[r.label] for r in regions]), limit=max_detections)
    kept = [regions[i] for i in keep]
    for i, r in enumerate(kept):
        r.id = f"{prefix}{i}"
    return kept


class _HFDetector:
    name = "hf"
    kind = "detector"

    def __init__(self, path: str | Path, device: str = "cpu", max_detections: int = 20, nms_iou: float = 0.7):
        self.path = _check_folder(path, self.kind)
        self.device = device
        self.max_detections = max_detections
        self.nms_iou = nms_iou
        self.model, self.processor = self._load_model()
        self.model.to(device).eval()

    def _load_model(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _inputs(self, pixels: np.ndarray, phrases: list[str]):
        raise NotImplementedError

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        import torch

        img = load_image(image)
        phrases = query_phrases(query)
        inputs = self._inputs(img.pixels, phrases).to(self.device)
        with torch.inference_mode():
            outputs = self.model(**inputs)
        regions = self._post_process(outputs, inputs, phrases, img.height, img.width)
        return _finish(regions, self.max_detections, self.nms_iou, self.name[0])


class GroundingDinoGrounder(_HFDetector):
    """Grounding DINO (open-set detection from text) from a local transformers folder."""

    name = "grounding_dino"
    kind = "Grounding DINO"

    def __init__(self, path: str | Path, box_threshold: float = 0.3, text_threshold: float = 0.25, **kwargs):
        self.box_threshold = box_threshold
        self.text_threshold = text_threshold
        super().__init__(path, **kwargs)

    def _load_model(self):
        from transformers import AutoProcessor, GroundingDinoForObjectDetection

        return (_load(GroundingDinoForObjectDetection, self.path, self.kind),
                _load(AutoProcessor, self.path, self.kind))

    def _inputs(self, pixels, phrases):
        text = " ".join(f"{p}." for p in phrases)
        return self.processor(images=pixels, text=text, return_tensors="pt")

    def _post_process(self, outputs, inputs, phrases, height, width):
        result = self.processor.post_process_grounded_object_detection(
            outputs, inputs["input_ids"], threshold=self.box_threshold, text_threshold=self.text_threshold,
            target_sizes=[(height, width)])[0]
        labels = result.get("text_labels") or [""] * len(result["scores"])
        regions = []
        for box, score, label in zip(result["boxes"].tolist(), result["scores"].tolist(), labels):
            label = self._phrase_for(str(label), phrases)
            regions.append(Region(box=_clip_box(box, width, height), score=float(score), label=label,
                                  source=self.name, attributes={"phrase": label}))
        return regions

    @staticmethod
    def _phrase_for(decoded: str, phrases: list[str]) -> str:
        """Map the decoded token label back to the query phrase it came from (first phrase as fallback)."""
        decoded = re.sub(r"\[(cls|sep|pad)\]|[.]", " ", decoded.lower()).split()
        best, best_hits = phrases[0], 0
        for p in phrases:
            hits = len(set(decoded) & set(p.split()))
            if hits > best_hits:
                best, best_hits = p, hits
        return best


class Owlv2Grounder(_HFDetector):
    """OWLv2 (open-vocabulary detection) from a local transformers folder."""

    name = "owlv2"
    kind = "OWLv2"

    def __init__(self, path: str | Path, threshold: float = 0.1, **kwargs):
        self.threshold = threshold
        super().__init__(path, **kwargs)

    def _load_model(self):
        from transformers import Owlv2ForObjectDetection, Owlv2Processor

        return _load(Owlv2ForObjectDetection, self.path, self.kind), _load(Owlv2Processor, self.path, self.kind)

    def _inputs(self, pixels, phrases):
        max_len = getattr(self.model.config.text_config, "max_position_embeddings", 16)
        return self.processor(images=pixels, text=[phrases], return_tensors="pt", truncation=True,
                              max_length=max_len)

    def _post_process(self, outputs, inputs, phrases, height, width):
        result = self.processor.post_process_grounded_object_detection(
            outputs, threshold=self.threshold, target_sizes=[(height, width)], text_labels=[phrases])[0]
        regions = []
        for box, score, label in zip(result["boxes"].tolist(), result["scores"].tolist(), result["text_labels"]):
            regions.append(Region(box=_clip_box(box, width, height), score=float(score), label=str(label),
                                  source=self.name, attributes={"phrase": str(label)}))
        return regions

"""Grounders: find candidate regions for a text query.

`build_grounder(name, **kwargs) -> Grounder` for
  "ocr"            OcrGrounder(reader=None, min_match=0.6)                      embedded (rapidocr)
  "proposals"      ProposalGrounder(segmenter=None, ocr=None, detector=None, points_per_side=16) embedded
                   (MobileSAM by default: segmenter=None builds tools.segmenters.build_segmenter("mobile_sam");
                   a detector's confident boxes seed the proposals)
  "haar"           HaarGrounder()                                               embedded (OpenCV, weak)
  "detector"       CocoDetector(model="nanodet", score_threshold=0.05, threads=None)  embedded COCO-80
                   detector (TF.js graph on torch); "nanodet" and "centernet" are aliases that set model
                   (CenterNet's upstream has no licence file: opt-in only). MissingWeightsError, naming
                   `python -m tools.weights fetch`, when its weights are absent.
  "people"         PeopleAnalyser(threads=1, faces=True)                        embedded: MoveNet keypoints + pose,
                   FaceRes gender/age estimates (tools.people)
  "grounding_dino" GroundingDinoGrounder(path, box_threshold=0.3, text_threshold=0.25)  local folder
  "owlv2"          Owlv2Grounder(path, threshold=0.1)                           local folder
"""
from __future__ import annotations

from tools.grounders.base import Grounder, GrounderError

GROUNDERS = ("ocr", "proposals", "haar", "detector", "people", "grounding_dino", "owlv2")
DETECTOR_ALIASES = ("nanodet", "centernet")  # build_grounder names that mean "detector" with that model


def default_segmenter():
    """The embedded segmenter (MobileSAM, shared through tools.backends); GrounderError when it is not available."""
    try:
        from tools.backends import segmenter
    except ImportError as exc:
        raise GrounderError(f"no segmenter available for region proposals ({exc})") from None
    from tools.weights import MissingWeightsError

    try:
        return segmenter("mobile_sam")
    except MissingWeightsError as exc:
        raise GrounderError(str(exc).strip().splitlines()[0]) from None


def build_grounder(name: str, **kwargs) -> Grounder:
    """Build a grounder by name (see the module docstring for each one's keyword arguments)."""
    key = name.strip().lower().replace("-", "_")
    if key == "ocr":
        from tools.grounders.ocr import OcrGrounder

        return OcrGrounder(**kwargs)
    if key == "proposals":
        from tools.grounders.proposals import ProposalGrounder

        if kwargs.get("segmenter") is None:
            kwargs["segmenter"] = default_segmenter()
        return ProposalGrounder(**kwargs)
    if key == "haar":
        from tools.grounders.haar import HaarGrounder

        return HaarGrounder(**kwargs)
    if key in ("detector", "coco_detector", *DETECTOR_ALIASES):
        from tools.grounders.coco_detector import CocoDetector

        if key in DETECTOR_ALIASES:
            kwargs.setdefault("model", key)
        return CocoDetector(**kwargs)
    if key == "people":
        from tools.people.analysis import PeopleAnalyser

        return PeopleAnalyser(**kwargs)
    if key in ("grounding_dino", "groundingdino", "owlv2", "owl"):
        if not kwargs.get("path"):
            raise GrounderError(f"grounder {name!r} needs a local model folder (path=... / --model-path)")
        from tools.grounders.hf_detectors import GroundingDinoGrounder, Owlv2Grounder

        cls = Owlv2Grounder if key.startswith("owl") else GroundingDinoGrounder
        return cls(**kwargs)
    raise GrounderError(f"unknown grounder {name!r}; choose one of {', '.join(GROUNDERS)}")


__all__ = ["DETECTOR_ALIASES", "GROUNDERS", "Grounder", "GrounderError", "build_grounder", "default_segmenter"]

"""Classic OpenCV Haar-cascade detectors that ship inside opencv-python-headless 4.x (no download).

These are WEAK, 2001-era detectors: frontal faces in good light work, everything else (bodies, cats,
plates, eyes) misses often and fires falsely on texture. They are the only offline source of "person",
"face" and "cat" semantics here, so they are offered as a hint, never as proof.

`HaarGrounder().ground(image, query) -> list[Region]` (source "haar"): picks cascades by query words
(person/man/woman/people/child -> full body + upper body + faces extended to a body box estimate;
face/head; cat; licence plate; eye), boxes in original pixels, score in [0, 1] from how many
neighbouring windows agreed, damped by how reliable the cascade is.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from tools.box_nms import nms_indices
from tools.grounders.base import GrounderError
from tools.images import ImageInput, load_image
from tools.regions import Region

# cascade key -> (file, reliability in [0, 1], min size as a fraction of the shorter image side)
CASCADES: dict[str, tuple[str, float, float]] = {
    "face": ("haarcascade_frontalface_default.xml", 0.9, 0.03),
    "face_alt": ("haarcascade_frontalface_alt2.xml", 0.9, 0.03),
    "profile": ("haarcascade_profileface.xml", 0.6, 0.03),
    "fullbody": ("haarcascade_fullbody.xml", 0.4, 0.12),
    "upperbody": ("haarcascade_upperbody.xml", 0.4, 0.08),
    "cat": ("haarcascade_frontalcatface_extended.xml", 0.6, 0.05),
    "plate": ("haarcascade_russian_plate_number.xml", 0.4, 0.02),
    "eye": ("haarcascade_eye.xml", 0.5, 0.015),
    "smile": ("haarcascade_smile.xml", 0.3, 0.03),
}
PERSON_WORDS = {"person", "people", "man", "men", "woman", "women", "boy", "girl", "child", "children", "kid",
                "kids", "guy", "lady", "player", "human", "humans", "persons", "someone", "pedestrian", "body"}
QUERY_CASCADES: list[tuple[set[str], list[str], str]] = [
    ({"face", "faces", "head", "heads"}, ["face", "face_alt", "profile"], "face"),
    (PERSON_WORDS, ["fullbody", "upperbody", "face", "profile"], "person"),
    ({"cat", "cats", "kitten", "kitty"}, ["cat"], "cat"),
    ({"plate", "plates", "licence", "license", "numberplate"}, ["plate"], "licence plate"),
    ({"eye", "eyes"}, ["eye"], "eye"),
    ({"smile", "smiling", "mouth"}, ["smile"], "smile"),
]
MAX_SIDE = 1024


@lru_cache(maxsize=None)
def _cascade(key: str) -> cv2.CascadeClassifier:
    file, _, _ = CASCADES[key]
    path = Path(cv2.data.haarcascades) / file
    clf = cv2.CascadeClassifier(str(path))
    if clf.empty():
        raise GrounderError(f"OpenCV Haar cascade {file} is missing (opencv-python-headless 4.x ships them)")
    return clf


def targets_for(query: str) -> list[tuple[list[str], str]]:
    """(cascade keys, label) for each kind of thing the query names; [] when none is known."""
    words = set(re.findall(r"[a-z]+", query.lower()))
    return [(keys, label) for vocab, keys, label in QUERY_CASCADES if words & vocab]


def detect(gray: np.ndarray, key: str, scale: float) -> list[tuple[list[float], float]]:
    """Run one cascade on an equalised gray image; boxes mapped back by 1/scale, score in [0, 1]."""
    _, reliability, min_frac = CASCADES[key]
    min_side = max(12, int(min(gray.shape) * min_frac))
    boxes, neighbours = _cascade(key).detectMultiScale2(gray, scaleFactor=1.1, minNeighbors=4,
                                                        minSize=(min_side, min_side))
    out = []
    for (x, y, w, h), n in zip(np.asarray(boxes).reshape(-1, 4), np.asarray(neighbours).ravel()):
        agree = float(n) / (float(n) + 6.0)  # 4 neighbours -> 0.4, 20 -> 0.77
        out.append(([float(x / scale), float(y / scale), float((x + w) / scale), float((y + h) / scale)],
                    float(reliability * agree)))
    return out


def face_to_body(box: list[float], width: int, height: int) -> list[float]:
    """A rough person box from a face box: about 3 face widths wide and 7 face heights tall."""
    x0, y0, x1, y1 = box
    fw, fh = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    return [max(0.0, cx - 1.5 * fw), max(0.0, y0 - 0.3 * fh), min(float(width), cx + 1.5 * fw),
            min(float(height), y0 + 7.0 * fh)]


def nms(regions: list[Region], iou_threshold: float = 0.4) -> list[Region]:
    """The regions left by box NMS (tools.box_nms), best score first."""
    keep = nms_indices(np.array([r.box for r in regions]), np.array([r.score for r in regions]), iou_threshold)
    return [regions[i] for i in keep]


class HaarGrounder:
    """Weak classic detectors chosen by query words; returns [] for queries they cannot answer."""

    name = "haar"

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        img = load_image(image)
        targets = targets_for(query)
        if not targets:
            return []
        h, w = img.height, img.width
        scale = min(1.0, MAX_SIDE / max(h, w))
        small = img.pixels if scale == 1.0 else cv2.resize(img.pixels, (round(w * scale), round(h * scale)),
                                                            interpolation=cv2.INTER_AREA)
        gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
        regions: list[Region] = []
        for keys, label in targets:
            found: list[Region] = []
            for key in keys:
                for box, score in detect(gray, key, scale):
                    evidence = key
                    if label == "person" and key in ("face", "profile"):
                        box, score, evidence = face_to_body(box, w, h), score * 0.7, f"{key} -> body estimate"
                    found.append(Region(box=box, score=float(score), label=label, source="haar",
                                        attributes={"cascade": evidence, "weak_detector": True}))
            regions.extend(nms(found))
        regions.sort(key=lambda r: -r.score)
        for i, r in enumerate(regions):
            r.id = f"h{i}"
        return regions

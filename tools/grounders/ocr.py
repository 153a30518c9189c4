"""OCR text reading and text grounding (embedded: rapidocr ships its ONNX models, no download).

`OcrReader().read(image) -> list[TextBox]`: text lines with boxes [x0, y0, x1, y1] in original pixels,
4-point polygons, recognition scores in [0, 1] and word boxes; cached per image sha256.
`OcrGrounder().ground(image, query) -> list[Region]`: lines or word spans fuzzily matching the query's
quoted / capitalised words (source "ocr", label "text: ...", text=...), best first; `.read_box(image, box)`: every
line read in one box of the photo, enlarged (text too small for the whole photo's read).
"""
from __future__ import annotations

import difflib
import logging
import threading
from dataclasses import dataclass, field

import cv2
import numpy as np

from tools.grounders.base import GrounderError
from tools.grounders.query_words import content_words, text_targets
from tools.image_cache import PerImageCache
from tools.images import ImageInput, LoadedImage, load_image
from tools.regions import Region

_ENGINE = None
_ENGINE_LOCK = threading.Lock()


@dataclass
class TextBox:
    """One OCR line (or word): text, box [x0, y0, x1, y1], polygon [[x, y] x 4], score, word boxes."""

    text: str
    box: list[float]
    polygon: list[list[float]]
    score: float
    words: list["TextBox"] = field(default_factory=list)

    def to_record(self) -> dict:
        return {"text": self.text, "box": [round(v, 1) for v in self.box], "score": round(self.score, 4)}


def _engine(threads: int = 2):
    """One shared rapidocr engine per process (initialisation costs ~1 s); its INFO logging is quieted."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:  # pragma: no cover - dependency of the project
                raise GrounderError(f"rapidocr is not installed ({exc})") from None
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _ENGINE = RapidOCR(params={
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return _ENGINE


def split_words(line: TextBox) -> list[TextBox]:
    """Word boxes by splitting the line box along x proportionally to character counts (spaces count)."""
    text = line.text
    x0, y0, x1, y1 = line.box
    n = max(len(text), 1)
    words: list[TextBox] = []
    pos = 0
    for part in text.split(" "):
        if part:
            a = x0 + (x1 - x0) * pos / n
            b = x0 + (x1 - x0) * (pos + len(part)) / n
            words.append(TextBox(part, [a, y0, b, y1], [[a, y0], [b, y0], [b, y1], [a, y1]], line.score))
        pos += len(part) + 1
    return words


def _box_of(points) -> tuple[list[float], list[list[float]]]:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    box = [float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())]
    return box, [[float(x), float(y)] for x, y in pts]


BOX_ZOOM = 2.0        # a box asked about is read at twice its size: on coco_tiny a batter's "24" and a bus's "22"
BOX_MARGIN = 0.1      # share of the box's width / height added on each side (text at the edge of a sign)
BOX_MAX_SIDE = 1600   # px: the enlarged crop's long side at most


class OcrReader:
    """Reads text lines with rapidocr. min_score drops low-confidence lines; results cached per image.
    threads: onnxruntime threads of the one engine shared by the process (set by the first reader built)."""

    def __init__(self, min_score: float = 0.5, cache_size: int = 32, threads: int = 2):
        self.min_score = min_score
        self.threads = threads
        self._cache: PerImageCache[list[TextBox]] = PerImageCache(cache_size)

    def read(self, image: ImageInput) -> list[TextBox]:
        """Text lines in reading order (top to bottom, then left to right)."""
        img = load_image(image)
        return self._cache.get_or_compute(img.sha256, lambda: self._read_pixels(img.pixels))

    def _read_pixels(self, pixels: np.ndarray) -> list[TextBox]:
        bgr = np.ascontiguousarray(pixels[:, :, ::-1])  # rapidocr treats numpy input as BGR
        out = _engine(self.threads)(bgr, return_word_box=True)
        lines: list[TextBox] = []
        if out is not None and getattr(out, "txts", None):
            word_results = getattr(out, "word_results", None) or ()
            for i, (pts, text, score) in enumerate(zip(out.boxes, out.txts, out.scores)):
                if float(score) < self.min_score or not str(text).strip():
                    continue
                box, poly = _box_of(pts)
                line = TextBox(str(text).strip(), box, poly, float(score))
                line.words = self._words(line, word_results[i] if i < len(word_results) else None)
                lines.append(line)
        lines.sort(key=lambda t: (t.box[1], t.box[0]))
        return lines

    def read_box(self, image: ImageInput, box: list[float], zoom: float = BOX_ZOOM) -> list[TextBox]:
        """Text lines read in one box [x0, y0, x1, y1] of the photo (a margin of BOX_MARGIN added), enlarged
        `zoom` times (the long side at most BOX_MAX_SIDE px): a shirt's number or a bus's route number that the
        whole photo at its own size reads as nothing, or as one stray letter. Boxes in photo pixels; cached."""
        img = load_image(image)
        h, w = img.pixels.shape[:2]
        mx, my = BOX_MARGIN * (box[2] - box[0]), BOX_MARGIN * (box[3] - box[1])
        x0, y0 = max(int(box[0] - mx), 0), max(int(box[1] - my), 0)
        x1, y1 = min(int(np.ceil(box[2] + mx)), w), min(int(np.ceil(box[3] + my)), h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return []
        key = f"{img.sha256}:{x0},{y0},{x1},{y1}:{zoom}"
        return self._cache.get_or_compute(key, lambda: self._read_crop(img, (x0, y0, x1, y1), zoom))

    def _read_crop(self, img: LoadedImage, crop: tuple[int, int, int, int], zoom: float) -> list[TextBox]:
        x0, y0, x1, y1 = crop
        scale = max(1.0, min(zoom, BOX_MAX_SIDE / max(x1 - x0, y1 - y0)))
        pixels = cv2.resize(img.pixels[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        lines = self._read_pixels(pixels)

        def back(t: TextBox) -> TextBox:
            poly = [[x / scale + x0, y / scale + y0] for x, y in t.polygon]
            return TextBox(t.text, [t.box[0] / scale + x0, t.box[1] / scale + y0, t.box[2] / scale + x0,
                                    t.box[3] / scale + y0], poly, t.score, [back(wd) for wd in t.words])

        return [back(line) for line in lines]

    @staticmethod
    def _words(line: TextBox, word_result) -> list[TextBox]:
        """rapidocr's word boxes when they agree with the line's words, else a proportional split."""
        expected = line.text.split()
        try:
            items = [(str(t), float(s), b) for t, s, b in (word_result or ()) if b is not None and str(t).strip()]
        except (TypeError, ValueError):
            items = []
        if items and [t for t, _, _ in items] == expected:
            return [TextBox(t, *_box_of(b), s) for t, s, b in items]
        return split_words(line)


def similarity(target: str, text: str) -> float:
    """Case-insensitive fuzzy similarity in [0, 1]: max of the full ratio and the best same-length window."""
    a, b = target.lower().strip(), text.lower().strip()
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    full = difflib.SequenceMatcher(None, a, b).ratio()
    if len(b) <= len(a):
        return full
    window = max(difflib.SequenceMatcher(None, a, b[i:i + len(a)]).ratio() for i in range(len(b) - len(a) + 1))
    return max(full, 0.9 * window)  # a part of a longer line is slightly less certain than the whole line


def _union(boxes: list[list[float]]) -> list[float]:
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


class OcrGrounder:
    """Finds text in an image: ground(image, query) -> Regions (source "ocr"), best first.

    With no text target in the query (e.g. "read the text") every line is returned, scored by OCR
    confidence. min_match is the fuzzy-similarity floor for a line or word span to count as a match.
    """

    name = "ocr"

    def __init__(self, reader: OcrReader | None = None, min_match: float = 0.6):
        self.reader = reader or OcrReader()
        self.min_match = min_match

    def ground(self, image: ImageInput, query: str) -> list[Region]:
        lines = self.reader.read(image)
        targets = text_targets(query)
        if not targets:
            guesses = self._match(lines, content_words(query), max(self.min_match, 0.75))
            if guesses:
                return guesses
            return self._every_line(lines)
        return self._match(lines, targets, self.min_match)

    def read_box(self, image: ImageInput, box: list[float]) -> list[Region]:
        """Every line read in one box of the photo, enlarged (OcrReader.read_box), as Regions, best first."""
        return self._every_line(self.reader.read_box(image, box))

    def _every_line(self, lines: list[TextBox]) -> list[Region]:
        """Each line as a Region, the most confident first."""
        regions = [self._region(line.text, line.box, line.score, 1.0, line) for line in lines]
        return self._numbered(sorted(regions, key=lambda r: -r.score))

    def _match(self, lines: list[TextBox], targets: list[str], min_match: float) -> list[Region]:
        best: dict[tuple, Region] = {}
        for line in lines:
            for target in targets:
                text, box, match = self._best_span(target, line)
                if match < min_match:
                    continue
                key = tuple(round(v) for v in box)
                region = self._region(text, box, line.score * match, match, line, target)
                if key not in best or best[key].score < region.score:
                    best[key] = region
        return self._numbered(sorted(best.values(), key=lambda r: -r.score))

    @staticmethod
    def _numbered(regions: list[Region]) -> list[Region]:
        for i, r in enumerate(regions):
            r.id = f"t{i}"
        return regions

    @staticmethod
    def _best_span(target: str, line: TextBox) -> tuple[str, list[float], float]:
        """The line itself or the run of consecutive words that best matches the target."""
        best = (line.text, line.box, similarity(target, line.text) if len(line.words) <= 1 else
                difflib.SequenceMatcher(None, target.lower(), line.text.lower()).ratio())
        n_target = len(target.split())
        words = line.words
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + n_target + 1) + 1):
                span = " ".join(w.text for w in words[i:j])
                s = similarity(target, span)
                if s > best[2] + 1e-9:
                    best = (span, _union([w.box for w in words[i:j]]), s)
        return best

    @staticmethod
    def _region(text: str, box: list[float], score: float, match: float, line: TextBox, target: str | None = None) -> Region:
        attrs = {"line": line.text, "ocr_score": round(line.score, 4), "match": round(match, 4)}
        if target is not None:
            attrs["query_text"] = target
        return Region(box=[float(v) for v in box], score=float(score), label=f"text: {text}", source="ocr",
                      text=text, attributes=attrs)

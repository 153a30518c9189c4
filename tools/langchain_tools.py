"""The vision tools as LangChain tools (langchain_core.tools), for agents that call tools themselves.

`build_vision_tools(segmenter=None, ocr_reader=None, proposal_grounder=None) -> list[BaseTool]`:
  segment_box(image_path, box)      -> text + artifact {"rle", "area", "area_fraction", "bbox", "score"}
  read_text(image_path)             -> text + artifact [{"text", "box", "score"}]
  find_text(image_path, text)       -> text + artifact [Region records]
  propose_regions(image_path, query="", top_k=10) -> text + artifact [Region records + "rle"]
All use response_format="content_and_artifact": `.invoke(args)` returns the text; invoking with a tool
call returns a ToolMessage whose .artifact holds the structured result. Backends are built lazily on
first use (MobileSAM for segmentation/proposals, rapidocr for text). Bad input returns a one-line
"error: ..." text instead of raising.
Module-level `segment_box`, `read_text`, `find_text`, `propose_regions` use the embedded defaults.
"""
from __future__ import annotations

import numpy as np
from langchain_core.tools import BaseTool, StructuredTool, ToolException

from tools.images import ImageError, load_image
from tools.masks import MaskError, area, bbox, encode_rle


class _Backends:
    """Lazily built segmenter, OCR reader and proposal grounder shared by one set of tools."""

    def __init__(self, segmenter=None, ocr_reader=None, proposal_grounder=None):
        self._segmenter, self._ocr, self._proposals = segmenter, ocr_reader, proposal_grounder

    @property
    def segmenter(self):
        if self._segmenter is None:
            from tools.grounders import default_segmenter

            self._segmenter = default_segmenter()
        return self._segmenter

    @property
    def ocr(self):
        if self._ocr is None:
            from tools import backends

            self._ocr = backends.grounder("ocr").reader
        return self._ocr

    @property
    def proposals(self):
        if self._proposals is None:
            from tools import backends

            self._proposals = backends.grounder("proposals", self.segmenter, ocr=self.ocr)
        return self._proposals


def _image(path: str):
    try:
        return load_image(path)
    except ImageError as exc:
        raise ToolException(f"error: {exc}") from None


def _check_box(box: list[float], width: int, height: int) -> list[float]:
    if len(box) != 4:
        raise ToolException(f"error: box must be [x0, y0, x1, y1], got {len(box)} numbers")
    x0, y0, x1, y1 = (float(v) for v in box)
    if not all(np.isfinite([x0, y0, x1, y1])):
        raise ToolException("error: box has non-finite numbers")
    x0, x1 = max(0.0, min(x0, x1)), min(float(width), max(x0, x1))
    y0, y1 = max(0.0, min(y0, y1)), min(float(height), max(y0, y1))
    if x1 - x0 < 1 or y1 - y0 < 1:
        raise ToolException(f"error: box {list(box)} is empty or outside the {width}x{height} image")
    return [x0, y0, x1, y1]


def _error_text(exc: ToolException) -> str:
    msg = str(exc)
    return msg if msg.startswith("error:") else f"error: {msg}"


def build_vision_tools(segmenter=None, ocr_reader=None, proposal_grounder=None) -> list[BaseTool]:
    """The four vision tools bound to the given (or lazily built default) backends."""
    b = _Backends(segmenter, ocr_reader, proposal_grounder)

    def segment_box(image_path: str, box: list[float]) -> tuple[str, dict]:
        """Segment the object inside a box and return its mask.

        Args:
            image_path: path of the image file.
            box: [x0, y0, x1, y1] in image pixels.
        """
        img = _image(image_path)
        clean = _check_box(box, img.width, img.height)
        seg = b.segmenter
        try:
            result = seg.segment(seg.embed(img), boxes=np.array([clean], np.float32), multimask=True)
        except (ValueError, MaskError) as exc:
            raise ToolException(f"error: {str(exc).splitlines()[0]}") from None
        masks, scores = result.best()
        mask, score = masks[0], float(scores[0])
        n = area(mask)
        frac = n / float(img.width * img.height)
        artifact = {"rle": encode_rle(mask), "area": n, "area_fraction": round(frac, 5), "bbox": bbox(mask),
                    "score": round(score, 4), "box_prompt": clean}
        text = f"mask of {n} px ({100 * frac:.1f}% of the image), bbox {bbox(mask)}, predicted IoU {score:.2f}"
        return text, artifact

    def read_text(image_path: str) -> tuple[str, list[dict]]:
        """Read all text in an image (OCR): each line with its box and confidence.

        Args:
            image_path: path of the image file.
        """
        lines = b.ocr.read(_image(image_path))
        records = [line.to_record() for line in lines]
        if not records:
            return "no text found", records
        return "\n".join(f"'{r['text']}' at {r['box']} (score {r['score']:.2f})" for r in records), records

    def find_text(image_path: str, text: str) -> tuple[str, list[dict]]:
        """Find where a given text is written in an image (fuzzy, case-insensitive).

        Args:
            image_path: path of the image file.
            text: the text to look for, e.g. EXIT.
        """
        from tools.grounders.ocr import OcrGrounder

        query = f'"{text.strip()}"' if text.strip() and '"' not in text else text
        regions = OcrGrounder(b.ocr).ground(_image(image_path), query)
        records = [r.to_record() for r in regions]
        if not records:
            return f"text {text!r} not found", records
        return "\n".join(f"{r['id']}: '{r['text']}' at {r['box']} (score {r['score']:.2f})" for r in records), records

    def propose_regions(image_path: str, query: str = "", top_k: int = 10) -> tuple[str, list[dict]]:
        """Split an image into candidate regions with descriptors (position, size, colours, shape, text),
        ranked by how well they match an optional attribute query such as "the red round thing on the left".

        Args:
            image_path: path of the image file.
            query: optional attribute words to rank by; empty ranks by mask quality.
            top_k: how many regions to return.
        """
        img = _image(image_path)
        regions = b.proposals.ground(img, query or "")[: max(1, int(top_k))]
        records = []
        lines = []
        for r in regions:
            rec = r.to_record()
            rec["rle"] = encode_rle(r.mask) if r.mask is not None else None
            records.append(rec)
            lines.append(f"{r.id}: {r.attributes.get('summary', r.label)}, box {rec['box']}, score {r.score:.2f}")
        return ("\n".join(lines) if lines else "no regions found"), records

    tools = []
    for fn in (segment_box, read_text, find_text, propose_regions):
        tools.append(StructuredTool.from_function(fn, response_format="content_and_artifact",
                                                  parse_docstring=True, handle_tool_error=_error_text))
    return tools


segment_box, read_text, find_text, propose_regions = build_vision_tools()

__all__ = ["build_vision_tools", "segment_box", "read_text", "find_text", "propose_regions"]

"""Synthetic test scenes drawn in code (coloured shapes at known places, printed text, a mug with a handle)
and fast stand-ins for the vision backends (used by unit tests; integration tests use the real stack)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from matplotlib import font_manager
from PIL import Image, ImageDraw, ImageFont

from tools.grounders.descriptors import add_area_ranks, describe
from tools.images import load_image
from tools.regions import Region
from tools.segmenters.base import ImageEmbedding, SegmentResult

W, H = 480, 320
RED, BLUE, GREEN, YELLOW = (220, 30, 30), (30, 60, 220), (40, 170, 60), (240, 210, 30)


@dataclass
class Scene:
    pixels: np.ndarray
    shapes: dict[str, np.ndarray]  # name -> bool (H, W) mask of what was drawn


def _mask_of(draw_fn) -> np.ndarray:
    img = Image.new("L", (W, H), 0)
    draw_fn(ImageDraw.Draw(img), 255)
    return np.asarray(img) > 0


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont("DejaVu Sans:bold"), size)


def shapes_scene() -> Scene:
    """Red circle (left), blue square (centre-right), small red square (right), yellow bar under the blue square,
    green sign with the word EXIT (top right)."""
    specs = {
        "red_circle": lambda d, f: d.ellipse([40, 110, 150, 220], fill=f),
        "blue_square": lambda d, f: d.rectangle([220, 100, 320, 200], fill=f),
        "small_red_square": lambda d, f: d.rectangle([400, 150, 440, 190], fill=f),
        "yellow_bar": lambda d, f: d.rectangle([200, 240, 340, 280], fill=f),
        "exit_sign": lambda d, f: d.rectangle([330, 20, 470, 80], fill=f),
    }
    colors = {"red_circle": RED, "blue_square": BLUE, "small_red_square": RED, "yellow_bar": YELLOW, "exit_sign": GREEN}
    img = Image.new("RGB", (W, H), (245, 245, 245))
    d = ImageDraw.Draw(img)
    shapes = {}
    for name, fn in specs.items():
        fn(d, colors[name])
        shapes[name] = _mask_of(fn)
    d.text((348, 28), "EXIT", fill=(255, 255, 255), font=font(36))
    return Scene(np.asarray(img).copy(), shapes)


def mug_scene() -> Scene:
    """A brown-red mug body (rectangle) with a ring handle on its right, on a grey table strip."""
    body = lambda d, f: d.rectangle([170, 90, 290, 250], fill=f)
    handle_outer = lambda d, f: d.ellipse([255, 120, 345, 220], fill=f)
    handle_inner = lambda d, f: d.ellipse([277, 142, 323, 198], fill=f)
    table = lambda d, f: d.rectangle([0, 250, W - 1, H - 1], fill=f)
    m_body, m_outer, m_inner, m_table = _mask_of(body), _mask_of(handle_outer), _mask_of(handle_inner), _mask_of(table)
    handle = m_outer & ~m_inner & ~m_body
    mug = m_body | handle
    pixels = np.full((H, W, 3), 235, np.uint8)
    pixels[m_table] = (110, 110, 110)
    pixels[mug] = RED
    return Scene(pixels, {"mug": mug, "handle": handle, "body": m_body, "table": m_table})


class FakeSegmenter:
    """Box prompt -> the drawn non-background pixels inside the box (a perfect segmenter for flat scenes)."""

    name = "fake"

    def __init__(self):
        self.embed_calls = 0

    def embed(self, image):
        img = load_image(image)
        self.embed_calls += 1
        return ImageEmbedding(features=img.pixels, original_size=(img.height, img.width),
                              input_size=(img.height, img.width), image_sha256=img.sha256)

    def segment(self, embedding, boxes=None, points=None, point_labels=None, mask_prompts=None, multimask=True):
        pix = embedding.features
        fg = np.abs(pix.astype(int) - pix[0, 0].astype(int)).sum(axis=2) > 30
        out = []
        for x0, y0, x1, y1 in np.asarray(boxes, int):
            m = np.zeros(fg.shape, bool)
            m[y0:y1, x0:x1] = fg[y0:y1, x0:x1]
            out.append(m)
        masks = np.stack(out)[:, None]
        return SegmentResult(masks=masks, scores=np.full((len(out), 1), 0.9))


def _fill_holes(mask: np.ndarray, max_hole: int = 800) -> np.ndarray:
    """Fill holes smaller than max_hole px (letters printed on a sign), keep larger ones (a mug handle's eye)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    out = mask.copy()
    h, w = mask.shape
    for k in range(1, n):
        x, y, bw, bh, area = stats[k]
        if area < max_hole and x > 0 and y > 0 and x + bw < w and y + bh < h:
            out[labels == k] = True
    return out


class FakeProposals:
    """Proposals = connected components of each flat colour, with the real descriptors."""

    name = "proposals"

    def regions(self, image):
        img = load_image(image)
        pix = img.pixels
        colors = np.unique(pix.reshape(-1, 3), axis=0)
        regions = []
        for c in colors:
            same = np.all(pix == c, axis=2).astype(np.uint8)
            n, labels, stats, _ = cv2.connectedComponentsWithStats(same, connectivity=8)
            for k in range(1, n):
                if stats[k, cv2.CC_STAT_AREA] < 200:
                    continue
                m = _fill_holes(labels == k)
                attrs = describe(m, pix)
                regions.append(Region(box=attrs["box"], score=0.9, source="proposals", mask=m, attributes=attrs))
        regions.sort(key=lambda r: -r.attributes["area"])
        add_area_ranks([r.attributes for r in regions])
        for i, r in enumerate(regions):
            r.id = f"r{i}"
            r.attributes["background"] = r.attributes["area_fraction"] > 0.6
        return regions


class FakeOcr:
    """Reads fixed words at fixed boxes."""

    name = "ocr"

    def __init__(self, words: dict[str, list[float]]):
        self.words = words

    def ground(self, image, query):
        q = query.strip('"').lower()
        return [Region(box=b, score=0.99, label=f"text: {t}", source="ocr", text=t, id=f"o{i}")
                for i, (t, b) in enumerate(self.words.items()) if not q or q in t.lower()]

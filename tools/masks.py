"""Binary masks: COCO RLE, PNG files, IoU, bounding boxes, area and position words.

A mask is a numpy bool array of shape (H, W). An RLE is the COCO dict
{"size": [H, W], "counts": str} (counts as a UTF-8 string so it is JSON-safe).
Boxes are [x0, y0, x1, y1] in pixels, x1/y1 exclusive.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pycocotools import mask as coco_mask


class MaskError(ValueError):
    """A mask file or record that cannot be used; the message is one line."""


def as_bool_mask(mask: np.ndarray) -> np.ndarray:
    """Coerce a (H, W) array (bool, 0/1, 0/255, float probability) to bool (H, W)."""
    mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] in (1, 3, 4):
        mask = mask[:, :, 0]
    if mask.ndim != 2:
        raise MaskError(f"mask must be 2-D (H, W), got shape {tuple(mask.shape)}")
    if mask.dtype == np.bool_:
        return mask
    if np.issubdtype(mask.dtype, np.floating):
        return mask > 0.5
    return mask > (127 if mask.max(initial=0) > 1 else 0)


def encode_rle(mask: np.ndarray) -> dict:
    """bool (H, W) -> COCO RLE {"size": [H, W], "counts": str}."""
    m = np.asfortranarray(as_bool_mask(mask).astype(np.uint8))
    rle = coco_mask.encode(m)
    return {"size": [int(rle["size"][0]), int(rle["size"][1])], "counts": rle["counts"].decode("ascii")}


def decode_rle(rle: dict) -> np.ndarray:
    """COCO RLE (compressed str/bytes counts, or uncompressed list counts) -> bool (H, W)."""
    try:
        size = [int(rle["size"][0]), int(rle["size"][1])]
        counts = rle["counts"]
    except (KeyError, TypeError, IndexError):
        raise MaskError("RLE must be a dict with 'size' [H, W] and 'counts'") from None
    if isinstance(counts, list):
        obj = coco_mask.frPyObjects({"size": size, "counts": counts}, size[0], size[1])
    else:
        obj = {"size": size, "counts": counts.encode("ascii") if isinstance(counts, str) else counts}
    return coco_mask.decode(obj).astype(bool)


def polygons_to_mask(polygons: list[list[float]], height: int, width: int) -> np.ndarray:
    """Flat polygons [[x0, y0, x1, y1, ...], ...] -> bool (H, W) union."""
    polys = [list(map(float, p)) for p in polygons if len(p) >= 6]
    if not polys:
        return np.zeros((height, width), bool)
    rles = coco_mask.frPyObjects(polys, height, width)
    return coco_mask.decode(coco_mask.merge(rles)).astype(bool)


def save_mask_png(mask: np.ndarray, path: str | Path) -> Path:
    """Write a bool mask as an 8-bit PNG with values 0 and 255."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(as_bool_mask(mask).astype(np.uint8) * 255).save(path)
    return path


def load_mask_png(path: str | Path) -> np.ndarray:
    """Read a mask PNG (0/255, 0/1, palette or RGB) -> bool (H, W); nonzero pixels are the mask."""
    try:
        with Image.open(path) as img:
            if img.mode == "P":
                arr = np.asarray(img) != 0
            else:
                arr = np.asarray(img.convert("L")) > 0
    except FileNotFoundError:
        raise MaskError(f"{path}: mask file not found") from None
    except Exception as exc:
        raise MaskError(f"{path}: unreadable mask ({str(exc).splitlines()[0][:100]})") from None
    return arr


def area(mask: np.ndarray) -> int:
    return int(as_bool_mask(mask).sum())


def bbox(mask: np.ndarray) -> list[int] | None:
    """Tight box [x0, y0, x1, y1] (x1, y1 exclusive) of a bool mask, or None when empty."""
    m = as_bool_mask(mask)
    ys = np.flatnonzero(m.any(axis=1))
    if ys.size == 0:
        return None
    xs = np.flatnonzero(m.any(axis=0))
    return [int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1]


def intersection_union(pred: np.ndarray, gt: np.ndarray) -> tuple[int, int]:
    """(|pred & gt|, |pred | gt|) for two bool masks of the same shape."""
    p, g = as_bool_mask(pred), as_bool_mask(gt)
    if p.shape != g.shape:
        raise MaskError(f"mask shapes differ: prediction {p.shape} vs reference {g.shape}")
    return int(np.logical_and(p, g).sum()), int(np.logical_or(p, g).sum())


def iou(pred: np.ndarray, gt: np.ndarray, empty: float = 1.0) -> float:
    """Intersection over union; `empty` is returned when both masks are empty."""
    inter, union = intersection_union(pred, gt)
    return empty if union == 0 else inter / union


def filled_box(box: list[float], height: int, width: int) -> np.ndarray:
    """bool (height, width): the rectangle box [x0, y0, x1, y1] (rounded, clipped) filled."""
    m = np.zeros((height, width), bool)
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    m[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
    return m


def box_area(box: list[float]) -> float:
    """Area of [x0, y0, x1, y1] in square pixels (0 for an empty box)."""
    return max(float(box[2]) - float(box[0]), 0.0) * max(float(box[3]) - float(box[1]), 0.0)


def box_intersection(a: list[float], b: list[float]) -> float:
    """Area shared by two [x0, y0, x1, y1] boxes (0 when they do not overlap)."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def inside_share(box: list[float], ref: list[float]) -> float:
    """Share of `box` that lies inside `ref` (boxes [x0, y0, x1, y1]), 0..1."""
    return box_intersection(box, ref) / max((box[2] - box[0]) * (box[3] - box[1]), 1.0)


def box_iou(a: list[float], b: list[float]) -> float:
    """IoU of two [x0, y0, x1, y1] boxes."""
    inter = box_intersection(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def centre_inside(outer: list[float], inner: list[float], margin: float = 0.0) -> bool:
    """Whether the centre of box `inner` lies in box `outer` grown by `margin` of its width / height on each side
    (boxes [x0, y0, x1, y1])."""
    mx, my = margin * (outer[2] - outer[0]), margin * (outer[3] - outer[1])
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] - mx <= cx <= outer[2] + mx and outer[1] - my <= cy <= outer[3] + my


def centroid(mask: np.ndarray) -> tuple[float, float] | None:
    """(x, y) centre of mass of a bool mask, or None when empty."""
    m = as_bool_mask(mask)
    ys, xs = np.nonzero(m)
    if xs.size == 0:
        return None
    return float(xs.mean()), float(ys.mean())


def position_words(box: list[float], width: int, height: int) -> str:
    """Where a box sits in the image, in words: "top left", "center", "bottom", ...

    Uses the box centre against thirds of the image.
    """
    cx = (box[0] + box[2]) / 2 / max(width, 1)
    cy = (box[1] + box[3]) / 2 / max(height, 1)
    horiz = "left" if cx < 1 / 3 else ("right" if cx > 2 / 3 else "")
    vert = "top" if cy < 1 / 3 else ("bottom" if cy > 2 / 3 else "")
    if not horiz and not vert:
        return "center"
    if not vert:
        return horiz
    if not horiz:
        return vert
    return f"{vert} {horiz}"


# the share of the photo each position word spans, per axis (what "on the left" / "in the top right corner" asks about)
PART_SPANS = {"left": (0.0, 0.4), "right": (0.6, 1.0), "top": (0.0, 0.4), "bottom": (0.6, 1.0), "center": (0.3, 0.7)}


def part_preposition(position: str) -> str:
    """The preposition a part of the photo takes: "on" the left or right, "in" the top, the bottom left, the centre."""
    return "on" if position in ("left", "right") else "in"


def photo_part_box(position: str, width: int, height: int) -> list[float]:
    """The box [x0, y0, x1, y1] of the part of a width x height photo a position names ("left", "top right",
    "center"): 40% of the photo's width or height from that side, the middle 40% for "center"."""
    words = position.split()
    x0, x1 = next((PART_SPANS[w] for w in words if w in ("left", "right")), (0.0, 1.0))
    y0, y1 = next((PART_SPANS[w] for w in words if w in ("top", "bottom")), (0.0, 1.0))
    if words == ["center"]:
        (x0, x1), (y0, y1) = PART_SPANS["center"], PART_SPANS["center"]
    return [x0 * width, y0 * height, x1 * width, y1 * height]


def size_words(fraction: float) -> str:
    """Describe an area fraction of the image: "tiny" (<1%), "small" (<5%), "medium" (<20%), "large", "most of the image" (>60%)."""
    if fraction < 0.01:
        return "tiny"
    if fraction < 0.05:
        return "small"
    if fraction < 0.20:
        return "medium"
    if fraction < 0.60:
        return "large"
    return "most of the image"

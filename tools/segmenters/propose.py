"""'Everything' mode: masks for a grid of point prompts, scored and de-duplicated at low resolution.

The decoder runs on batches of grid points; predicted IoU, stability score, area and boxes are computed on
the decoder's low-resolution logits (256 x 256, cropped to the image area); box NMS removes duplicates;
only the kept masks are upsampled to full image size. No torchvision.

Two rules skip grid points whose answer is already known (see `generate_proposals`): points inside the finest
accepted mask of an earlier prompt, and, when the image pixels are given, points on a plain patch of the
colour that dominates an accepted background-sized mask (a bare wall, table or floor). Box prompts given as
seeds (detector boxes) add their masks before the grid starts, and a prompt budget stops a cluttered photo from
prompting every point: the points still unanswered are taken in an order spread evenly over the image.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from tools.box_nms import nms_indices
from tools.segmenters.base import Proposal

# decode(points (M, 1, 2) float in the model input frame) -> (low-res logits (M, K, S, S), iou (M, K))
DecodeFn = Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]
# upsample(low-res logits (M, S, S)) -> logits (M, H, W) at original size
UpsampleFn = Callable[[torch.Tensor], torch.Tensor]
# stop() -> True when the caller no longer wants the proposals (a prefetch that a user's turn overtook)
StopFn = Callable[[], bool]
# masks covering at least this share of the image are background-sized (a wall, a table top)
BACKGROUND_FRAC = 0.25
# colours are compared in a COLOUR_LEVELS^3 cube of bins
COLOUR_LEVELS = 8


class ProposalsStopped(Exception):
    """Raised by `generate_proposals` (between decoder calls) once its `stop()` returns True; nothing is kept."""


def stop_if_asked(stop: StopFn | None) -> None:
    """Raise ProposalsStopped when `stop` is given and returns True."""
    if stop is not None and stop():
        raise ProposalsStopped


def grid_points(points_per_side: int, height: int, width: int) -> np.ndarray:
    """(n*n, 2) [x, y] cell centres of an n x n grid over a height x width image."""
    offs = (np.arange(points_per_side, dtype=np.float32) + 0.5) / points_per_side
    xs, ys = np.meshgrid(offs * width, offs * height)
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def stability_scores(logits: torch.Tensor, threshold: float = 0.0, offset: float = 1.0) -> torch.Tensor:
    """IoU of the masks thresholded at threshold+offset and threshold-offset; logits (M, h, w) -> (M,)."""
    hi = (logits > threshold + offset).flatten(1).sum(1).float()
    lo = (logits > threshold - offset).flatten(1).sum(1).float()
    return torch.where(lo > 0, hi / lo.clamp(min=1), torch.zeros_like(lo))


def mask_boxes(masks: torch.Tensor) -> torch.Tensor:
    """bool (M, h, w) -> float (M, 4) [x0, y0, x1, y1] (x1, y1 exclusive); zeros for empty masks."""
    m, h, w = masks.shape
    if m == 0:
        return torch.zeros(0, 4)
    cols, rows = masks.any(1), masks.any(2)
    xr = torch.arange(w, dtype=torch.float32)
    yr = torch.arange(h, dtype=torch.float32)
    x0 = torch.where(cols, xr, float(w)).amin(1)
    x1 = torch.where(cols, xr + 1, 0.0).amax(1)
    y0 = torch.where(rows, yr, float(h)).amin(1)
    y1 = torch.where(rows, yr + 1, 0.0).amax(1)
    boxes = torch.stack([x0, y0, x1, y1], 1)
    return torch.where(cols.any(1, keepdim=True), boxes, torch.zeros_like(boxes))


def _cover(covered: torch.Tensor | None, flat: torch.Tensor, ok: torch.Tensor, m: int, k: int, s: int,
           image_area: float, max_cover_frac: float = BACKGROUND_FRAC) -> torch.Tensor:
    """Add, for each of m prompts, its smallest accepted mask (of k candidates) to the coverage map.

    Masks larger than `max_cover_frac` of the image (background, table tops) never cover points: their
    low-resolution logits bleed over small objects lying on them."""
    masks = flat.view(m, k, s, s) > 0
    areas = masks.flatten(2).sum(-1).float()
    usable = ok.view(m, k) & (areas > 0) & (areas < max_cover_frac * image_area)
    areas = torch.where(usable, areas, torch.full_like(areas, float("inf")))
    best = areas.argmin(1)
    has = torch.isfinite(areas.gather(1, best[:, None]))[:, 0]
    finest = masks[torch.arange(m), best][has]
    union = finest.any(0) if finest.shape[0] else torch.zeros(s, s, dtype=torch.bool)
    return union if covered is None else covered | union


def patch_colours(pixels: np.ndarray, pts: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean colour (P, 3) float and largest per-channel std (P,) of the (2r+1)^2 patch around each [x, y]."""
    h, w = pixels.shape[:2]
    means, stds = np.zeros((len(pts), 3), np.float32), np.zeros(len(pts), np.float32)
    for i, (x, y) in enumerate(pts):
        x, y = int(x), int(y)
        patch = pixels[max(0, y - radius): min(h, y + radius + 1), max(0, x - radius): min(w, x + radius + 1)]
        patch = patch.reshape(-1, 3).astype(np.float32)
        means[i], stds[i] = patch.mean(0), patch.std(0).max()
    return means, stds


def colour_bins(rgb: np.ndarray, levels: int = COLOUR_LEVELS) -> np.ndarray:
    """(..., 3) colours in 0-255 -> (...,) int bin index of a levels^3 colour cube."""
    q = np.clip((np.asarray(rgb, np.float32) * levels / 256.0).astype(int), 0, levels - 1)
    return (q[..., 0] * levels + q[..., 1]) * levels + q[..., 2]


class BackgroundSkip:
    """Grid points that need no prompt because a background-sized accepted mask already answers them.

    A point is skipped when it lies inside an accepted mask covering at least `min_frac` of the image, its
    patch (half a grid cell wide) is plain (every channel's std <= `max_std`), and its colour's bin holds at
    least `min_share` of that mask's pixels. A small object that the low-resolution background mask bleeds
    over has a colour of its own, a small share of the mask, so it is still prompted; a textured or graded
    background simply keeps every point, as before."""

    def __init__(self, pixels: np.ndarray, pts: np.ndarray, cell: float, low_hw: tuple[int, int],
                 min_frac: float = BACKGROUND_FRAC, max_std: float = 20.0, min_share: float = 0.15):
        import cv2

        means, stds = patch_colours(pixels, pts, max(1, int(cell / 4)))
        self.plain = stds <= max_std
        self.bins = colour_bins(means)
        hs, ws = low_hw
        self.low_bins = colour_bins(cv2.resize(pixels, (ws, hs), interpolation=cv2.INTER_AREA))  # (hs, ws)
        self.lx = np.clip((pts[:, 0] * ws / pixels.shape[1]).astype(int), 0, ws - 1)  # each point's low-res pixel
        self.ly = np.clip((pts[:, 1] * hs / pixels.shape[0]).astype(int), 0, hs - 1)
        self.min_frac, self.min_share = min_frac, min_share
        self.skip = np.zeros(len(pts), bool)

    def add(self, masks: torch.Tensor) -> None:
        """masks: bool (M, hs, ws) accepted low-resolution masks of one batch."""
        hs, ws = self.low_bins.shape
        for m in masks.numpy():
            area = m.sum()
            if area < self.min_frac * hs * ws:
                continue
            share = np.bincount(self.low_bins[m], minlength=COLOUR_LEVELS ** 3) / area
            inside = m[self.ly, self.lx] & self.plain & ~self.skip
            self.skip[inside] = share[self.bins[inside]] >= self.min_share


def coarse_to_fine_levels(points_per_side: int) -> list[np.ndarray]:
    """Indices of an n x n grid split into levels: every 4th point, then every 2nd, then the rest."""
    ij = np.stack(np.meshgrid(np.arange(points_per_side), np.arange(points_per_side)), -1).reshape(-1, 2)
    levels, taken = [], np.zeros(len(ij), bool)
    for stride in (4, 2, 1):
        sel = ~taken & (ij[:, 0] % stride == 0) & (ij[:, 1] % stride == 0)
        if sel.any():
            levels.append(np.flatnonzero(sel))
            taken |= sel
    return levels


# seeds: box prompts decoded before the grid: (low-res logits (M, K, S, S), iou (M, K), box centres (M, 2) [x, y] in
# original pixels); their accepted masks are proposals but answer no grid point: a detector box over two things
# gives one mask over both, and had it covered their points neither would be found alone (synthetic test scenes)
Seeds = tuple[torch.Tensor, torch.Tensor, np.ndarray]


def box_centres(boxes: np.ndarray) -> np.ndarray:
    """(M, 4) [x0, y0, x1, y1] -> (M, 2) [x, y] centres."""
    return np.asarray(boxes, np.float32).reshape(-1, 2, 2).mean(1)


class _Accepted:
    """Accepted low-resolution masks of all prompts so far, with what covers the grid (see generate_proposals)."""

    def __init__(self, skip_covered: bool, pixels: np.ndarray | None, pts: np.ndarray, cell: float,
                 input_size: tuple[int, int], image_size: int, thresholds: tuple[float, float]):
        self.skip_covered, self.pixels, self.pts, self.cell = skip_covered, pixels, pts, cell
        self.input_size, self.image_size = input_size, image_size
        self.pred_iou_thresh, self.stability_thresh = thresholds
        self.logits, self.ious, self.stabs, self.src_xy = [], [], [], []
        self.covered: torch.Tensor | None = None  # bool (s, s): union of the finest accepted mask of each prompt
        self.background: BackgroundSkip | None = None
        self.hs = self.ws = 0

    def add(self, low: torch.Tensor, iou: torch.Tensor, src_xy: np.ndarray, covers: bool = True) -> None:
        """low (M, K, S, S) logits and iou (M, K) of M prompts whose points are src_xy (M, 2) original pixels;
        covers=False keeps the accepted masks without letting them answer grid points."""
        s = low.shape[-1]
        self.hs = math.ceil(self.input_size[0] * s / self.image_size)
        self.ws = math.ceil(self.input_size[1] * s / self.image_size)
        m, k = low.shape[:2]
        flat, iou = low.reshape(m * k, s, s), iou.reshape(m * k)
        stab = stability_scores(flat[:, : self.hs, : self.ws])
        ok = (iou > self.pred_iou_thresh) & (stab > self.stability_thresh)
        idx = ok.nonzero().flatten()
        self.logits.append(flat[idx].clone())
        self.ious.append(iou[idx])
        self.stabs.append(stab[idx])
        self.src_xy.append(src_xy[(idx // k).numpy()])
        if not self.skip_covered or not covers:
            return
        self.covered = _cover(self.covered, flat, ok, m, k, s, float(self.hs * self.ws))
        if self.pixels is not None:
            if self.background is None:
                self.background = BackgroundSkip(self.pixels, self.pts, self.cell, (self.hs, self.ws))
            self.background.add(flat[idx, : self.hs, : self.ws] > 0)

    def unanswered(self, level: np.ndarray, pts_in: np.ndarray) -> np.ndarray:
        """The grid indices of `level` that no accepted mask answers yet; pts_in (P, 2) in the input frame."""
        if self.covered is None or not self.skip_covered:
            return level
        s = self.covered.shape[-1]
        lx = np.clip((pts_in[level, 0] * s / self.image_size).astype(int), 0, s - 1)
        ly = np.clip((pts_in[level, 1] * s / self.image_size).astype(int), 0, s - 1)
        keep = ~self.covered[ly, lx].numpy()
        if self.background is not None:
            keep &= ~self.background.skip[level]
        return level[keep]


def spread_order(indices: np.ndarray) -> np.ndarray:
    """indices reordered so that any prefix is spread evenly over them (bit-reversed positions)."""
    n = len(indices)
    if n <= 2:
        return indices
    bits = int(np.ceil(np.log2(n)))
    pos = np.arange(2 ** bits)
    rev = np.zeros_like(pos)
    for b in range(bits):
        rev |= ((pos >> b) & 1) << (bits - 1 - b)
    return indices[rev[rev < n]]


@torch.inference_mode()
def generate_proposals(
    decode: DecodeFn,
    upsample: UpsampleFn,
    original_size: tuple[int, int],
    input_size: tuple[int, int],
    image_size: int = 1024,
    points_per_side: int = 16,
    points_per_batch: int = 16,
    pred_iou_thresh: float = 0.8,
    stability_thresh: float = 0.9,
    nms_thresh: float = 0.7,
    min_area_frac: float = 0.001,
    skip_covered: bool = True,
    pixels: np.ndarray | None = None,
    seeds: Seeds | None = None,
    max_prompts: int | None = None,
    within: tuple[float, float, float, float] | None = None,
    stop: StopFn | None = None,
) -> list[Proposal]:
    """Run the grid through `decode`, filter, NMS, upsample the survivors. Sorted by predicted IoU.

    With `skip_covered` the grid is visited coarse to fine (every 4th point, every 2nd, the rest) and a
    point is not prompted when it already lies inside the *finest* accepted mask of an earlier prompt:
    the multimask output of that prompt already holds the part, object and group around it. Points on a
    different part (a handle beside a mug body) are still prompted, since the finest mask excludes them.
    With `pixels` (H, W, 3 uint8, original size) and `skip_covered`, plain background points are skipped as
    well once a background-sized mask of their colour was accepted (see `BackgroundSkip`).
    Points go to `decode` in batches of `points_per_batch`, and the rules are applied again after each batch.
    `seeds` (box prompts already decoded, see `Seeds`) come first; their masks are proposals like any other.
    `max_prompts` caps the grid prompts (seeds not counted); within a level the points are taken in
    `spread_order`, so a budget that runs out leaves gaps spread evenly rather than a region unprompted.
    `within` [x0, y0, x1, y1] (original pixels) lays the grid over that box only (the parts of one thing); the
    masks may reach outside it.
    """
    h, w = original_size
    x0, y0, x1, y1 = (0.0, 0.0, float(w), float(h)) if within is None else within
    pts = grid_points(points_per_side, max(y1 - y0, 1.0), max(x1 - x0, 1.0)) + np.array([x0, y0], np.float32)
    scale = np.array([input_size[1] / w, input_size[0] / h], np.float32)
    pts_in = pts * scale
    acc = _Accepted(skip_covered, pixels, pts, min(y1 - y0, x1 - x0) / points_per_side, input_size, image_size,
                    (pred_iou_thresh, stability_thresh))
    if seeds is not None and seeds[0].shape[0]:
        acc.add(*seeds, covers=False)
    levels = coarse_to_fine_levels(points_per_side) if skip_covered else [np.arange(len(pts))]
    spent = 0
    for level in levels:
        todo = spread_order(acc.unanswered(level, pts_in))
        while len(todo) and (max_prompts is None or spent < max_prompts):
            room = points_per_batch if max_prompts is None else min(points_per_batch, max_prompts - spent)
            batch, todo = todo[:room], todo[room:]
            stop_if_asked(stop)
            low, iou = decode(torch.from_numpy(pts_in[batch])[:, None, :])
            acc.add(low, iou, pts[batch])
            spent += len(batch)
            todo = acc.unanswered(todo, pts_in)
    if not acc.logits:
        return []
    logits = torch.cat(acc.logits)
    iou, stab, src_xy = torch.cat(acc.ious), torch.cat(acc.stabs), np.concatenate(acc.src_xy)
    if logits.shape[0] == 0:
        return []
    hs, ws = acc.hs, acc.ws
    masks = logits[:, :hs, :ws] > 0
    area_ok = masks.flatten(1).sum(1) >= max(1.0, min_area_frac * hs * ws)
    keep = area_ok.nonzero().flatten()
    boxes = mask_boxes(masks[keep])
    kept = nms_indices(boxes.float().cpu().numpy(), iou[keep].float().cpu().numpy(), nms_thresh)
    keep = keep[torch.from_numpy(kept).to(keep.device)]
    proposals: list[Proposal] = []
    min_area = min_area_frac * h * w
    for i in keep.tolist():
        full = (upsample(logits[i][None])[0] > 0).numpy()
        if full.sum() < min_area:
            continue
        ys = np.flatnonzero(full.any(1))
        xs = np.flatnonzero(full.any(0))
        box = [int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1]
        px, py = src_xy[i]
        proposals.append(Proposal(full, box, float(iou[i]), float(stab[i]), (float(px), float(py))))
    proposals.sort(key=lambda p: -p.predicted_iou)
    return proposals

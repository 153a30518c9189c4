"""Named colours, surface textures and backgrounds for the synthetic scenes (numpy only, deterministic per rng)."""
from __future__ import annotations

import numpy as np

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (214, 40, 40), "orange": (245, 140, 20), "yellow": (240, 210, 30), "green": (40, 160, 60),
    "blue": (30, 90, 210), "purple": (130, 60, 180), "pink": (240, 120, 180), "brown": (120, 72, 30),
    "black": (25, 25, 25), "white": (248, 248, 248), "gray": (128, 128, 128), "cyan": (30, 200, 220),
}
TEXTURES = ("solid", "solid", "stripes", "dots", "noise")
BACKGROUNDS = ("gradient", "noise", "checker", "plain")
_MUTED = [(200, 190, 170), (170, 185, 200), (190, 200, 175), (215, 205, 195), (160, 160, 165), (95, 105, 115)]


def shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, round(c * factor)))) for c in rgb)  # type: ignore[return-value]


def texture_fill(rgb: tuple[int, int, int], texture: str, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) uint8 canvas painted with the colour and texture (stripes/dots use a darker shade)."""
    base = np.empty((height, width, 3), np.uint8)
    base[:] = rgb
    dark = np.array(shade(rgb, 0.62) if sum(rgb) > 120 else shade((90, 90, 90), 1.0), np.uint8)
    yy, xx = np.mgrid[0:height, 0:width]
    if texture == "stripes":
        period = int(rng.integers(8, 16))
        angle = rng.choice([0, 1, 2])
        coord = [xx, yy, xx + yy][angle]
        base[(coord // (period // 2)) % 2 == 1] = dark
    elif texture == "dots":
        step = int(rng.integers(10, 16))
        radius = step / 4.0
        cy, cx = (yy % step) - step / 2, (xx % step) - step / 2
        base[cx ** 2 + cy ** 2 <= radius ** 2] = dark
    elif texture == "noise":
        noise = rng.integers(-22, 23, size=(height, width, 1))
        base = np.clip(base.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    return base


def background(kind: str, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """(H, W, 3) uint8 background: gradient, noise, checker or plain, in muted colours."""
    picks = rng.choice(len(_MUTED), size=2, replace=False)
    a, b = np.array(_MUTED[picks[0]], np.float32), np.array(_MUTED[picks[1]], np.float32)
    if kind == "gradient":
        t = np.linspace(0, 1, height if rng.random() < 0.5 else width, dtype=np.float32)
        ramp = a[None] * (1 - t[:, None]) + b[None] * t[:, None]
        img = np.repeat(ramp[:, None], width, 1) if ramp.shape[0] == height else np.repeat(ramp[None], height, 0)
    elif kind == "noise":
        img = np.empty((height, width, 3), np.float32)
        img[:] = a
        img += rng.normal(0, 14, size=(height, width, 1)).astype(np.float32)
    elif kind == "checker":
        cell = int(rng.integers(24, 64))
        yy, xx = np.mgrid[0:height, 0:width]
        img = np.where((((yy // cell) + (xx // cell)) % 2 == 0)[..., None], a, b)
    else:
        img = np.empty((height, width, 3), np.float32)
        img[:] = a
    return np.clip(np.round(img), 0, 255).astype(np.uint8)

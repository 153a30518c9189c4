"""Shared fixtures for grounder tests: rendered text image, coloured-shapes image, a fake segmenter."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from grounder_fakes import FakeSegmenter


@pytest.fixture(scope="session")
def font_path() -> str:
    import matplotlib.font_manager as fm

    return fm.findfont("DejaVu Sans")


@pytest.fixture(scope="session")
def text_image(font_path):
    """(pixels (360, 640, 3) uint8, {word: drawn box [x0, y0, x1, y1]}) with TISSOT, EXIT 42, hello world."""
    img = Image.new("RGB", (640, 360), (235, 235, 230))
    d = ImageDraw.Draw(img)
    big, small = ImageFont.truetype(font_path, 48), ImageFont.truetype(font_path, 32)
    boxes = {}
    for text, xy, font, color in [("TISSOT", (40, 40), big, (0, 0, 0)), ("EXIT 42", (350, 250), big, (200, 0, 0)),
                                  ("hello world", (40, 250), small, (0, 0, 120))]:
        d.text(xy, text, font=font, fill=color)
        boxes[text] = list(d.textbbox(xy, text, font=font))
        x = xy[0]
        for word in text.split():
            boxes[word] = list(d.textbbox((x + d.textlength(text[: text.index(word)], font=font), xy[1]), word, font=font))
    return np.asarray(img), boxes


def _shape_masks(h: int, w: int) -> dict[str, np.ndarray]:
    red = np.zeros((h, w), np.uint8)
    cv2.circle(red, (80, 70), 50, 1, -1)  # round, top left
    blue = np.zeros((h, w), np.uint8)
    blue[190:290, 290:390] = 1  # square, bottom right, the largest object
    green = np.zeros((h, w), np.uint8)
    green[140:160, 120:270] = 1  # elongated bar, center
    yellow = np.zeros((h, w), np.uint8)
    yellow[20:50, 330:360] = 1  # small square, top right
    return {k: v.astype(bool) for k, v in dict(red=red, blue=blue, green=green, yellow=yellow).items()}


@pytest.fixture(scope="session")
def shapes_image():
    """(pixels (300, 400, 3) on light gray, {colour name: bool mask})."""
    h, w = 300, 400
    masks = _shape_masks(h, w)
    img = np.full((h, w, 3), 205, np.uint8)
    colors = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 160, 40), "yellow": (250, 220, 30)}
    for name, m in masks.items():
        img[m] = colors[name]
    return img, masks


@pytest.fixture
def fake_segmenter(shapes_image):
    _, masks = shapes_image
    return FakeSegmenter(list(masks.values()))

import numpy as np
import pytest

from tools.grounders.descriptors import (COLOR_NAMES, MIN_WHITE_POINT, accent_color, add_area_ranks, describe, dominant_colors,
                                         pixel_color_names, shape_hint, summary, text_inside, white_point)
from tools.grounders.ocr import TextBox


def test_pixel_colour_names():
    samples = {"red": (220, 30, 30), "orange": (255, 140, 0), "yellow": (250, 220, 30), "green": (30, 160, 40),
               "blue": (30, 60, 220), "purple": (130, 40, 170), "pink": (255, 150, 190), "brown": (120, 70, 20),
               "black": (10, 10, 10), "white": (250, 250, 250), "gray": (128, 128, 128)}
    names = pixel_color_names(np.array(list(samples.values()), np.uint8))
    assert [COLOR_NAMES[i] for i in names] == list(samples)


def test_descriptors_of_rendered_shapes(shapes_image):
    pixels, masks = shapes_image
    d = {k: describe(m, pixels) for k, m in masks.items()}
    assert d["red"]["colors"] == ["red"] and d["red"]["shape"] == "round" and d["red"]["position"] == "top left"
    assert d["blue"]["colors"] == ["blue"] and d["blue"]["shape"] == "square" and d["blue"]["position"] == "bottom right"
    assert d["green"]["shape"] == "elongated" and d["green"]["position"] == "center"
    assert d["yellow"]["colors"] == ["yellow"] and d["yellow"]["position"] == "top right" and d["yellow"]["size"] == "tiny"
    assert d["blue"]["box"] == [290, 190, 390, 290] and d["blue"]["area"] == 10000
    assert abs(d["blue"]["area_fraction"] - 10000 / 120000) < 1e-4
    attrs = list(d.values())
    add_area_ranks(attrs)
    assert d["blue"]["area_rank"] == 1 and d["yellow"]["area_rank"] == 4 and d["red"]["area_rank"] == 2
    assert "top left" in summary(d["red"]) and "red" in summary(d["red"])


def test_two_colour_mask_and_text_inside(shapes_image):
    pixels, masks = shapes_image
    both = masks["red"] | masks["blue"]
    assert set(dominant_colors(pixels, both)) == {"red", "blue"}
    boxes = [TextBox("IN", [300, 200, 320, 220], [], 1.0), TextBox("OUT", [0, 0, 10, 10], [], 1.0)]
    assert text_inside(masks["blue"], boxes) == ["IN"]
    assert describe(masks["blue"], pixels, boxes)["text"] == ["IN"]


def test_shape_hint_irregular_and_rectangle():
    m = np.zeros((100, 100), bool)
    m[10:40, 10:60] = True
    assert shape_hint(m) == "rectangular"
    l_shape = np.zeros((100, 100), bool)
    l_shape[10:90, 10:30] = True
    l_shape[70:90, 10:90] = True
    assert shape_hint(l_shape) == "irregular"


def test_a_white_thing_in_a_dim_photo_reads_white():
    """A dim photo whose brightest pixels reach 190: a patch at 180 is that photo's white, not gray; in a photo
    with real white (255) the same patch stays gray."""
    dim = np.full((60, 80, 3), 60, np.uint8)
    dim[10:30, 10:30] = 180
    dim[40:50, 50:70] = 190
    patch = np.zeros((60, 80), bool)
    patch[10:30, 10:30] = True
    assert white_point(dim) == pytest.approx(190, abs=1)
    assert dominant_colors(dim, patch) == ["white"]
    bright = dim.copy()
    bright[40:50, 50:70] = 255
    assert dominant_colors(bright, patch) == ["gray"]


def test_a_dark_photo_is_not_brightened_past_the_floor():
    night = np.full((40, 40, 3), 20, np.uint8)
    night[:10] = 100
    assert white_point(night) == MIN_WHITE_POINT
    mask = np.zeros((40, 40), bool)
    mask[:10] = True
    assert dominant_colors(night, mask) == ["gray"]  # 100 * 255 / 150 = 170: gray, not white


def test_an_accent_hue_on_a_mostly_gray_thing_is_said_and_only_then():
    pixels = np.full((100, 100, 3), 128, np.uint8)  # gray, with a white corner so the photo's white point is 255
    pixels[:10, :20] = 255
    pixels[60:78, :] = (40, 150, 60)  # 18 rows of green
    mask = np.ones((100, 100), bool)
    named = dominant_colors(pixels, mask)
    assert named == ["gray"]
    hue, share = accent_color(pixels, mask, named)
    assert hue == "green" and 0.15 < share < 0.2
    assert accent_color(pixels, mask, ["red"]) is None  # a hue already named: nothing to add
    pixels[60:70, :] = 128  # 8 rows left: under the accent share
    assert accent_color(pixels, mask, dominant_colors(pixels, mask)) is None

"""tools.grounders.region_cues.flat_share: plain drawn areas are flat, a photo's noise is not."""
from __future__ import annotations

import numpy as np

from tools.grounders.region_cues import flat_share
from tools.images import load_image


def test_a_drawn_scene_is_flat_and_noise_is_not():
    wall = np.full((40, 60, 3), 230, np.uint8)
    wall[10:30, 20:40] = (200, 60, 40)  # one drawn box: flat inside and out, but for its edges
    assert flat_share(wall) > 0.9
    noisy = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    assert flat_share(noisy) < 0.01
    assert flat_share(np.zeros((1, 5, 3), np.uint8)) == 1.0


def test_a_coco_photo_has_few_flat_pixels(coco_tiny):
    pixels = load_image(coco_tiny / "val2017" / "000000491008.jpg").pixels
    assert flat_share(pixels) < 0.05

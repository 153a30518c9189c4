"""Parts of a previous mask: halves and the handle of a drawn mug."""
from __future__ import annotations

import numpy as np

from agent.parts import part_candidates, protrusion
from agent_scenes import mug_scene
from tools.masks import iou


def test_halves_split_at_the_box_midline():
    m = np.zeros((100, 100), bool)
    m[20:80, 10:50] = True
    top = part_candidates("top half", m)[0][0]
    left = part_candidates("left half", m)[0][0]
    assert top.sum() == m.sum() // 2 and top[20:50, 10:50].all() and not top[50:].any()
    assert left.sum() == m.sum() // 2 and not left[:, 30:].any()


def test_handle_is_the_protrusion_of_the_mug():
    scene = mug_scene()
    handle = protrusion(scene.shapes["mug"])
    assert iou(handle, scene.shapes["handle"]) > 0.7
    best = part_candidates("handle", scene.shapes["mug"])[0][0]
    assert iou(best, scene.shapes["handle"]) > 0.7


def test_lid_is_the_top_band_and_empty_mask_gives_nothing():
    scene = mug_scene()
    lid = part_candidates("lid", scene.shapes["body"])[0][0]
    ys = np.nonzero(lid)[0]
    assert ys.min() == 90 and ys.max() < 90 + 0.25 * 160
    assert part_candidates("handle", np.zeros((10, 10), bool)) == []

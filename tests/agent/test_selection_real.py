"""The real embedded stack (MobileSAM proposals) on scikit-image's coffee photo: "the thing in the middle"
must be an object (the cup), not the table filling the frame, and an absent colour is said to be absent."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tools.grounders.region_cues import borders_touched
from agent.session import Session

pytestmark = pytest.mark.slow


def test_middle_of_the_coffee_photo_is_an_object_not_the_table(tmp_path):
    torch.set_num_threads(2)
    from skimage import data

    pixels = np.asarray(data.coffee())
    h, w = pixels.shape[:2]
    s = Session(pixels, db_path=tmp_path / "c.sqlite", grounders=("proposals",))
    r = s.ask("Segment the thing in the middle of the picture.")
    x0, y0, x1, y1 = r.extra["box"]
    assert r.mask.mean() < 0.35 and borders_touched([x0, y0, x1, y1], w, h) < 3
    assert x0 < w / 2 < x1 and y0 < h / 2 < y1 and "the thing in the middle" in r.text
    r = s.ask("Show me the biggest white thing.")
    assert "no region is mainly white" in r.text and "matching" not in r.text and r.mask.mean() < 0.35

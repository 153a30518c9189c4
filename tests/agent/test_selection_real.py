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


def test_a_bag_may_be_any_of_the_detectors_bag_classes(coco_tiny, tmp_path):
    """ "bag" names handbag, backpack and suitcase together: the bag strapped on the motorbike's seat is a faint
    backpack box, with no handbag anywhere (before: "I don't see a handbag")."""
    from pycocotools.coco import COCO

    train = COCO(str(coco_tiny / "annotations" / "instances_train2017.json"))
    bag = train.annToMask(train.loadAnns(1164035)[0]).astype(bool)
    s = Session(coco_tiny / "train2017" / "000000008193.jpg", db_path=tmp_path / "c.sqlite")
    r = s.ask("the blue bag strapped on the seat")
    assert "backpack (detector" in r.text and "the only bag found" in r.text
    assert float((r.mask & bag).sum()) / float((r.mask | bag).sum()) > 0.5

"""Telling people apart on real photos with the REAL embedded stack (NanoDet, MobileSAM, MoveNet, FaceRes):
gender words, what a person holds found at their wrists, parts from keypoints and an honest answer for a part
out of the frame. References are COCO instance masks of coco_tiny."""
from __future__ import annotations

import pytest
import torch
from pycocotools.coco import COCO

from agent.session import Session
from tools.masks import bbox, iou

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def coco(coco_tiny):
    torch.set_num_threads(2)
    return COCO(str(coco_tiny / "annotations" / "instances_val2017.json"))


def instance(coco, ann_id):
    return coco.annToMask(coco.loadAnns(ann_id)[0]).astype(bool)


def test_the_woman_the_man_and_the_pizza_they_hold(coco, coco_tiny, tmp_path):
    woman, man, pizza = instance(coco, 493019), instance(coco, 517908), instance(coco, 1071886)
    s = Session(coco_tiny / "val2017" / "000000491008.jpg", db_path=tmp_path / "c.sqlite")
    r = s.ask("the man")  # the woman's detector score is lower, the man's face says male
    assert iou(r.mask, man) > 0.7 and "face estimate" in r.text
    r = s.ask("no the lady")
    assert iou(r.mask, woman) > 0.7
    r = s.ask("what is she holding?")  # the pizza sticks out of her box: found at her wrists
    assert iou(r.mask, pizza) > 0.6 and "at their hand" in r.text
    s.close()
    s = Session(coco_tiny / "val2017" / "000000491008.jpg", db_path=tmp_path / "d.sqlite")
    r = s.ask("the person holding the pizza")  # both hold it: a wrist at it decides, and says so
    assert max(iou(r.mask, woman), iou(r.mask, man)) > 0.7 and "a hand at it (body keypoints)" in r.text
    s.close()


def test_parts_from_keypoints_and_a_part_out_of_the_frame(coco, coco_tiny, tmp_path):
    man = instance(coco, 1239375)  # the man in the white suit, cut at the waist by the frame
    s = Session(coco_tiny / "val2017" / "000000060932.jpg", db_path=tmp_path / "c.sqlite")
    assert iou(s.ask("the guy in the white suit").mask, man) > 0.7
    r = s.ask("only his head")
    x0, y0, x1, y1 = bbox(r.mask)
    assert "face keypoints" in r.text and (r.mask & ~man).sum() < 0.05 * r.mask.sum() and y1 < bbox(man)[1] + 0.45 * (bbox(man)[3] - bbox(man)[1])
    r = s.ask("his legs")
    assert r.mask is None and "can't see" in r.text
    r = s.ask("his left arm")  # his own left: the image right for a man facing the camera
    assert r.mask is not None and (r.mask & man).sum() > 0.9 * r.mask.sum() and "own left" in r.text
    s.close()

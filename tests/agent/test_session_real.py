"""End to end with the REAL embedded stack (MobileSAM + proposals + RapidOCR + Haar) on drawn scenes,
checking the IoU of each produced mask against the drawn shape."""
from __future__ import annotations

import pytest
import torch
from agent_scenes import mug_scene, shapes_scene

from tools import backends
from agent.session import Session
from tools.masks import iou

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack():
    torch.set_num_threads(2)
    from tools.grounders import build_grounder
    seg = backends.segmenter("mobile_sam")
    ocr = backends.grounder("ocr")
    proposals = build_grounder("proposals", segmenter=seg, ocr=ocr.reader, points_per_side=12)
    return {"segmenter": seg, "grounders": [ocr, proposals, backends.grounder("haar")]}


def best(mask, shapes):
    return max(shapes, key=lambda k: iou(mask, shapes[k]))


def test_shapes_conversation_real(stack, tmp_path):
    scene = shapes_scene()
    s = Session(scene.pixels, db_path=tmp_path / "c.sqlite", **stack)
    r = s.ask("segment the red circle")
    assert iou(r.mask, scene.shapes["red_circle"]) > 0.9
    r = s.ask("what is right of it")
    assert best(r.mask, scene.shapes) == "blue_square" and iou(r.mask, scene.shapes["blue_square"]) > 0.8
    r = s.ask("what is under it")
    assert iou(r.mask, scene.shapes["yellow_bar"]) > 0.8
    r = s.ask("the sign that says EXIT")
    assert iou(r.mask, scene.shapes["exit_sign"]) > 0.8 and "EXIT" in r.text
    r = s.ask("the red one")
    first = best(r.mask, scene.shapes)
    r = s.ask("no, the other one")
    assert {first, best(r.mask, scene.shapes)} == {"red_circle", "small_red_square"}
    assert iou(r.mask, scene.shapes[best(r.mask, scene.shapes)]) > 0.8
    r = s.ask("how many red shapes are there?")
    assert "2 regions" in r.text
    tid = s.thread_id
    s.close()
    s2 = Session.resume(tid, db_path=tmp_path / "c.sqlite", **stack)
    r = s2.ask("the one left of it")
    assert r.mask is not None and r.timings["total"] < 30


def test_mug_handle_real(stack, tmp_path):
    scene = mug_scene()
    s = Session(scene.pixels, db_path=tmp_path / "c.sqlite", **stack)
    r = s.ask("segment the red mug")
    assert iou(r.mask, scene.shapes["mug"]) > 0.8
    r = s.ask("only its handle")
    assert iou(r.mask, scene.shapes["handle"]) > 0.5
    r = s.ask("what is under it")
    assert best(r.mask, scene.shapes) == "table"


def test_proposals_found_while_the_user_types_answer_the_turn_with_the_same_mask(stack, tmp_path):
    """prepare() goes on from the embedding to the region proposals; a turn asked at once stops that work between
    two decoder calls and computes what it needs itself; either way the answer is the one without prepare()."""
    from tools.segmenters.embedding_cache import EMBEDDING_CACHE

    scene = shapes_scene()
    answers = {}
    for how in ("cold", "prepared", "at once"):
        EMBEDDING_CACHE.clear()
        for g in stack["grounders"]:
            getattr(g, "_cache", {}).clear()
        s = Session(scene.pixels, db_path=tmp_path / f"{how}.sqlite", **stack)
        vision = s.runtime.cache.get(s.image_ref)
        if how != "cold":
            s.prepare()
        if how == "prepared":
            s.wait_prepared()
            assert vision.proposals and "propose" in vision.seconds
        r = s.ask("the yellow one")
        answers[how] = r.mask
        if how == "at once":
            assert s._prefetch is not None and not s._prefetch.is_alive()
        s.close()
    assert iou(answers["cold"], scene.shapes["yellow_bar"]) > 0.8
    assert iou(answers["prepared"], answers["cold"]) == 1.0 and iou(answers["at once"], answers["cold"]) == 1.0

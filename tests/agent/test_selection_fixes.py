"""Selection fixes: the region holding OCR text, parts outside the previous mask, background-like regions,
colour fallbacks, placeholder phrases, and questions about an earlier target (drawn scenes, fast fakes)."""
from __future__ import annotations

import numpy as np
import pytest
from agent_scenes import FakeOcr, FakeProposals, FakeSegmenter, font, mug_scene
from PIL import Image, ImageDraw

from agent.parts import part_candidates
from agent.planners.base import PlannerContext
from agent.planners.rule_based import RuleBasedPlanner
from agent.candidates.ranking import rank_by_description
from tools.grounders.region_cues import background_like, containing_proposal, sign_box
from agent.session import Session
from tools.grounders.descriptors import describe
from tools.masks import iou
from tools.regions import Region

W, H = 480, 320


def region(mask: np.ndarray, pixels: np.ndarray, rid: str, **extra) -> Region:
    attrs = describe(mask, pixels)
    attrs.update(extra)
    return Region(box=attrs["box"], score=0.9, source="proposals", mask=mask, attributes=attrs, id=rid)


def rect(x0, y0, x1, y1) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[y0:y1, x0:x1] = True
    return m


def sign_scene():
    """A green plate with white EXIT (top right), a red and a blue box below it, on a light wall."""
    img = Image.new("RGB", (W, H), (236, 232, 222))
    d = ImageDraw.Draw(img)
    d.rectangle([300, 30, 449, 89], fill=(30, 150, 70))
    d.text((318, 36), "EXIT", fill=(255, 255, 255), font=font(36))
    d.rectangle([60, 150, 160, 250], fill=(200, 35, 35))
    d.rectangle([280, 160, 420, 240], fill=(40, 70, 200))
    pixels = np.asarray(img).copy()
    text_box = [316.0, 40.0, 420.0, 80.0]
    sign = rect(300, 30, 450, 90)
    red, blue = rect(60, 150, 161, 251), rect(280, 160, 421, 241)
    composite = red | blue | rect(150, 60, 330, 200)  # a union region whose box holds the text's centre
    return pixels, text_box, sign, red, blue, composite


def test_text_holder_skips_composites_and_falls_back_to_the_sign_plate():
    pixels, text_box, sign, red, blue, composite = sign_scene()
    props = [region(composite, pixels, "c", composite=True), region(red, pixels, "r"), region(blue, pixels, "b"),
             region(rect(0, 0, W, 150), pixels, "wall")]
    assert containing_proposal(text_box, props, W, H) is None
    box = sign_box(text_box, pixels)
    assert abs(box[0] - 300) <= 2 and abs(box[1] - 30) <= 2 and abs(box[2] - 450) <= 2 and abs(box[3] - 90) <= 2
    # the sign's own mask, with the letters as holes, holds the text
    letters = np.all(pixels > 245, axis=2)
    holed = sign & ~letters
    props.append(region(holed, pixels, "sign"))
    assert containing_proposal(text_box, props, W, H).id == "sign"


class NoSignProposals(FakeProposals):
    """Flat-colour proposals minus the sign, plus a composite union over the text (what SAM gave on the desk)."""

    def regions(self, image):
        out = [r for r in super().regions(image) if not (r.box[0] >= 290 and r.box[3] <= 95)]
        pix = out[0].mask.shape
        union = np.zeros(pix, bool)
        for r in out[1:]:
            union |= r.mask
        union |= rect(150, 60, 330, 200)
        out.append(Region(box=[60, 60, 421, 251], score=0.9, source="proposals", mask=union,
                          attributes={"area_fraction": float(union.mean()), "colors": ["red", "blue"]}, id="union"))
        return out


def test_session_segments_the_sign_plate_not_a_composite(tmp_path):
    pixels, text_box, sign, *_ = sign_scene()
    s = Session(pixels, segmenter=FakeSegmenter(), grounders=[NoSignProposals(), FakeOcr({"EXIT": text_box})],
                db_path=tmp_path / "c.sqlite")
    r = s.ask("Segment the sign that says EXIT.")
    assert iou(r.mask, sign) > 0.6 and r.extra["box"][0] >= 295 and r.extra["box"][3] <= 95
    assert "plate around it" in r.text


def test_handle_outside_the_body_mask_is_the_touching_same_colour_ring():
    scene = mug_scene()
    px = scene.pixels
    props = [region(scene.shapes["body"], px, "body"), region(scene.shapes["handle"], px, "ring"),
             region(scene.shapes["table"], px, "table")]
    mask, score, why = part_candidates("handle", scene.shapes["body"], props, px)[0]
    assert iou(mask, scene.shapes["handle"]) > 0.8 and "ring" in why and "same colour" in why
    whole = part_candidates("whole", scene.shapes["body"], props, px)[0][0]
    assert iou(whole, scene.shapes["mug"]) > 0.95


def test_a_tiny_part_is_flagged_uncertain():
    m = rect(100, 100, 200, 200) | rect(200, 140, 206, 144)  # a 6x4 px bump
    mask, score, why = part_candidates("handle", m, [])[0]
    assert mask.sum() < 0.005 * m.sum() and why.startswith("uncertain") and score <= 0.3


def table_scene():
    """A brown table filling the lower 55% (touching 3 borders), a cup in the middle, a small box top left."""
    pixels = np.full((H, W, 3), (236, 232, 222), np.uint8)
    table, cup, small = rect(0, 144, W, H), rect(200, 110, 290, 200), rect(20, 20, 60, 50)
    pixels[table] = (150, 90, 40)
    pixels[cup] = (235, 235, 235)
    pixels[small] = (200, 35, 35)
    return pixels, table & ~cup, cup, small


def test_middle_skips_background_like_regions_unless_asked():
    pixels, table, cup, small = table_scene()
    props = [region(table, pixels, "table"), region(cup, pixels, "cup"), region(small, pixels, "small")]
    assert background_like(props[0], W, H) and not background_like(props[1], W, H)
    ranked = rank_by_description({"position": "center"}, props, W, H, pixels)
    assert ranked[0]["id"] == "cup" and "most central" in ranked[0]["evidence"][-1]
    assert rank_by_description({"category": "table", "target": "the table"}, props, W, H, pixels)[0]["id"] == "table"


def test_absent_colour_says_so_and_takes_the_nearest_colour():
    pixels, table, cup, small = table_scene()
    pixels = pixels.copy()
    pixels[cup] = (185, 185, 185)  # grey beside the off-white wall (the photo's white point): no region is white
    props = [region(table, pixels, "table"), region(cup, pixels, "cup"), region(small, pixels, "small")]
    top = rank_by_description({"colors": ["white"], "size": "largest"}, props, W, H, pixels)[0]
    assert top["id"] == "cup"
    text = " ".join(top["evidence"])
    assert "no region is mainly white" in text and "matching" not in text


def ask(text, memory=None):
    return RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user", "content": text}],
                                                       memory=memory or {}, image_facts={}, image_path=None))


@pytest.mark.parametrize("text,target", [
    ("Segment the thing in the middle of the picture.", "the thing in the middle"),
    ("Show me the biggest blue thing.", "the biggest blue thing"),
    ("the red ones", "the red ones"),
])
def test_placeholder_phrases_keep_noun_and_modifiers(text, target):
    assert ask(text).target == target


def test_question_naming_an_earlier_target_answers_about_it(tmp_path):
    scene = mug_scene()
    s = Session(scene.pixels, segmenter=FakeSegmenter(), grounders=[FakeProposals()], db_path=tmp_path / "c.sqlite")
    mug = s.ask("segment the red mug")
    handle = s.ask("only its handle")
    assert handle.mask.sum() < 0.5 * mug.mask.sum()
    r = s.ask("What colour is the mug?")
    assert r.text.startswith("The red mug is mostly red") and str(int(mug.mask.sum())) in r.text
    r = s.ask("what colour is it?")  # a pronoun stays with the current target (the handle)
    assert str(int(handle.mask.sum())) in r.text


def test_a_same_colour_piece_of_a_bigger_region_is_found_by_its_pixels_not_its_box():
    """A mug's body inside the mug-with-handle region is a piece of it; a red box inside is not (another colour);
    a whole three times the body's size is not its whole. The whole's box is a detector's (too small): the
    pixels decide."""
    from agent.candidates.ranking import _pieces_of_wholes

    pixels = np.full((H, W, 3), (236, 232, 222), np.uint8)
    body, handle, red = rect(200, 100, 260, 180), rect(260, 120, 280, 160), rect(210, 110, 230, 130)
    pixels[body | handle] = (30, 60, 160)
    pixels[red] = (200, 35, 35)
    mug_body, whole = region(body & ~red, pixels, "body"), region(body | handle, pixels, "whole")
    whole.box = [200.0, 100.0, 240.0, 140.0]
    red_box = region(red, pixels, "red")
    big = region(rect(150, 60, 300, 220), np.where(rect(150, 60, 300, 220)[..., None], pixels, (30, 60, 160))
                 .astype(np.uint8), "big")
    assert _pieces_of_wholes([mug_body, whole, red_box]) == {id(mug_body)}
    assert _pieces_of_wholes([mug_body, big]) == set()

"""Position and depth order among same-class regions (agent.candidates.ranking)."""
from __future__ import annotations

from agent.candidates.ranking import order_by_position, rank_order, tiny_members
from tools.regions import Region


def region(x0: float, x1: float, area_fraction: float, rid: str) -> Region:
    return Region(box=[x0, 10, x1, 90], id=rid, attributes={"area_fraction": area_fraction})


def test_a_faint_region_comes_after_the_prominent_ones_by_position():
    left, right, far = region(40, 200, 0.074, "left"), region(350, 470, 0.081, "right"), region(560, 580, 0.001, "far")
    assert [r.id for r in order_by_position([left, right, far], "right", None)] == ["right", "left", "far"]
    assert [r.id for r in order_by_position([far, right, left], "left", None)] == ["left", "right", "far"]


def test_regions_of_similar_size_keep_their_position_order():
    a, b, c = region(10, 60, 0.03, "a"), region(200, 240, 0.02, "b"), region(400, 430, 0.005, "c")
    assert [r.id for r in order_by_position([a, b, c], "right", None)] == ["c", "b", "a"]


def standing(x0: float, top: float, bottom: float, width: float, rid: str, image=(640, 480)) -> Region:
    """A figure whose box is [x0, top, x0 + width, bottom] in a 640 x 480 photo, area_fraction set."""
    frac = width * (bottom - top) / float(image[0] * image[1])
    return Region(box=[x0, top, x0 + width, bottom], id=rid, attributes={"area_fraction": frac})


def test_in_the_back_is_the_farthest_figure_one_can_make_out_not_a_speck():
    near = standing(50, 100, 470, 160, "near")          # the big one in front
    behind = standing(300, 120, 330, 70, "behind")      # smaller, feet higher: behind
    speck = standing(560, 200, 230, 12, "speck")        # a far-off passer-by, 0.4 % of the near one's box
    assert tiny_members([near, behind, speck]) == {id(speck)}
    assert [r.id for r in rank_order([near, behind, speck], None, None, "back", 640, 480)] == ["behind", "near", "speck"]
    assert [r.id for r in rank_order([speck, behind, near], None, None, "front", 640, 480)][0] == "near"


def test_two_of_a_kind_have_no_far_off_member():
    near, speck = standing(50, 100, 470, 160, "near"), standing(560, 200, 230, 12, "speck")
    assert tiny_members([near, speck]) == set()


def test_only_small_or_far_off_words_ask_for_a_far_off_figure():
    from agent.candidates.category import asks_for_tiny

    assert asks_for_tiny({"target": "the smallest boat", "size": "smallest"})
    assert asks_for_tiny({"target": "the boat in the distance"})
    assert not asks_for_tiny({"target": "the woman in the orange jacket in the back", "depth": "back"})


def test_way_back_on_the_left_is_the_small_far_figure_not_the_big_one_in_front():
    """The chef fills the middle; a woman is seen over his shoulder; a small lady stands far back on the left.
    By position alone the small one would come last (faint); with "back" she is the one meant."""
    chef = standing(110, 27, 467, 252, "chef")
    over_shoulder = standing(182, 123, 217, 71, "over_shoulder")
    far_left = standing(18, 144, 216, 85, "far_left")
    ordered = rank_order([chef, over_shoulder, far_left], "left", None, "back", 640, 480)
    assert ordered[0].id == "far_left"
    assert order_by_position([chef, over_shoulder, far_left], "left", None)[0].id == "chef"  # both others faint


def test_of_two_the_one_on_the_named_side_is_meant_at_any_size():
    """coco_tiny 359937: a bus filling the photo and a small one cut off at the right edge; "the bus on the right"
    is the small one (a faint region comes last only among three or more)."""
    big, small = region(45, 578, 0.6, "big"), region(565, 639, 0.03, "small")
    assert order_by_position([big, small], "right", None)[0].id == "small"
    assert order_by_position([big, small, region(0, 40, 0.02, "third")], "right", None)[0].id == "big"


def test_when_nearly_all_are_small_the_small_ones_are_not_passed_over():
    """coco_tiny 161799: one skater close up in the air, four small ones around the park; "the boy on the right" is
    the small one at the right edge, not the close-up jumper."""
    jumper = region(193, 305, 0.061, "jumper")
    small = [region(582, 608, 0.006, "right"), region(49, 68, 0.003, "a"), region(134, 156, 0.004, "b"),
             region(595, 619, 0.005, "right2")]
    assert order_by_position([jumper, *small], "right", None)[0].id == "right2"

"""Position order among same-class regions (agent.candidates.ranking.order_by_position)."""
from __future__ import annotations

from agent.candidates.ranking import order_by_position
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

import numpy as np
import pytest

from tools.grounders.relations import nearest, related, relation_graph
from tools.masks import bbox
from tools.regions import Region


def _region(mask, i):
    return Region(box=bbox(mask), mask=mask, id=f"r{i}")


@pytest.fixture
def layout():
    h, w = 300, 400
    boxes = {"r0": (100, 200, 20, 120), "r1": (100, 200, 120, 220), "r2": (130, 170, 150, 190), "r3": (10, 50, 300, 390)}
    regions = []
    for i, (y0, y1, x0, x1) in enumerate(boxes.values()):
        m = np.zeros((h, w), bool)
        m[y0:y1, x0:x1] = True
        regions.append(_region(m, i))
    return regions


def test_relations_on_known_layout(layout):
    g = relation_graph(layout)
    assert set(g.nodes) == {"r0", "r1", "r2", "r3"}
    assert {"left_of", "touching"} <= g["r0"]["r1"]["relations"]
    assert "overlaps" not in g["r0"]["r1"]["relations"]
    assert {"contains", "larger_than"} <= g["r1"]["r2"]["relations"]
    assert "inside" in g["r2"]["r1"]["relations"]
    assert {"above", "right_of"} <= g["r3"]["r0"]["relations"]
    assert "touching" not in g["r3"]["r0"]["relations"]
    assert related(g, "r1", "left_of") == ["r0"]
    assert related(g, "r1", "inside") == ["r2"]
    assert related(g, "r2", "contains") == ["r1"]
    assert related(g, "r0", "above") == ["r3"]
    assert related(g, "nope", "above") == []
    with pytest.raises(ValueError):
        related(g, "r0", "behind")


def test_box_only_regions_and_overlap():
    a = Region(box=[0, 0, 50, 50], id="a")
    b = Region(box=[30, 30, 80, 80], id="b")
    g = relation_graph([a, b])
    assert "overlaps" in g["a"]["b"]["relations"] and "touching" in g["a"]["b"]["relations"]
    assert "left_of" in g["a"]["b"]["relations"] and "above" in g["a"]["b"]["relations"]


def test_nearest(layout):
    assert [r.id for r in nearest(layout, "r1")] == ["r2", "r0", "r3"]
    with pytest.raises(ValueError):
        nearest(layout, "zzz")

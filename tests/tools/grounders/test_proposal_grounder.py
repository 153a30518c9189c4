import numpy as np
import pytest

from grounder_fakes import real_segmenter_or_skip
from tools.grounders.proposals import ProposalGrounder, deduplicate, mask_iou_matrix
from tools.masks import iou


def _best(regions, masks, name):
    return iou(regions[0].mask, masks[name])


def test_regions_descriptors_dedup_background_and_cache(shapes_image, fake_segmenter):
    pixels, masks = shapes_image
    g = ProposalGrounder(fake_segmenter)
    regions = g.regions(pixels)
    assert len(regions) == 5  # 4 shapes + background; the near-duplicate is gone
    assert [r.id for r in regions] == ["r0", "r1", "r2", "r3", "r4"]
    assert regions[0].attributes["background"] and regions[0].attributes["area_rank"] == 1
    assert all(r.source == "proposals" and r.mask is not None for r in regions)
    assert all({"colors", "position", "size", "shape", "area_fraction", "summary"} <= set(r.attributes) for r in regions)
    g.regions(pixels.copy())
    assert fake_segmenter.propose_calls == 1
    assert len(g.regions(pixels, include_background=False)) == 4


@pytest.mark.parametrize("query,expected", [
    ("the red thing", "red"),
    ("the blue square", "blue"),
    ("the biggest object", "blue"),
    ("the smallest one", "yellow"),
    ("the thing in the top right", "yellow"),
    ("the round one", "red"),
    ("the long green bar in the middle", "green"),
    ("the object on the left", "red"),
    ("the yellow one", "yellow"),
])
def test_ground_ranks_by_descriptors(shapes_image, fake_segmenter, query, expected):
    pixels, masks = shapes_image
    ranked = ProposalGrounder(fake_segmenter).ground(pixels, query)
    assert len(ranked) == 4  # background left out
    assert _best(ranked, masks, expected) > 0.95, [(r.attributes["summary"], r.score) for r in ranked]
    assert ranked[0].score >= ranked[-1].score and 0.0 <= ranked[-1].score <= ranked[0].score <= 1.0


def test_background_only_when_asked(shapes_image, fake_segmenter):
    pixels, _ = shapes_image
    pixels = np.where((pixels == 205).all(axis=2, keepdims=True), np.uint8(150), pixels)  # mid gray: the fixture's
    # light gray is the brightest neutral of its photo, so it reads white (descriptors.white_point)
    ranked = ProposalGrounder(fake_segmenter).ground(pixels, "the gray background")
    assert ranked[0].attributes["background"] and ranked[0].attributes["colors"][0] == "gray"


def test_graph_uses_region_ids(shapes_image, fake_segmenter):
    pixels, masks = shapes_image
    g = ProposalGrounder(fake_segmenter)
    graph = g.graph(pixels)
    ids = {r.attributes["colors"][0]: r.id for r in g.regions(pixels)}
    assert "left_of" in graph[ids["red"]][ids["blue"]]["relations"]
    assert "above" in graph[ids["yellow"]][ids["blue"]]["relations"]
    assert g.graph(pixels) is graph


def test_dedup_helpers():
    a = np.zeros((50, 50), bool)
    a[10:30, 10:30] = True
    b = np.zeros((50, 50), bool)
    b[30:40, 30:40] = True
    m = mask_iou_matrix([a, a, b])
    assert m[0, 1] == pytest.approx(1.0) and m[0, 2] == 0.0


@pytest.mark.slow
def test_real_mobile_sam_proposals_find_the_shapes(shapes_image):
    seg = real_segmenter_or_skip()
    pixels, masks = shapes_image
    g = ProposalGrounder(seg, points_per_side=4)  # 16 prompts: each shape holds a grid point
    regions = g.regions(pixels)
    assert regions
    for name in ("red", "blue"):
        best = max(iou(r.mask, masks[name]) for r in regions)
        assert best > 0.8, (name, best)
    ranked = g.ground(pixels, "the red round thing")
    assert iou(ranked[0].mask, masks["red"]) > 0.8
    ranked = g.ground(pixels, "the blue one on the right")
    assert iou(ranked[0].mask, masks["blue"]) > 0.8


class _Detections:
    """A detector stand-in: detect(image) -> the given regions."""

    def __init__(self, regions):
        self.found = regions

    def detect(self, image):
        return self.found


def test_confident_detections_seed_the_proposals(shapes_image, fake_segmenter):
    from tools.grounders.proposals import SEED_MIN_SCORE
    from tools.regions import Region

    pixels, _ = shapes_image
    found = [Region(box=[10.0, 20.0, 60.0, 80.0], score=SEED_MIN_SCORE + 0.1, label="cup", source="detector"),
             Region(box=[0.0, 0.0, 5.0, 5.0], score=SEED_MIN_SCORE - 0.1, label="cup", source="detector")]
    ProposalGrounder(fake_segmenter, detector=_Detections(found)).regions(pixels)
    assert fake_segmenter.seed_boxes.tolist() == [[10.0, 20.0, 60.0, 80.0]]
    ProposalGrounder(fake_segmenter, detector=_Detections(found[1:])).regions(pixels.copy() // 2)
    assert fake_segmenter.seed_boxes is None  # nothing confident: the grid alone


def test_regions_within_a_box_are_cached_per_box_and_named_apart(shapes_image, fake_segmenter):
    pixels, _ = shapes_image
    g = ProposalGrounder(fake_segmenter)
    first = g.regions_within(pixels, [10.0, 10.0, 60.0, 60.0])
    again = g.regions_within(pixels, [10.0, 10.0, 60.0, 60.0])
    other = g.regions_within(pixels, [0.0, 0.0, 30.0, 30.0])
    assert first is again and fake_segmenter.propose_calls == 2
    assert all(r.id.startswith("b0.") for r in first) and all(r.id.startswith("b1.") for r in other)


def test_at_most_seed_max_detections_seed_the_proposals_the_most_confident(shapes_image, fake_segmenter):
    from tools.grounders.proposals import SEED_MAX, SEED_MIN_SCORE
    from tools.regions import Region

    pixels, _ = shapes_image
    found = [Region(box=[float(i), 0.0, i + 5.0, 5.0], score=SEED_MIN_SCORE + 0.01 * i, label="cup", source="detector")
             for i in range(SEED_MAX + 5)]
    ProposalGrounder(fake_segmenter, detector=_Detections(found)).regions(pixels)
    assert sorted(b[0] for b in fake_segmenter.seed_boxes.tolist()) == [float(i) for i in range(5, SEED_MAX + 5)]

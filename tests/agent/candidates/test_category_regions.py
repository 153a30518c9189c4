"""agent.candidates.category.category_regions: which detections of a class are its instances."""
from agent.candidates.category import WEAK_PEER_SHARE, category_regions
from tools.regions import Region


class Detections:
    """The one runtime method category_regions calls, over fixed regions."""

    def __init__(self, scores):
        self.hits = [Region(box=[10.0 * i, 0.0, 10.0 * i + 8, 8.0], score=s, id=f"d{i}", label="car")
                     for i, s in enumerate(scores)]

    def detect_category(self, vision, category):
        return list(self.hits)


def test_confident_detections_are_the_instances():
    regions, weak = category_regions("car", None, Detections([0.8, 0.5, 0.2]))
    assert [r.id for r in regions] == ["d0", "d1"] and not weak


def test_without_depth_words_only_the_best_weak_detection_is_offered():
    regions, weak = category_regions("car", None, Detections([0.27, 0.25, 0.2]))
    assert [r.id for r in regions] == ["d0"] and weak


def test_depth_words_keep_the_weak_peers_for_the_depth_order_to_choose():
    floor = WEAK_PEER_SHARE * 0.27
    regions, weak = category_regions("car", None, Detections([0.27, 0.25, floor + 0.01, floor - 0.01]),
                                     weak_peers=True)
    assert [r.id for r in regions] == ["d0", "d1", "d2"] and weak


def test_a_weak_detection_on_the_named_side_joins_a_lone_confident_one_on_the_other():
    """ "the sandwich on the right" when the one confident sandwich is on the left: the best weak one on the right
    is a second instance for the position order; none is added when the confident one is on that side already."""
    from types import SimpleNamespace

    from agent.candidates.category import OTHER_SIDE_SCORE, other_side

    vision = SimpleNamespace(image=SimpleNamespace(width=640, height=480))
    left = Region(box=[95, 138, 310, 282], score=0.47, id="left", label="sandwich")
    right = Region(box=[293, 173, 431, 272], score=0.24, id="right", label="sandwich")
    faint = Region(box=[500, 173, 600, 272], score=OTHER_SIDE_SCORE - 0.01, id="faint", label="sandwich")

    class Runtime:
        def detect_category(self, vision, category):
            return [left, right, faint]

    assert [r.id for r in other_side([left], "right", "sandwich", None, vision, Runtime())] == ["right"]
    assert other_side([left], "left", "sandwich", None, vision, Runtime()) == []
    assert other_side([right], "right", "sandwich", None, vision, Runtime()) == []

"""Metrics against hand-computed cases."""
import math

import numpy as np
import pytest

from evals.metrics import SegTally, distinct_n, focus_agreement, grouped_segmentation, head_noun, turn_overlap
from evals.metrics.text import text_metrics


def _box(h, w, y0, y1, x0, x1):
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = True
    return m


def _three_turns():
    a = turn_overlap(_box(10, 10, 0, 2, 0, 2), _box(10, 10, 0, 2, 0, 4))   # inter 4, union 8
    b = turn_overlap(None, _box(10, 10, 5, 7, 5, 7))                      # no mask: inter 0, union 4
    c = turn_overlap(np.zeros((10, 10), bool), np.zeros((10, 10), bool))  # empty union
    return a, b, c


def test_turn_overlap_counts():
    a, b, c = _three_turns()
    assert (a["intersection"], a["union"], a["pred_area"], a["ref_area"]) == (4, 8, 4, 8)
    assert a["iou"] == 0.5 and not a["empty_prediction"]
    assert (b["intersection"], b["union"], b["iou"], b["empty_prediction"]) == (0, 4, 0.0, True)
    assert c["iou"] == 1.0 and c["union"] == 0


def test_ciou_and_giou_differ_and_match_hand_values():
    tally = SegTally()
    for t in _three_turns():
        tally.add(t)
    s = tally.summary()
    assert s["turns"] == 3
    assert math.isclose(s["ciou"], 4 / 12)
    assert math.isclose(s["giou"], (0.5 + 0.0 + 1.0) / 3)
    assert s["ciou"] != s["giou"]
    assert math.isclose(s["precision"], 1.0)
    assert math.isclose(s["recall"], 4 / 12)
    assert math.isclose(s["f1"], 2 * 1.0 * (1 / 3) / (1 + 1 / 3))
    assert math.isclose(s["iou_at_0.5"], 2 / 3)
    assert s["empty_predictions"] == 2


def test_empty_prediction_is_never_skipped():
    only_hit = SegTally()
    only_hit.add(_three_turns()[0])
    with_miss = SegTally()
    with_miss.add(_three_turns()[0])
    with_miss.add(_three_turns()[1])
    assert with_miss.summary()["turns"] == 2
    assert with_miss.summary()["giou"] < only_hit.summary()["giou"]
    assert with_miss.summary()["ciou"] < only_hit.summary()["ciou"]


def test_shape_mismatch_raises():
    with pytest.raises(ValueError):
        turn_overlap(np.zeros((5, 5), bool), np.zeros((6, 5), bool))


def test_grouping_by_position():
    a, b, c = _three_turns()
    rows = [dict(a, position=1), dict(b, position=2), dict(c, position=2)]
    groups = grouped_segmentation(rows, lambda r: [f"p{r['position']}"])
    assert groups["p1"]["giou"] == 0.5
    assert math.isclose(groups["p2"]["giou"], 0.5) and groups["p2"]["ciou"] == 0.0


def test_distinct_n():
    assert distinct_n(["a b a b"], 1) == 0.5          # {a, b} / 4
    assert math.isclose(distinct_n(["a b a b"], 2), 2 / 3)  # {ab, ba} / 3
    assert distinct_n([], 1) == 0.0


def test_bleu_rouge_identical_vs_unrelated():
    same = text_metrics(["the red mug is on the left"], ["the red mug is on the left"], meteor=False)
    other = text_metrics(["completely unrelated words here"], ["the red mug is on the left"], meteor=False)
    assert same["bleu4"] > 0.99 and same["rouge_l"] > 0.99
    assert other["bleu1"] < 0.05 and other["rouge_l"] == 0.0
    assert other["meteor"] is None and "skipped" in other["meteor_note"]


def test_text_metrics_handle_empty_hypothesis():
    out = text_metrics(["", "a red cup"], ["a red cup", "a red cup"], meteor=False)
    assert 0 < out["bleu1"] < 1


@pytest.mark.slow
def test_meteor_offline_or_clear_note():
    out = text_metrics(["the red cup is on a table"], ["a red cup on the table"])
    if out["meteor"] is None:
        assert out["meteor_note"].startswith("METEOR unavailable")
    else:
        assert 0.2 < out["meteor"] < 1.0


def test_focus_agreement():
    exact = focus_agreement("loose papers on the table", "Loose papers on table")
    assert exact["token_f1"] == 1.0 and exact["head_match"] == 1.0 and exact["score"] == 1.0
    partial = focus_agreement("the papers", "Loose papers on table")   # tokens {paper} vs {loose, paper, table}
    assert math.isclose(partial["token_f1"], 2 * 1 * (1 / 3) / (1 + 1 / 3))
    assert partial["head_match"] == 1.0
    wrong = focus_agreement("the typewriter", "Loose papers on table")
    assert wrong["score"] == 0.0
    assert focus_agreement(None, "Apple logo")["score"] == 0.0


def test_head_noun_skips_quotes_and_prepositions():
    assert head_noun("Coca-Cola logo on the can") == "logo"
    assert head_noun("The bib's text 'My mom is hot.'") == "text"
    assert head_noun("SPACEBAR and numerical buttons") == "button"

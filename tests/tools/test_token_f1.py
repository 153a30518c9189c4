"""tools.token_f1: the one token F1 of the planner's focus agreement and the evals' intent metric."""
from __future__ import annotations

import pytest

from tools.token_f1 import token_f1


@pytest.mark.parametrize("predicted, reference, expected", [
    (["loose", "paper"], ["loose", "paper", "table"], 0.8),
    (["dog", "dog"], ["dog"], 2 * 0.5 * 1.0 / 1.5),  # a repeat counts once when the reference has it once
    (["cat"], ["dog"], 0.0),
    ([], ["dog"], 0.0),
    ([], [], 1.0),
])
def test_token_f1(predicted, reference, expected):
    assert token_f1(predicted, reference) == pytest.approx(expected)


def test_planner_and_metric_share_the_measure():
    from agent.planners.focus import focus_f1
    from evals.metrics.intent import focus_agreement

    assert focus_f1("the loose papers", "Loose papers on table") == pytest.approx(0.8)
    assert focus_agreement("the loose papers", "Loose papers on table")["token_f1"] == pytest.approx(0.8)
    assert focus_agreement(None, "Loose papers on table")["score"] == 0.0

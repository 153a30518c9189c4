"""Token F1: the overlap of two bags of words, the one measure behind the planner's focus agreement
(agent.planners.focus) and the evals' intent metric (evals.metrics.intent). Each caller tokenises with its own
stop words; the plural rule is tools.vocabulary.singular for both."""
from __future__ import annotations

from collections import Counter
from typing import Sequence


def token_f1(predicted: Sequence[str], reference: Sequence[str]) -> float:
    """F1 in [0, 1] of two token lists, repeats counted as often as both have them; 1.0 when both are empty,
    0.0 when only one is."""
    if not predicted or not reference:
        return float(not predicted and not reference)
    common = sum((Counter(predicted) & Counter(reference)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(reference)
    return 2 * precision * recall / (precision + recall)

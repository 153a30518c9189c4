"""A "what is on / what is she holding" answer names a detection's class with its score, and never gives a region
proposal a class or a detector score (a proposal is outlined, said to be unnamed)."""
from __future__ import annotations

import numpy as np

from agent.candidates.record import candidate
from agent.explain import what_answer
from tools.regions import Region


def _proposal() -> dict:
    mask = np.zeros((40, 60), bool)
    mask[5:20, 10:30] = True
    region = Region(box=[10, 5, 30, 20], score=0.93, label="region", source="proposals", mask=mask)
    return candidate(region, 2.4, ["region (predicted IoU 0.93)"], cid="p3")


def _detection(label: str, score: float) -> dict:
    region = Region(box=[10, 5, 30, 20], score=score, label=label, source="detector:nanodet")
    return candidate(region, 2.0 + score, [f"{label} (detector {score:.2f})"], needs_mask=True, cid="d0",
                     detector_score=score)


def test_a_proposal_is_said_to_be_unnamed_without_a_detector_score():
    said = what_answer("On the tray there is", _proposal(), [_proposal()])
    assert said == "On the tray there is something none of my detectors can name; I outlined the likeliest region."
    assert "(detector" not in said and "region (" not in said


def test_an_unsure_detection_is_said_with_the_next_classes():
    ranked = [_detection("donut", 0.24), _detection("orange", 0.2), _detection("donut", 0.1)]
    assert what_answer("He is eating", ranked[0], ranked) == \
        "He is eating a donut (detector 0.24), a guess: it may also be an orange."
    assert what_answer("He is eating", _detection("pizza", 0.8), []) == "He is eating a pizza (detector 0.80)."


def test_what_someone_drinks_is_drunk_from():
    from agent.candidates.held import held_answer

    assert held_answer("she", "drinking", _detection("cup", 0.8), []) == "She is drinking from a cup (detector 0.80)."
    assert held_answer("he", "holding", _detection("cup", 0.8), []) == "He is holding a cup (detector 0.80)."

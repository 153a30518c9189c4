"""The answer to "who is she?" about a person's mask: nobody is recognised, so it says so and then what is seen of
them: the face's gender and age estimates (said as estimates), the pose from body keypoints and the colours where
clothes are (agent.worn_answers.wearing_answer).

    who_answer("the woman", mask, vision, runtime)
    -> "I can't tell who the woman is: I don't recognise people. By a face estimate (estimates only): female (0.84),
        about 31 years; by the body keypoints the woman looks standing (0.71). By colour where clothes are on ..."
"""
from __future__ import annotations

import numpy as np

from agent.candidates.people import facts_for_mask, pose_said
from agent.worn_answers import wearing_answer


def who_answer(owner: str, mask: np.ndarray, vision, runtime) -> str:
    """owner: the person's phrase ("the woman"); mask: bool (H, W) of that person."""
    facts = facts_for_mask(mask, vision, runtime)
    seen = []
    face = facts.face if facts is not None else None
    if face is not None:
        gender = f"{face.gender} ({face.gender_confidence:.2f}), " if face.gender else ""
        seen.append(f"by a face estimate (estimates only): {gender}about {face.age:.0f} years")
    if facts is not None and facts.pose:
        seen.append(pose_said(owner, facts))
    said = "; ".join(seen)
    said = f" {said[0].upper()}{said[1:]}." if said else ""
    return f"I can't tell who {owner} is: I don't recognise people.{said} {wearing_answer(owner, mask, vision, runtime)}"

"""The answer to "what is he doing?" about a person's mask, from what the embedded stack can read: the pose from
body keypoints, what the person rides (a horse, a bike, a board under them) and what they hold (a detection at
their hand or lying on them), said with the evidence, followed by what is not read (other actions).

    activity_answer("the man", mask, vision, runtime)
    -> "By the body keypoints the man looks standing (0.71); a tennis racket (detector 0.82) is at their hand, so
        they may be holding it. I can't tell other actions: I read a person's pose and what they hold or ride."
"""
from __future__ import annotations

import numpy as np

from agent.candidates.held import HELD_MIN_SCORE, anchor_points, held_regions, point_nearness
from agent.candidates.people import facts_for_mask, pose_said
from agent.explain import article
from tools.masks import bbox
from tools.people.words import VERB_THINGS

WHAT_IS_READ = "I can't tell other actions: I read a person's pose and what they hold or ride."


def activity_answer(owner: str, mask: np.ndarray, vision, runtime) -> str:
    """owner: the person's phrase ("the man"); mask: bool (H, W) of that person."""
    facts = facts_for_mask(mask, vision, runtime)
    box = [float(v) for v in bbox(mask)]
    detections = runtime.all_detections(vision)
    wrists, _ = anchor_points(facts, None)
    said = []
    if facts is not None and facts.pose:
        said.append(pose_said(owner, facts))
    ridden = [d for _, d, _ in held_regions(box, detections, None, wrists, "riding")
              if d.label in VERB_THINGS["riding"] and d.score >= HELD_MIN_SCORE]
    if ridden:
        said.append(f"{article(ridden[0].label)} (detector {ridden[0].score:.2f}) is under {owner}, so they may be "
                    f"riding it")
    held = [d for _, d, _ in held_regions(box, detections, None, wrists, "holding")
            if d.label not in VERB_THINGS["riding"] and d.score >= HELD_MIN_SCORE]
    if held:
        at_hand = bool(wrists) and point_nearness(held[0].box, wrists, 0.25 * (box[3] - box[1])) > 0.5
        verb = "carrying" if held[0].label in VERB_THINGS["carrying"] else "holding"
        said.append(f"{article(held[0].label)} (detector {held[0].score:.2f}) is "
                    f"{'at their hand' if at_hand else 'on them'}, so they may be {verb} it")
    if not said:
        return f"I can't tell what {owner} is doing: I find no body keypoints on them and nothing they hold or ride."
    text = "; ".join(said)
    return f"{text[0].upper()}{text[1:]}. {WHAT_IS_READ}"

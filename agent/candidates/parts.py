"""Refine to a part: halves, centre and named parts of the previous target's mask (agent.parts)."""
from __future__ import annotations

import numpy as np

from agent.candidates.record import Candidate, mask_candidate
from agent.memory import current_target, record_of_turn, target_mask
from agent.parts import BODY_PARTS, needs_regions, part_candidates
from tools.masks import bbox


def _face_head(person: np.ndarray, vision, runtime) -> list[tuple[np.ndarray, float, str]]:
    """The head from a frontal face the Haar cascade finds in the person's upper half: the face box widened by
    a fifth each side and raised by 0.45 of its height, cut to the person's mask; [] without such a face."""
    if "haar" not in runtime.grounders:
        return []
    x0, y0, x1, y1 = bbox(person)
    faces = [f for f in runtime.detect(vision, "haar", "face")
             if x0 <= (f.box[0] + f.box[2]) / 2 <= x1 and y0 <= (f.box[1] + f.box[3]) / 2 <= y0 + 0.6 * (y1 - y0)
             and person[int((f.box[1] + f.box[3]) / 2), int((f.box[0] + f.box[2]) / 2)]]
    if not faces:
        return []
    f = max(faces, key=lambda r: (r.box[2] - r.box[0]) * (r.box[3] - r.box[1]))
    fw, fh = f.box[2] - f.box[0], f.box[3] - f.box[1]
    box = np.zeros_like(person)
    box[max(int(f.box[1] - 0.45 * fh), 0):int(f.box[3]), max(int(f.box[0] - 0.2 * fw), 0):int(f.box[2] + 0.2 * fw)] = True
    head = person & box
    if not head.any():
        return []
    return [(head, 0.85, f"the head: around the face the Haar cascade found ({f.score:.2f}), inside the person's mask")]


LIMBS = frozenset(p for p in BODY_PARTS if p.split()[-1] in ("arms", "hands", "legs", "feet", "arm", "hand", "leg", "foot"))


def keypoint_part_masks(part: str, person: np.ndarray, vision, runtime) -> list[tuple[np.ndarray, float, str]] | None:
    """The part from the person's body keypoints (tools.people.parts), cut to their mask; [] without keypoints
    for this person; None when their keypoints are seen but not this limb's (it is hidden or out of frame)."""
    from agent.candidates.people import facts_for_mask
    from tools.people.parts import keypoint_part

    facts = facts_for_mask(person, vision, runtime)
    if facts is None:
        return []
    found = keypoint_part(part, facts.keypoints, person)
    if found is None:
        return None if part in LIMBS else []
    return [(found[0], 0.9, f"the {part}: {found[1]}, inside the person's mask")]


def refine_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """Part masks of the previous target, best first; None when there is no previous mask (search as new)."""
    owner = record_of_turn(memory, intent.get("reference")) or current_target(memory)  # "her head": her record
    prev = target_mask(owner)
    if prev is None:
        return None
    out = []
    part = intent.get("part") or "top half"
    proposals = runtime.part_regions(vision, prev) if needs_regions(part) else []
    parts = part_candidates(part, prev, proposals, vision.image.pixels)
    if part in BODY_PARTS:
        from_keypoints = keypoint_part_masks(part, prev, vision, runtime)
        if from_keypoints is None:  # the person's keypoints are seen but not this limb: hidden or out of frame
            return []
        parts = from_keypoints + parts
    if part == "head" and len(parts) == 1:  # no keypoints for the head: a Haar face, then the band
        parts = _face_head(prev, vision, runtime) + parts
    for i, (m, score, why) in enumerate(parts):
        if not m.any():
            continue
        out.append(mask_candidate(f"t{turn}:part{i}", m, score, intent.get("part"), "part", [why],
                                  uncertain=why.startswith("uncertain")))
    return out

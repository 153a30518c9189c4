"""Refine to a part: halves, centre and named parts of the previous target's mask (agent.parts)."""
from __future__ import annotations

from agent.candidates.record import Candidate, mask_candidate
from agent.memory import current_target, record_of_turn, target_mask
from agent.parts import BODY_PARTS, part_candidates
from tools.masks import bbox


def refine_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """Part masks of the previous target, best first; None when there is no previous mask (search as new)."""
    owner = record_of_turn(memory, intent.get("reference")) or current_target(memory)  # "her head": her record
    prev = target_mask(owner)
    if prev is None:
        return None
    out = []
    part = intent.get("part") or "top half"
    proposals = [] if part in BODY_PARTS else runtime.proposals(vision)  # body parts are bands: no proposals
    parts = part_candidates(part, prev, proposals, vision.image.pixels)
    for i, (m, score, why) in enumerate(parts):
        if not m.any():
            continue
        cid = f"t{turn}:part{i}"
        vision.masks[cid] = m
        out.append(mask_candidate(cid, bbox(m), score, intent.get("part"), "part", [why],
                                  uncertain=why.startswith("uncertain")))
    return out

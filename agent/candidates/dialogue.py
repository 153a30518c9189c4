"""Segment from the dialogue: the closing request takes the mask of the target the dialogue settled on."""
from __future__ import annotations

from agent.candidates.record import Candidate, mask_candidate
from agent.memory import record_of_turn, target_mask
from tools.masks import bbox


def settled_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """The settled turn's mask as the one candidate; None when the reference names no earlier mask."""
    record = record_of_turn(memory, intent.get("reference"))
    settled = target_mask(record)
    if settled is None or not settled.any():
        return None
    cid = f"t{turn}:settled"
    vision.masks[cid] = settled
    return [mask_candidate(cid, bbox(settled), 1.0, record.get("phrase"), "memory",
                           [f"the target the dialogue settled on ({record.get('phrase')}, turn {record.get('turn')})"])]

"""Segment from the dialogue: the closing request takes the mask of the target the dialogue settled on."""
from __future__ import annotations

from agent.candidates.record import Candidate, mask_candidate
from agent.memory import record_of_turn, target_mask


def settled_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """The settled turn's mask as the one candidate; None when the reference names no earlier mask."""
    record = record_of_turn(memory, intent.get("reference"))
    settled = target_mask(record)
    if settled is None or not settled.any():
        return None
    return [mask_candidate(f"t{turn}:settled", settled, 1.0, record.get("phrase"), "memory",
                           [f"the target the dialogue settled on ({record.get('phrase')}, turn {record.get('turn')})"])]

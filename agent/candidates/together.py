"""Together: "both of them", "all of them" after naming things one by one: the union of the earlier targets'
masks (intent.reference "turns:2,3"), as one candidate."""
from __future__ import annotations

from agent.candidates.record import Candidate, mask_candidate
from agent.memory import TURNS_PREFIX, record_of_turn, target_mask, turn_reference


def union_candidates(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    """The union of the referenced turns' masks; None when fewer than two of them have a mask."""
    numbers = str(intent.get("reference") or "").removeprefix(TURNS_PREFIX).split(",")
    records = [record_of_turn(memory, turn_reference(int(n))) for n in numbers if n.strip().isdigit()]
    masks = [(r, target_mask(r)) for r in records if r is not None]
    masks = [(r, m) for r, m in masks if m is not None and m.any()]
    if len(masks) < 2:
        return None
    union = masks[0][1].copy()
    for _, m in masks[1:]:
        union |= m
    names = " and ".join(str(r.get("phrase")) for r, _ in masks)
    return [mask_candidate(f"t{turn}:together", union, 1.0, None, "memory", [f"together: {names} (earlier turns' masks)"])]

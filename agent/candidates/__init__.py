"""Candidate searches: the regions a turn could settle on, one module per kind of search.

`gather(intent, memory, vision, runtime, turn) -> list[Candidate]` (best first) dispatches on the intent kind:

  segment_from_dialogue  dialogue.settled_candidates   the mask the dialogue settled on
  correct                correct.redo_search           the rejected search again, minus rejected picks (when
                                                       nothing is left: region proposals minus rejected picks,
                                                       unless a bare "the other one" of a detector class)
  refine_part            parts.refine_candidates       parts of the previous mask
  relate                 relate.relate_candidates      things in a relation to a reference
  (reference "turns:2,3") together.union_candidates    "both of them": the earlier targets' masks joined
  (all, and the fallbacks of the above)  describe.describe_candidates   text -> detector -> Haar -> proposals

A search returning None hands over to the next one in that order ("relate" with no reference searches as a new
target). Searches only read the image's facts: a mask they make from the conversation (a part, a union) travels
in the candidate as RLE (record.candidate_mask reads either); detector and OCR candidates carry needs_mask (box
prompts, segmented once per image by the runtime).
`count_matching` serves "how many ...?" questions.
"""
from __future__ import annotations

from typing import Callable

from agent.candidates.category import detector_category, implied_category, shows_colour
from agent.candidates.correct import exclude_previous, redo_search
from agent.candidates.count import count_matching
from agent.candidates.describe import describe_candidates, proposal_candidates
from agent.candidates.dialogue import settled_candidates
from agent.candidates.parts import refine_candidates
from agent.candidates.record import Candidate
from agent.candidates.relate import relate_candidates
from agent.candidates.together import union_candidates
from agent.memory import TURNS_PREFIX

Search = Callable[..., "list[Candidate] | None"]


def _correct(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate] | None:
    return redo_search(intent, memory, vision, runtime, turn, gather, fallback=proposal_candidates)


SEARCHES: dict[str, Search] = {
    "segment_from_dialogue": settled_candidates,
    "correct": _correct,
    "refine_part": refine_candidates,
    "relate": relate_candidates,
}


def gather(intent: dict, memory: dict, vision, runtime, turn: int) -> list[Candidate]:
    """Candidates for this turn's intent, best first (see the module docstring)."""
    if intent["kind"] == "filter_attribute" and runtime.has_detector() and not detector_category(intent, runtime):
        implied = implied_category(memory, vision, runtime)
        if implied and intent.get("colors") and not shows_colour(implied, intent["colors"], vision, runtime):
            implied = None  # "the white stuff in the middle" among carrots: something white, searched by colour
        if implied:  # "the one on the left" in a photo of three elephants: an elephant
            found = describe_candidates({**intent, "category": implied}, vision, runtime, turn)
            for c in found:
                c["evidence"] = [*c["evidence"], f"no noun named: read as {implied}, the class the photo shows several of"]
            return found
    search = union_candidates if str(intent.get("reference") or "").startswith(TURNS_PREFIX) else \
        SEARCHES.get(intent["kind"])
    found = search(intent, memory, vision, runtime, turn) if search else None
    if found is not None:
        return found
    out = describe_candidates(intent, vision, runtime, turn)
    if intent["kind"] == "correct" or intent.get("exclude_previous"):
        out = exclude_previous(out, memory, vision)
    return out


__all__ = ["Candidate", "SEARCHES", "count_matching", "gather"]

"""Correct: "no, the other one" repeats the search that produced the rejected pick (same intent, the memory
as it was then, plus any new cue words of the correction), minus the rejected regions."""
from __future__ import annotations

from typing import Callable

from agent.candidates.category import category_candidates, detector_category
from agent.candidates.record import Candidate, candidate_mask
from agent.memory import current_target, excluded_ids, record_of_turn, target_mask
from tools.masks import box_iou
from tools.vocabulary import coco_category

CUE_KEYS = ("colors", "position", "size", "shape", "category", "text_cue")


def repeated_search(intent: dict, memory: dict) -> tuple[dict, dict, bool] | None:
    """(the rejected turn's intent with the correction's cues, the memory as it was then, whether the correction
    named a cue the rejected turn did not have); None when there is nothing to repeat."""
    history = (memory or {}).get("history") or []
    idx = len(history) - 1
    while idx > 0 and history[idx].get("kind") == "correct":
        idx -= 1
    if idx < 0 or not history[idx].get("intent"):
        return None
    base = dict(history[idx]["intent"])
    if base.get("kind") in (None, "correct", "answer_only"):
        return None
    carried = (current_target(memory) or {}).get("category")  # the planner carries the current category over
    new_cue = any(intent.get(k) and intent[k] != base.get(k) and not (k == "category" and intent[k] == carried)
                  for k in CUE_KEYS)
    if new_cue:  # "no wait, the other guy, left one": the rejected turn's words described the rejected pick, so
        # only its kind carries over ("the guy", not "the guy in the white shirt")
        base.update({k: intent.get(k) for k in (*CUE_KEYS, "garment", "depth", "pose") if k != "category"})
        named = intent.get("category") if coco_category(intent.get("category")) or not base.get("category") else None
        base["category"] = named or base.get("category")  # "the paper one" after a cup: still a cup
        base["target"] = intent["target"] if named and intent.get("target") else \
            f"the {base['category']}" if base.get("category") else base.get("target")
    else:
        base.update({k: intent[k] for k in CUE_KEYS if intent.get(k)})
    if intent.get("position") or intent.get("size"):
        base["kind"] = "new_target" if base["kind"] == "segment_from_dialogue" else base["kind"]
    earlier = {"current": history[idx - 1] if idx > 0 else None, "history": history[:idx]}
    return base, earlier, new_cue


def redo_search(intent: dict, memory: dict, vision, runtime, turn: int,
                gather: Callable[..., list[Candidate]],
                fallback: Callable[..., list[Candidate]] | None = None) -> list[Candidate] | None:
    """The repeated search's candidates without the rejected ones; when none is left, `fallback(base intent)`'s
    (a wider search) without them, unless the correction names no new cue and the rejected search named a class
    the detector knows (a salient region would not be that class); None when there is nothing to repeat."""
    repeat = repeated_search(intent, memory)
    if repeat is None:
        return None
    base, earlier, new_cue = repeat
    if base.get("kind") == "refine_part" and coco_category(intent.get("category")) and not intent.get("part"):
        return other_whole(intent, base, earlier, vision, runtime, turn, gather)
    found = exclude_previous(gather(base, earlier, vision, runtime, turn), memory, vision, only_current=new_cue)
    if found:
        found[0]["evidence"] = [*found[0]["evidence"], "the next pick of the same search, rejected picks left out"]
    if not found and fallback is not None and (new_cue or not detector_category(base, runtime)):
        # a bare "the other one" of a class the detector knows: its other instances were all there was
        wider = fallback({**base, "exclude_previous": True}, vision, runtime, turn)
        found = exclude_previous(wider, memory, vision, only_current=new_cue)
    return found


def other_whole(intent: dict, base: dict, earlier: dict, vision, runtime, turn: int,
                gather: Callable[..., list[Candidate]]) -> list[Candidate]:
    """ "the other guy" after "his face": the rejected pick was a part, the correction names a whole thing, so it
    is a new search for that thing without the one whose part it was (same_as_record)."""
    owner = record_of_turn(earlier, base.get("reference")) or current_target(earlier) or {}
    whole = {**intent, "kind": "new_target", "exclude_previous": False}

    def others(cands: list[Candidate]) -> list[Candidate]:
        return [c for c in cands if not same_as_record(c, owner, vision)]

    found = others(gather(whole, earlier, vision, runtime, turn))
    category = detector_category(whole, runtime)
    if not found and category:  # the owner was the only confident one: a weak box may be the other (flagged)
        found = others(category_candidates(whole, category, vision, runtime, turn, with_weak=True))
    if found:
        found[0]["evidence"] = [*found[0]["evidence"], f"another one than {owner.get('phrase') or 'the owner'} "
                                                       f"(the rejected pick was a part of them)"]
    return found


def same_as_record(c: Candidate, record: dict, vision) -> bool:
    """Whether a candidate is the thing of an earlier target record: the same id, else a mask IoU > 0.5 when both
    masks are known, else a box IoU > 0.6."""
    if not record:
        return False
    if record.get("region_id") is not None and c["id"] == record.get("region_id"):
        return True
    prev, m = target_mask(record), candidate_mask(c, vision)
    if prev is not None and m is not None and m.shape == prev.shape:
        return float((m & prev).sum()) / max(float((m | prev).sum()), 1.0) > 0.5
    return bool(record.get("box")) and box_iou(c["box"], record["box"]) > 0.6


def exclude_previous(cands: list[Candidate], memory: dict, vision, only_current: bool = False) -> list[Candidate]:
    """Drop the previous pick (same_as_record) and, unless only_current (the correction named a new cue), the picks
    rejected before it."""
    cur = current_target(memory) or {}
    skip = set() if only_current else set(excluded_ids(memory))
    return [c for c in cands if c["id"] not in skip and not same_as_record(c, cur, vision)]

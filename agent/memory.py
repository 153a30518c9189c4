"""Intent memory: what earlier turns settled on, and helpers to read it.

memory = {"current": TargetRecord | None, "history": [TargetRecord, ...]} (see agent.state).
Records are JSON-safe; the mask travels as COCO RLE and is decoded on demand.
"""
from __future__ import annotations


import numpy as np
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent.channels import merge_memory
from agent.state import Memory, TargetRecord, empty_memory
from tools.masks import decode_rle


def remember(memory: Memory | None, record: TargetRecord) -> Memory:
    """A new memory with `record` as the current target, appended to the history."""
    return merge_memory(memory or empty_memory(), [record])


def current_target(memory: Memory | None) -> TargetRecord | None:
    return (memory or {}).get("current") or None


def excluded_ids(memory: Memory | None, phrase: str | None = None) -> list[str]:
    """Region ids a correction should avoid: the current target and earlier rejected picks of the same search."""
    current = current_target(memory)
    if not current:
        return []
    out = [current["region_id"]] if current.get("region_id") else []
    out += [i for i in current.get("rejected", []) if i not in out]
    return out


def target_mask(record: TargetRecord | None) -> np.ndarray | None:
    """The bool (H, W) mask of a target record, or None."""
    if not record or not record.get("rle"):
        return None
    return decode_rle(record["rle"])


def planner_view(memory: Memory | None) -> Memory:
    """The memory without RLEs (what planners see)."""
    def strip(rec: TargetRecord | None) -> TargetRecord | None:
        return None if rec is None else {k: v for k, v in rec.items() if k != "rle"}

    memory = memory or empty_memory()
    return {"current": strip(memory.get("current")), "history": [strip(r) for r in memory.get("history", [])]}


def dialogue(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages -> [{"role": "user"|"assistant", "content"}]."""
    out = []
    for m in messages or []:
        if isinstance(m, HumanMessage):
            out.append({"role": "user", "content": str(m.content)})
        elif isinstance(m, AIMessage):
            out.append({"role": "assistant", "content": str(m.content)})
    return out


def turn_reference(turn: int | None) -> str:
    """The reference string an Intent uses for an earlier turn's target: "turn:N"."""
    return f"turn:{turn}"


TURNS_PREFIX = "turns:"


def turns_reference(turns: list[int]) -> str:
    """The reference an Intent uses for several earlier turns' targets ("both of them"): "turns:2,3"."""
    return TURNS_PREFIX + ",".join(str(t) for t in turns)


def record_of_turn(memory: Memory | None, reference: str | None) -> TargetRecord | None:
    """The history record a "turn:N" reference points at, or None."""
    if not str(reference or "").startswith("turn:"):
        return None
    return next((r for r in (memory or {}).get("history") or [] if turn_reference(r.get("turn")) == reference), None)

"""The growing parts of the conversation state as LangGraph `DeltaChannel`s: linear storage.

A plain reducer channel is copied whole into every checkpoint, so a thread of N turns stores O(N^2) bytes (each
turn's masks and messages again in every later checkpoint). A `DeltaChannel` stores only the writes of each step
and rebuilds the value by replaying them along the checkpoint's parent chain (forks from `Session.undo` replay
only their own ancestors), so every mask is written only by the turn that produced it (in that turn's TurnRecord
and TargetRecord) and never copied into a later checkpoint.

Reducers take (value, [write, ...]) and fold the writes in order (batching-invariant, as DeltaChannel requires):
  append_messages  writes: a message or a list of messages (LangChain objects or {"role", "content"} dicts)
  append_records   writes: a list of TurnRecord dicts
  merge_memory     writes: one TargetRecord to remember, or a whole memory {"current", "history"} to replace it
`SNAPSHOT_EVERY`: updates of one channel between full snapshots (a snapshot copies the whole value, so rare).
"""
from __future__ import annotations

from functools import reduce
from typing import Any, Sequence

from langgraph.channels.delta import DeltaChannel
from langgraph.graph.message import add_messages

SNAPSHOT_EVERY = 100_000


def append_messages(messages: list | None, writes: Sequence[Any]) -> list:
    """add_messages folded over a batch of writes (ids dedupe, RemoveMessage removes)."""
    return reduce(add_messages, writes, list(messages or []))


def append_records(records: list | None, writes: Sequence[list]) -> list:
    """The records followed by every record of every write."""
    out = list(records or [])
    for write in writes:
        out.extend(write if isinstance(write, list) else [write])
    return out


def merge_memory(memory: dict | None, writes: Sequence[dict]) -> dict:
    """Intent memory after the writes: a record becomes the current target and joins the history."""
    out = dict(memory or {})
    for write in writes:
        if "history" in write:  # a whole memory (a new thread's empty one)
            out = {"current": write.get("current"), "history": list(write["history"])}
        else:
            out = {"current": write, "history": [*out.get("history", []), write]}
    return out


def delta(reducer) -> DeltaChannel:
    """A DeltaChannel over `reducer` that (almost) never snapshots."""
    return DeltaChannel(reducer, snapshot_frequency=SNAPSHOT_EVERY)

"""Split a `[{from: human|gpt, value, mask?}, ...]` list into (human, gpt-or-None) pairs."""
from __future__ import annotations

from evals.errors import DatasetError

HUMAN_ROLES = {"human", "user"}
GPT_ROLES = {"gpt", "assistant"}


def pair_turns(dialogue: object, where: str) -> list[tuple[str, dict | None]]:
    """[(human text, gpt entry dict or None), ...] in order; raises DatasetError on a malformed list."""
    if not isinstance(dialogue, list) or not dialogue:
        raise DatasetError(f"{where}: 'dialogue' must be a non-empty list")
    pairs: list[tuple[str, dict | None]] = []
    for i, entry in enumerate(dialogue):
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise DatasetError(f"{where}: dialogue entry {i} needs 'from' and a string 'value'")
        role = str(entry.get("from", "")).lower()
        if role in HUMAN_ROLES:
            pairs.append((entry["value"], None))
        elif role in GPT_ROLES:
            if not pairs or pairs[-1][1] is not None:
                raise DatasetError(f"{where}: dialogue entry {i} is a gpt reply without a human turn before it")
            pairs[-1] = (pairs[-1][0], entry)
        else:
            raise DatasetError(f"{where}: dialogue entry {i} has unknown role {entry.get('from')!r}")
    return pairs

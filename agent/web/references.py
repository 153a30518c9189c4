"""Turn references in typed text: "the mask from turn 2", "go back to turn 2", "what colour is the one in turn 3?".

`split_turn_reference(text) -> (turn, rest)`: turn is None when the text names no turn; rest is None when the
text only asks to go back to that turn, else the text with the reference replaced by "it" (to ask after the
turn's mask became the current target again: agent.clicks.recall_turn).
"""
from __future__ import annotations

import re

REFERENCE = re.compile(
    r"\b(?:(?:the|that|this)\s+)?(?:(?:mask|target|object|region|one|thing|selection|segmentation|segment|result|answer)\s+)?"
    r"(?:(?:from|of|in|at|on)\s+)?turn\s*(?:#|no\.?|number)?\s*(\d{1,4})\b",
    re.IGNORECASE)
FILLER = {"go", "back", "to", "use", "show", "select", "me", "please", "again", "take", "segment", "return",
          "switch", "let's", "lets", "ok", "okay", "now", "the", "mask", "pick", "choose", "restore", "i", "want",
          "bring", "up", "display", "can", "you", "could", "same", "as", "in", "from", "of", "one"}


def split_turn_reference(text: str) -> tuple[int | None, str | None]:
    match = REFERENCE.search(text or "")
    if match is None:
        return None, None
    turn = int(match.group(1))
    rest = (text[: match.start()] + "it" + text[match.end():]).strip()
    words = [w for w in re.findall(r"[a-z']+", (text[: match.start()] + " " + text[match.end():]).lower())]
    if all(w in FILLER for w in words):
        return turn, None
    return turn, re.sub(r"\s+", " ", rest)

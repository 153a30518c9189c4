"""Question turns: does a reply contain one of the expected answer keywords?

Matching is case-insensitive on whole words, with the plural folding of focus agreement on both sides
("2 cups" answers ["cup"]); a keyword of several words must appear as that word sequence.
"""
from __future__ import annotations

import re

from evals.metrics.intent import fold_token

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def _words(text: str) -> list[str]:
    return [fold_token(w) for w in _WORD.findall(text.lower())]


def answers_question(reply: str | None, keywords: list[str]) -> bool:
    """True when the reply holds any keyword (see the module docstring); False for an empty keyword list."""
    said = _words(reply or "")
    joined = f" {' '.join(said)} "
    return any(words and f" {' '.join(words)} " in joined for words in (_words(k) for k in keywords))

"""Focus agreement: does the target a system named at the closing turn match the record's `focus`?

token F1 (tools.token_f1) over content tokens (lower-cased, stop words and punctuation dropped, plurals folded
by tools.vocabulary.singular) and head-noun match (the last content word before the first preposition, quoted text ignored);
`score` is their mean. A missing target scores 0.
"""
from __future__ import annotations

import re

from tools.token_f1 import token_f1
from tools.vocabulary import singular

STOP_WORDS = frozenset("""
a an the this that these those it its it's of on in at to for from with by into onto over under above below
beneath behind near next beside between around along across through and or but is are was were be been
being some any each every all both there here which who whom whose what where when why how do does did
i you he she we they me my your our their his her them us please segment segmentation show find highlight
mask select one ones thing things part area region object also just only very much more most
""".split())
BOUNDARY = frozenset("of on in at to for from with by into onto over under above below beneath behind near "
                     "next beside between around along across through that which who".split())
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_QUOTED = re.compile(r"(?:(?<=\s)|^)['\"‘“]([^'\"’”]+?)['\"’”](?=\s|$|[.,;:!?)])")


def fold_token(word: str) -> str:
    """"player's" -> "player", then the plural rule shared with the planner (tools.vocabulary.singular)."""
    return singular(word[:-2] if word.endswith("'s") else word)


def content_tokens(text: str | None) -> list[str]:
    return [fold_token(t) for t in _TOKEN.findall((text or "").lower()) if t not in STOP_WORDS]


def head_noun(text: str | None) -> str | None:
    """The head of the first noun chunk: last non-stop word before the first boundary word (quotes removed)."""
    plain = _QUOTED.sub(" ", (text or "").lower())
    words = _TOKEN.findall(plain)
    chunk: list[str] = []
    for word in words:
        if word in BOUNDARY and chunk:
            break
        if word not in STOP_WORDS and not word.isdigit():
            chunk.append(word)
    return fold_token(chunk[-1]) if chunk else None


def focus_agreement(target: str | None, focus: str) -> dict:
    """{"token_f1", "head_match", "score"} for one predicted target phrase against the reference focus."""
    pred, gold = content_tokens(target), content_tokens(focus)
    f1 = token_f1(pred, gold) if pred else 0.0  # a missing target scores 0
    head_pred, head_gold = head_noun(target), head_noun(focus)
    head = float(head_pred is not None and head_pred == head_gold)
    return {"token_f1": f1, "head_match": head, "score": (f1 + head) / 2}

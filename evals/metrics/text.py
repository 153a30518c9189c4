"""Text metrics against the reference answers, offline.

BLEU-1..4 and ROUGE-L from pycocoevalcap (pure Python); METEOR from pycocoevalcap's bundled jar (needs `java`;
reported as unavailable with a note when java is missing or fails). Tokenisation: lower-case regex words,
joined by spaces (pycocoevalcap's PTBTokenizer is not used). Dist-n = distinct n-grams / all n-grams of the
hypotheses.
"""
from __future__ import annotations

import re
import shutil
from typing import Sequence

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def tokenize(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def distinct_n(texts: Sequence[str], n: int) -> float:
    grams, total = set(), 0
    for text in texts:
        toks = tokenize(text)
        for i in range(len(toks) - n + 1):
            grams.add(tuple(toks[i:i + n]))
            total += 1
    return len(grams) / total if total else 0.0


def _meteor(gts: dict, res: dict) -> tuple[float | None, str | None]:
    if shutil.which("java") is None:
        return None, "METEOR unavailable: no `java` on PATH"
    try:
        from pycocoevalcap.meteor.meteor import Meteor

        scorer = Meteor()
        try:
            score, _ = scorer.compute_score(gts, res)
        finally:
            try:
                scorer.meteor_p.stdin.close()
                scorer.meteor_p.kill()
                scorer.meteor_p.wait(timeout=10)
            except Exception:
                pass
        return float(score), None
    except Exception as exc:  # a broken jar or JVM must not sink the report
        return None, f"METEOR unavailable: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"


def text_metrics(hypotheses: Sequence[str], references: Sequence[str], meteor: bool = True) -> dict:
    """Corpus metrics for aligned (hypothesis, reference) lists: bleu1..bleu4, rouge_l, meteor, dist1, dist2, pairs."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses vs {len(references)} references")
    out: dict = {"pairs": len(hypotheses), "dist1": distinct_n(hypotheses, 1), "dist2": distinct_n(hypotheses, 2)}
    if not hypotheses:
        return out
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.rouge.rouge import Rouge

    # empty strings break the scorers: an empty side becomes a token that matches nothing
    gts = {i: [" ".join(tokenize(r)) or "<empty>"] for i, r in enumerate(references)}
    res = {i: [" ".join(tokenize(h)) or "<none>"] for i, h in enumerate(hypotheses)}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    for k, value in enumerate(bleu, start=1):
        out[f"bleu{k}"] = float(value)
    out["rouge_l"] = float(Rouge().compute_score(gts, res)[0])
    if meteor:
        out["meteor"], note = _meteor(gts, res)
        if note:
            out["meteor_note"] = note
    else:
        out["meteor"] = None
        out["meteor_note"] = "METEOR skipped (--no-meteor)"
    return out

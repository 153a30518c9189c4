"""Metrics: segmentation (CIoU, gIoU, P/R/F1), text (BLEU, ROUGE-L, METEOR, Dist-n), intent (focus agreement)."""
from evals.metrics.intent import focus_agreement, head_noun, content_tokens
from evals.metrics.segmentation import SegTally, turn_overlap, grouped_segmentation
from evals.metrics.text import text_metrics, distinct_n, tokenize

__all__ = ["SegTally", "turn_overlap", "grouped_segmentation", "text_metrics", "distinct_n", "tokenize",
           "focus_agreement", "head_noun", "content_tokens"]

"""A real-photo referring benchmark built from COCO instance masks (see evals.coco_refer.build)."""
from evals.coco_refer.build import referring_turns, write_benchmark

__all__ = ["referring_turns", "write_benchmark"]

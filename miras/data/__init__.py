"""MIRAS data: dialogue readers (format 2, COCO stage-1 samples), token encoding, SAM embedding cache, batches."""

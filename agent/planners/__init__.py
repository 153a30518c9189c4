"""Planner registry: `build_planner(name, **kw) -> Planner`.

  "rule"   RuleBasedPlanner()                       embedded, deterministic (the default and the fallback)
  "openai" OpenAICompatiblePlanner(**kw)            any OpenAI-compatible endpoint (base_url=..., model=...)
  "local"  LocalTransformersPlanner(**kw)           a local transformers model folder (GGUF included)
"""
from __future__ import annotations

from agent.planners.base import Planner, PlannerContext, PlannerError
from agent.planners.rule_based import RuleBasedPlanner

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
    raise UnknownPlannerError(f"unknown planner {name!r}; choose one of {', '.join(PLANNERS)}")


__all__ = ["PLANNERS", "Planner", "PlannerContext", "PlannerError", "RuleBasedPlanner", "UnknownPlannerError",
           "build_planner"]

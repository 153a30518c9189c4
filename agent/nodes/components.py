"""Build an AgentRuntime from names or objects (names resolve through the one registry, tools.backends).

    build_runtime(planner="rule", segmenter="mobile_sam", grounders=DEFAULT_GROUNDERS)

Backends built by name are shared per process, so many sessions (evals start one per dialogue) reuse the same
weights and per-image caches.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from agent.nodes.runtime import AgentRuntime
from agent.planners import RuleBasedPlanner, build_planner
from tools import backends
from tools.backends import DEFAULT_GROUNDERS


def build_runtime(planner: str | Any = "rule", segmenter: str | Any | None = "mobile_sam",
                  grounders: Iterable[str | Any] = DEFAULT_GROUNDERS,
                  progress: Callable[[str], None] | None = None, interrupt_on_ambiguity: bool = False,
                  vision: bool = True) -> AgentRuntime:
    """Resolve names to objects. vision=False (text-only) builds no segmenter or grounders at all."""
    fallback = RuleBasedPlanner()
    planner_obj = fallback if planner in (None, "rule") else (build_planner(planner) if isinstance(planner, str) else planner)
    seg = None
    found: dict[str, Any] = {}
    if vision:
        seg = backends.segmenter(segmenter) if isinstance(segmenter, str) else segmenter
        names = list(grounders or ())
        if seg is None:  # no segmenter: no proposals over it
            names = [g for g in names if g != "proposals"]
        for obj in backends.grounders(names, seg):
            found[getattr(obj, "name", type(obj).__name__)] = obj
    return AgentRuntime(planner=planner_obj, fallback_planner=fallback, segmenter=seg, grounders=found,
                        progress=progress, interrupt_on_ambiguity=interrupt_on_ambiguity)

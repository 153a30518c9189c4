"""Build an AgentRuntime from names or objects; heavy backends built by name are shared per process.

    build_runtime(planner="rule", segmenter="mobile_sam", grounders=("ocr", "proposals", "haar"))

The embedded MobileSAM and the grounders over it load once per process (`_SHARED`), so many sessions
(evals start one per dialogue) reuse the same weights and per-image caches.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from agent.nodes.runtime import AgentRuntime
from agent.planners import RuleBasedPlanner, build_planner

_SHARED: dict[str, Any] = {}


def shared_segmenter(name: str) -> Any:
    key = f"segmenter:{name}"
    if key not in _SHARED:
        from tools.segmenters import build_segmenter
        _SHARED[key] = build_segmenter(name)
    return _SHARED[key]


def shared_grounder(name: str, segmenter: Any = None) -> Any:
    """A grounder by name; "proposals" is built over `segmenter` and the shared OCR reader."""
    key = f"grounder:{name}:{id(segmenter) if name == 'proposals' else ''}"
    if key not in _SHARED:
        from tools.grounders import build_grounder
        if name == "proposals":
            if segmenter is None:
                return None
            ocr = shared_grounder("ocr")
            _SHARED[key] = build_grounder("proposals", segmenter=segmenter, ocr=getattr(ocr, "reader", None))
        else:
            _SHARED[key] = build_grounder(name)
    return _SHARED[key]


def build_runtime(planner: str | Any = "rule", segmenter: str | Any | None = "mobile_sam",
                  grounders: Iterable[str | Any] = ("ocr", "proposals", "haar"),
                  progress: Callable[[str], None] | None = None, interrupt_on_ambiguity: bool = False,
                  vision: bool = True) -> AgentRuntime:
    """Resolve names to objects. vision=False (text-only) builds no segmenter or grounders at all."""
    fallback = RuleBasedPlanner()
    planner_obj = fallback if planner in (None, "rule") else (build_planner(planner) if isinstance(planner, str) else planner)
    seg = None
    found: dict[str, Any] = {}
    if vision:
        seg = shared_segmenter(segmenter) if isinstance(segmenter, str) else segmenter
        for g in grounders or ():
            obj = shared_grounder(g, seg) if isinstance(g, str) else g
            if obj is not None:
                found[getattr(obj, "name", type(obj).__name__)] = obj
    return AgentRuntime(planner=planner_obj, fallback_planner=fallback, segmenter=seg, grounders=found,
                        progress=progress, interrupt_on_ambiguity=interrupt_on_ambiguity)

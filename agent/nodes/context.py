"""The turn graph's LangGraph run context (its `context_schema`): which backends a run uses.

    graph.invoke(input, config, context=TurnContext(runtime=build_runtime(...), progress=print))

Nodes read the backends from LangGraph's injected `Runtime.context`, never from state or a closure. A run without
a runtime in its context gets the process's embedded defaults (`default_runtime`): that is the served graph's case,
where `langgraph dev` builds the context from a client's JSON, and models cannot travel as JSON. The field is left
out of the JSON schema the server publishes for the same reason.
"""
from __future__ import annotations

import threading
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from agent.nodes.runtime import AgentRuntime

_DEFAULT: dict[str, AgentRuntime] = {}
_DEFAULT_LOCK = threading.Lock()


def default_runtime() -> AgentRuntime:
    """Rule planner + embedded vision stack, built once per process (it loads weights: call it off an event loop).
    One runtime keeps one VisionCache, so a thread's later turns reuse the embedding and proposals of its first."""
    with _DEFAULT_LOCK:
        if "runtime" not in _DEFAULT:
            from agent.nodes.components import build_runtime
            _DEFAULT["runtime"] = build_runtime()
        return _DEFAULT["runtime"]


class TurnContext(BaseModel):
    """Run context of the turn graph. Keys a client sends that are not fields (a served graph's configurable
    mirror) are ignored."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="ignore")

    runtime: SkipJsonSchema[AgentRuntime] = Field(default_factory=default_runtime)
    # Progress lines for an in-process caller (Session). Without it, progress goes to LangGraph's stream writer
    # (stream_mode "custom"): streaming "custom" makes LangGraph run the nodes on a worker thread, and a second
    # thread's malloc arena raised the peak RSS of a proposals turn by about 240 MB here, so Session passes a
    # callback and streams "values" only.
    progress: SkipJsonSchema[Callable[[str], None] | None] = None

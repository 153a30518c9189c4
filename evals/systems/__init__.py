"""Build any System by name: `build_system("agent", planner="rule")`, `build_system("miras", checkpoint=DIR)`.

Names: "agent" (agent.system.AgentSystem), "miras" (miras.system.MirasSystem), and the baselines "empty",
"center-blob", "oracle", "oracle-box" (the oracles need `dataset=`). Keyword arguments whose value is None are
dropped, so CLI flags left unset fall back to each system's own defaults. For the agent, planner_url /
planner_model / planner_key become the planner's base_url / model / api_key (planner defaults to "openai" then);
planner_path becomes a local planner's path (planner defaults to "local").
"""
from __future__ import annotations

import importlib
import inspect

from evals.errors import EvalError
from evals.systems.baselines import CenterBlobSystem, EmptySystem, OracleSystem

SYSTEM_NAMES = ("agent", "miras", "empty", "center-blob", "oracle", "oracle-box")
_LAZY = {"agent": ("agent.system", "AgentSystem"), "miras": ("miras.system", "MirasSystem")}


def _construct(cls, name: str, kwargs: dict):
    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        params = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = [k for k in kwargs if k not in params] if params and not takes_any else []
    if unknown:
        raise EvalError(f"system {name!r} does not take option(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**kwargs)
    except Exception as exc:  # missing weights, bad checkpoint, bad option value: one line for the user
        message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        raise EvalError(f"system {name!r} could not be built: {type(exc).__name__}: {message}") from None


def build_system(name: str, **kwargs):
    """A tools.system.System; raises EvalError (one line) for unknown names or options."""
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if name in _LAZY:
        kwargs.pop("dataset", None)
        if name == "agent":  # the agent's planner takes base_url/model/api_key
            for flag, key in (("planner_url", "base_url"), ("planner_model", "model"), ("planner_key", "api_key")):
                if flag in kwargs:
                    kwargs[key] = kwargs.pop(flag)
            if "base_url" in kwargs:
                kwargs.setdefault("planner", "openai")
            if "planner_path" in kwargs:  # a local model folder or an embedded LLM name
                kwargs["path"] = kwargs.pop("planner_path")
                kwargs.setdefault("planner", "local")
        module_name, class_name = _LAZY[name]
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise EvalError(f"system {name!r} is not available: cannot import {module_name}.{class_name} ({exc})") from None
        return _construct(cls, name, kwargs)
    if name in ("oracle", "oracle-box"):
        dataset = kwargs.pop("dataset", None)
        if dataset is None:
            raise EvalError(f"system {name!r} needs the dataset (dataset=...)")
        if kwargs:
            raise EvalError(f"system {name!r} does not take option(s) {', '.join(sorted(kwargs))}")
        return OracleSystem(dataset, box=name == "oracle-box")
    kwargs.pop("dataset", None)
    if kwargs and name in SYSTEM_NAMES:
        raise EvalError(f"system {name!r} does not take option(s) {', '.join(sorted(kwargs))}")
    if name == "empty":
        return EmptySystem()
    if name == "center-blob":
        return CenterBlobSystem()
    raise EvalError(f"unknown system {name!r}; expected one of {', '.join(SYSTEM_NAMES)}")

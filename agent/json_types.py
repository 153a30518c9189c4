"""Names for free-form JSON that crosses the project's edge: what an outside endpoint sends or receives (chat
messages for an OpenAI-compatible server or a local model, JSON schemas, MCP tool results, keyword options read
from the command line). Records the agent itself writes have TypedDicts of their own (agent.state)."""
from __future__ import annotations

from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]

"""The exception classes that mean bad input or setup, not a bug: every front end (CLI, web app, LangChain tool,
MCP server) shows them as one line and goes on; anything else is a bug and keeps its traceback."""
from __future__ import annotations

from functools import lru_cache


class TurnError(ValueError):
    """A turn that cannot be processed (empty, too long, bad click points, no mask to recall); one-line
    message, nothing is written."""


@lru_cache(maxsize=1)
def expected_errors() -> tuple[type[BaseException], ...]:
    """Exception classes that mean bad input or setup (one-line message), not a bug."""
    from agent.planners import PlannerError, UnknownPlannerError
    from agent.session import SessionError
    from agent.thread_ids import ThreadIdError
    from tools.grounders import GrounderError
    from tools.images import ImageError
    from tools.masks import MaskError
    from tools.segmenters import PromptError, UnknownSegmenterError
    from tools.weights import MissingWeightsError

    found: list[type[BaseException]] = [PlannerError, UnknownPlannerError, SessionError, TurnError, ThreadIdError,
                                        GrounderError, ImageError, MaskError, PromptError, UnknownSegmenterError,
                                        MissingWeightsError, FileNotFoundError]
    for module, name in (("tools.segmenters.hf_sam", "ModelFolderError"),
                         ("tools.segmenters.sam_checkpoint", "CheckpointError")):
        try:
            found.append(getattr(__import__(module, fromlist=[name]), name))
        except (ImportError, AttributeError):
            pass
    return tuple(found)

"""Failures as one line for the page: expected ones (agent.chat's list plus upload limits) say what is wrong;
anything else says it was an internal error, with its type, and the traceback goes to the server log only."""
from __future__ import annotations

import logging
from functools import lru_cache

_log = logging.getLogger("agent.web")
MAX_CHARS = 300


class WebInputError(ValueError):
    """An upload or form value the app refuses (too large, wrong kind); one-line message."""


class ModelsNotReady(RuntimeError):
    """The models failed to load (missing weights, planner down) or are still loading; one-line message."""


@lru_cache(maxsize=1)
def expected_errors() -> tuple[type[BaseException], ...]:
    from agent.errors import expected_errors as input_errors

    return (*input_errors(), WebInputError, ModelsNotReady)


def one_line(exc: BaseException) -> str:
    """`error: <message>` on one line, at most MAX_CHARS characters."""
    if isinstance(exc, expected_errors()):
        text = " ".join(str(exc).split()) or type(exc).__name__
    else:
        _log.error("unexpected error in the web app", exc_info=exc)
        detail = " ".join(str(exc).split())[:120]
        text = f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}); the conversation is unchanged"
    return "error: " + (text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "...")

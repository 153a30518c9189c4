"""Conversation (thread) ids are names, never paths: they become folder names under an output directory.

    validate_thread_id("c1")            -> "c1"
    validate_thread_id("../../escaped") -> ThreadIdError (one line)

A valid id: 1 to 128 characters from letters, digits, "-", "_" and ".", not starting with a dot (so no "..",
no hidden folders, no separators, no absolute paths). `new_thread_id()` makes a fresh valid one (32 hex digits).
"""
from __future__ import annotations

import re
import uuid

MAX_THREAD_ID_CHARS = 128
_VALID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class ThreadIdError(ValueError):
    """A thread id that is not a plain name (one-line message)."""


def validate_thread_id(text: object) -> str:
    """`text` unchanged when it is a valid thread id; ThreadIdError otherwise."""
    if not isinstance(text, str) or not text:
        raise ThreadIdError("thread id must be a non-empty string")
    if len(text) > MAX_THREAD_ID_CHARS:
        raise ThreadIdError(f"thread id is {len(text)} characters; the limit is {MAX_THREAD_ID_CHARS}")
    if not _VALID.fullmatch(text):
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ThreadIdError(f"thread id {shown!r} is not a plain name: use letters, digits, '-', '_' and '.', "
                            "not starting with '.'")
    return text


def new_thread_id() -> str:
    return uuid.uuid4().hex

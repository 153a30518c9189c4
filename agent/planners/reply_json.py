"""`extract_json(text) -> dict`: the first JSON object in an LLM reply, repaired where it needs it.

Code fences and chatter around the object are ignored. Repaired: single-quoted strings, Python True/False/None,
trailing commas, unquoted keys, and a truncated tail (closed by langchain_core's `parse_partial_json`, which also
drops a key or literal cut mid-way). Nothing is evaluated as code. `ReplyFormatError` (one line) when there is no
object. What stays hand-written here is what langchain_core has no helper for: finding the object amid chatter
with quotes of both kinds respected, and the single-quote / Python-literal / trailing-comma / bare-key rewrites.
"""
from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.utils.json import parse_partial_json

from agent.json_types import JSONObject


class ReplyFormatError(ValueError):
    """A model reply that cannot be turned into the requested structure (one-line message)."""


def _snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(str(text).split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "...")


def _first_object_span(text: str) -> tuple[str, bool]:
    """(substring from the first '{' to its matching '}' or to the end, complete?). Quotes of both kinds are
    respected (backslash escapes too), so braces inside '...' or "..." do not count."""
    start = text.find("{")
    if start < 0:
        raise ReplyFormatError(f"no JSON object in reply {_snippet(text)}")
    depth, quote, escaped = 0, None, False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return text[start: i + 1], True
    return text[start:], False


def _repair(candidate: str) -> str:
    """Rewrite single-quoted strings, Python literals and trailing commas into strict JSON; a string still open
    at the end is closed."""
    out, i, n = [], 0, len(candidate)
    while i < n:
        ch = candidate[i]
        if ch in "\"'":
            j, buf = i + 1, []
            while j < n and candidate[j] != ch:
                if candidate[j] == "\\" and j + 1 < n:
                    buf.append(candidate[j: j + 2])
                    j += 2
                    continue
                buf.append('\\"' if candidate[j] == '"' else candidate[j])
                j += 1
            body = "".join(buf).replace("\\'", "'")
            out.append('"' + body + '"')
            i = j + 1
            continue
        word = re.match(r"[A-Za-z_]+", candidate[i:])
        if word:
            token = word.group(0)
            out.append({"True": "true", "False": "false", "None": "null"}.get(token, token))
            i += len(token)
            continue
        out.append(ch)
        i += 1
    text = "".join(out)
    return re.sub(r",\s*([}\]])", r"\1", text)


def _quote_keys(text: str) -> str:
    """{kind: "x"} -> {"kind": "x"} (a last resort: it may also touch words inside strings)."""
    return re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:", r'\1"\2":', text)


def _parse_truncated(candidates: list[str]) -> Any:
    """The fullest object parse_partial_json recovers from the candidates (it cuts back to the longest prefix
    that parses, so a defect that a later candidate repairs can leave an earlier one nearly empty)."""
    values, error = [], None
    for candidate in candidates:
        try:
            values.append(parse_partial_json(candidate))
        except json.JSONDecodeError as exc:
            error = exc
    objects = [v for v in values if isinstance(v, dict)]
    if objects:
        return max(objects, key=len)
    if values:
        return values[0]
    raise error


def extract_json(text: str) -> JSONObject:
    """The first JSON object in `text` as a dict, repaired if needed; ReplyFormatError when there is none."""
    if not isinstance(text, str) or not text.strip():
        raise ReplyFormatError("empty reply")
    fragment, complete = _first_object_span(text)
    repaired = _repair(fragment)
    if complete:
        parsers = [(json.loads, c) for c in (fragment, repaired, _quote_keys(repaired))]
    else:
        parsers = [(_parse_truncated, [repaired, _quote_keys(repaired)])]
    last_error = ""
    for parse, candidate in parsers:
        try:
            value = parse(candidate)
        except json.JSONDecodeError as exc:
            last_error = f"{exc.msg} at char {exc.pos}"
            continue
        if isinstance(value, dict):
            return value
        last_error = f"expected an object, got {type(value).__name__}"
    raise ReplyFormatError(f"invalid JSON ({last_error}) in reply {_snippet(text)}")

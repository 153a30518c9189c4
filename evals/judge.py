"""LLM judge over any OpenAI-compatible endpoint (vLLM, Ollama, `transformers serve`, hosted).

    judge = Judge("http://127.0.0.1:8000/v1", model="my-model", cache_dir="runs/x/judge_cache")
    verdict = judge.judge_dialogue(turns, focus=..., target=...)   # turns: [{"human", "reference", "answer"}]
    summary = judge_rows(rows, judge)                                # over a run's turns.jsonl rows

A verdict is {"progressive_reasoning", "logical_coherence", "content_consistency", "target_relevance": int 1-5,
"versus_reference": "win"|"tie"|"loss", "rationale": str}. The rubric is evals/judge_rubric.md. Verdicts are
cached as JSON files keyed by sha256 of (rubric, model, dialogue, answers): a rerun makes no request.
Replies are parsed as JSON, never evaluated: the whole reply (code fences stripped, a truncated tail closed, by
langchain_core's parse_json_markdown), else the first {...} object amid chatter that holds the four scores.
"""
from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from langchain_core.utils.json import parse_json_markdown

from evals.errors import JudgeError

RUBRIC_PATH = Path(__file__).with_name("judge_rubric.md")
CRITERIA = ("progressive_reasoning", "logical_coherence", "content_consistency", "target_relevance")
OUTCOMES = ("win", "tie", "loss")


class VerdictParseError(ValueError):
    """The judge's reply holds no usable verdict."""


def _json_values(text: str) -> Iterator[Any]:
    """What a reply may hold as JSON, in order: the whole reply, then the value starting at each '{'."""
    try:
        yield parse_json_markdown(text)
    except json.JSONDecodeError:
        pass
    decoder = json.JSONDecoder()  # parse_json_markdown needs the reply to be the JSON; chatter around it needs this
    for match in re.finditer(r"\{", text):
        try:
            yield decoder.raw_decode(text, match.start())[0]
        except json.JSONDecodeError:
            continue


def parse_verdict(text: str) -> dict:
    """The verdict dict from a model reply; raises VerdictParseError when it holds none."""
    for obj in _json_values(text or ""):
        if isinstance(obj, dict) and all(k in obj for k in CRITERIA):
            return _validate(obj)
    raise VerdictParseError("no JSON object with the four scores in the judge's reply")


def _validate(obj: dict) -> dict:
    verdict: dict = {}
    for key in CRITERIA:
        value = obj[key]
        try:
            score = int(round(float(str(value).strip())))
        except ValueError:
            raise VerdictParseError(f"{key} is not a number: {value!r}") from None
        if not 1 <= score <= 5:
            raise VerdictParseError(f"{key} = {score} is outside 1-5")
        verdict[key] = score
    outcome = str(obj.get("versus_reference", "")).strip().lower()
    if outcome not in OUTCOMES:
        raise VerdictParseError(f"versus_reference must be win/tie/loss, got {obj.get('versus_reference')!r}")
    verdict["versus_reference"] = outcome
    verdict["rationale"] = str(obj.get("rationale", ""))[:1000]
    return verdict


def render_dialogue(turns: list[dict], focus: str | None, target: str | None) -> str:
    parts = []
    for i, turn in enumerate(turns, start=1):
        parts.append(f"Turn {i}\nUSER: {turn['human']}\nREFERENCE: {turn.get('reference') or '(none)'}\n"
                     f"CANDIDATE: {turn.get('answer') or '(no answer)'}")
    if focus:
        parts.append(f"Annotated focus: {focus}")
    if target:
        parts.append(f"Target named by the candidate at the end: {target}")
    return "\n\n".join(parts)


class Judge:
    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 cache_dir: str | Path | None = None, timeout: float = 120.0, retries: int = 2,
                 max_tokens: int = 300):
        from openai import OpenAI

        self.base_url = base_url.rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.client = OpenAI(base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0)
        self.rubric = RUBRIC_PATH.read_text(encoding="utf-8")
        self._model = model
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.retries = retries
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.requests = 0

    @property
    def model(self) -> str:
        if self._model is None:
            try:
                models = [m.id for m in self.client.models.list()]
            except Exception as exc:
                raise JudgeError(f"judge endpoint {self.base_url} unreachable: {type(exc).__name__}") from None
            if not models:
                raise JudgeError(f"judge endpoint {self.base_url} lists no models; pass --judge-model")
            self._model = models[0]
        return self._model

    def cache_key(self, prompt: str) -> str:
        return hashlib.sha256(json.dumps([self.rubric, self.model, prompt]).encode("utf-8")).hexdigest()

    def judge_dialogue(self, turns: list[dict], focus: str | None = None, target: str | None = None) -> dict:
        prompt = render_dialogue(turns, focus, target)
        key = self.cache_key(prompt)
        cached = self.cache_dir / f"{key}.json" if self.cache_dir else None
        if cached is not None and cached.exists():
            try:
                return json.loads(cached.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                pass
        verdict = self._ask(prompt)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_text(json.dumps(verdict), encoding="utf-8")
            tmp.replace(cached)
        return verdict

    def _ask(self, prompt: str) -> dict:
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        messages = [{"role": "system", "content": self.rubric}, {"role": "user", "content": prompt}]
        problem = ""
        for _ in range(self.retries + 1):
            self.requests += 1
            try:
                reply = self.client.chat.completions.create(model=self.model, messages=messages, temperature=0,
                                                            max_tokens=self.max_tokens)
            except APITimeoutError:
                raise JudgeError(f"judge endpoint {self.base_url} timed out after {self.timeout:.0f} s "
                                 "(unreachable or too slow; raise --judge-timeout)") from None
            except APIConnectionError as exc:
                raise JudgeError(f"judge endpoint {self.base_url} unreachable: {type(exc).__name__}") from None
            except APIStatusError as exc:
                raise JudgeError(f"judge endpoint {self.base_url} answered HTTP {exc.status_code}") from None
            content = reply.choices[0].message.content if reply.choices else ""
            try:
                return parse_verdict(content or "")
            except VerdictParseError as exc:
                problem = str(exc)
                messages = messages[:2] + [{"role": "assistant", "content": content or ""},
                                           {"role": "user", "content": "Reply with only the JSON object described."}]
        raise JudgeError(f"judge gave no usable verdict after {self.retries + 1} tries ({problem})")


def judge_rows(rows: list[dict], judge: Judge) -> dict:
    """Judge every complete dialogue among a run's turn rows: {"summary": {...}, "verdicts": {record: verdict}}."""
    by_record: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row.get("kind") == "turn" and not row.get("failed"):
            by_record[row["record"]].append(row)
    verdicts, errors = {}, {}
    for record, turns in sorted(by_record.items()):
        turns.sort(key=lambda r: r["turn"])
        closing = next((t for t in reversed(turns) if t.get("closing")), turns[-1])
        try:
            verdicts[record] = judge.judge_dialogue(
                [{"human": t["human"], "reference": t.get("reference"), "answer": t.get("answer")} for t in turns],
                focus=turns[0].get("focus"), target=closing.get("target"))
        except JudgeError as exc:
            if "unreachable" in str(exc) or "timed out" in str(exc) or "HTTP" in str(exc):
                raise
            errors[record] = str(exc)
    summary: dict = {"dialogues": len(verdicts), "errors": len(errors), "model": judge.model, "requests": judge.requests}
    if verdicts:
        for key in CRITERIA:
            summary[key] = statistics.fmean(v[key] for v in verdicts.values())
        for outcome in OUTCOMES:
            summary[f"{outcome}_rate"] = sum(v["versus_reference"] == outcome for v in verdicts.values()) / len(verdicts)
    return {"summary": summary, "verdicts": verdicts, "errors": errors}

"""Drive one System through one dialogue record, producing one result row per human turn.

History modes: "own" (the system's own answers stay in its conversation), "gold" (after each turn the
reference answer replaces the system's: the conversation must implement `use_reference_answer(text)`,
else UnsupportedHistory stops the run) and "closing" (focus inference: only the closing turns run; every
other turn is given to the conversation as the reference exchange through `add_given_turn(human, answer)`
and logged as a row flagged "given", which reports leave out).
An exception ends the dialogue: the remaining scored turns are emitted as empty predictions flagged
"failed" (never skipped), then a failure row carries the error.
"""
from __future__ import annotations

import time
import traceback
from typing import Callable

import numpy as np

from evals.datasets.records import Record, RefTurn
from evals.errors import EvalError
from evals.metrics.answers import answers_question
from evals.metrics.segmentation import turn_overlap
from tools.masks import as_bool_mask, encode_rle

HISTORY_MODES = ("own", "gold", "closing")
_NEEDS = {"gold": "use_reference_answer", "closing": "add_given_turn"}


class UnsupportedHistory(EvalError):
    """The system cannot run the requested history mode: the whole run stops (nothing would succeed)."""


def _short_error(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _base_row(record: Record, turn: RefTurn, position: int | None) -> dict:
    return {
        "kind": "turn", "record": record.id, "turn": turn.index, "n_turns": len(record.turns),
        "scored": turn.scored, "position": position, "closing": turn.closing, "tags": record.tags, "turn_tags": turn.tags,
        "focus": record.focus, "human": turn.human, "reference": turn.reference, "ref_target": turn.target,
        "image": str(record.image) if record.image else None, "expected_answers": turn.answers or None,
    }


def _score(row: dict, turn: RefTurn, pred: np.ndarray | None) -> None:
    ref = turn.reference_mask()
    if pred is not None:
        pred = as_bool_mask(pred)
        if pred.shape != ref.shape:
            raise EvalError(f"prediction mask is {pred.shape[1]}x{pred.shape[0]} but the reference is {ref.shape[1]}x{ref.shape[0]}")
    row.update(turn_overlap(pred, ref))
    row["pred_rle"] = encode_rle(pred) if pred is not None and pred.any() else None
    row["ref_rle"] = encode_rle(ref)


def run_dialogue(system, record: Record, emit: Callable[[dict], None], history: str = "own") -> dict | None:
    """Run every human turn of `record`; emit(row) per turn. Returns the failure row, or None on success."""
    if history not in HISTORY_MODES:
        raise EvalError(f"history must be one of {HISTORY_MODES}, got {history!r}")
    positions = {t.index: p for p, t in enumerate(record.scored_turns, start=1)}
    done = -1
    try:
        conv = system.start(str(record.image) if record.image else None)
        needed = _NEEDS.get(history)
        if needed and not callable(getattr(conv, needed, None)):
            raise UnsupportedHistory(f"system {getattr(system, 'name', '?')!r} cannot run --history {history} "
                                     f"(its conversation has no {needed}(...))")
        run_turns = {t.index for t in record.turns if t.closing} or {record.turns[-1].index}
        for turn in record.turns:
            row = _base_row(record, turn, positions.get(turn.index))
            if history == "closing" and turn.index not in run_turns:
                conv.add_given_turn(turn.human, turn.reference or "")
                row.update(given=True, scored=False, answer=turn.reference or "", target=None, latency=None, timings={})
                emit(row)
                done = turn.index
                continue
            t0 = time.perf_counter()
            result = conv.ask(turn.human)
            row["latency"] = time.perf_counter() - t0
            if history == "gold":
                conv.use_reference_answer(turn.reference or "")
            row.update(answer=str(result.text or ""), target=None if result.target is None else str(result.target),
                       score=None if result.score is None else float(result.score),
                       timings={str(k): float(v) for k, v in (result.timings or {}).items()
                                if isinstance(v, (int, float, np.floating, np.integer))},
                       returned_mask=result.mask is not None)
            fallback = (getattr(result, "extra", None) or {}).get("planner_fallback")
            if fallback:  # the served planner failed (down, overloaded, junk) and the rule planner answered
                row["planner_fallback"] = " ".join(str(fallback).split())[:300]
            if turn.answers:
                row["answered"] = answers_question(row["answer"], turn.answers)
            if turn.scored:
                _score(row, turn, result.mask)
            emit(row)
            done = turn.index
    except UnsupportedHistory:
        raise
    except Exception as exc:  # recorded per dialogue; the run goes on
        error = _short_error(exc)
        for turn in record.turns:
            if turn.index <= done:
                continue
            row = _base_row(record, turn, positions.get(turn.index))
            row.update(answer="", target=None, failed=True, latency=None, timings={})
            if turn.scored:
                try:
                    _score(row, turn, None)
                except Exception:
                    row["scored"] = False
                    row["lost"] = True
            emit(row)
        failure = {"kind": "failure", "record": record.id, "turn": done + 1, "error": error,
                   "trace": traceback.format_exc(limit=4)[-2000:]}
        emit(failure)
        return failure
    return None

"""The append-only JSON-lines log of a run (`<out>/turns.jsonl`).

Rows: {"kind": "turn", "record": id, "turn": k, "n_turns": n, ...} one per human turn as it finishes, and
{"kind": "failure", "record": id, "turn": k, "error": "..."} once per failed dialogue. Each append is flushed and
fsynced. A record is complete when it has a failure row or turn rows for all its n_turns; `compact` rewrites the
log atomically keeping only complete records, so a dialogue cut off by a kill is rerun from its start without
duplicate lines.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path


class ResultsLog:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._handle = None

    def read(self) -> list[dict]:
        """All well-formed rows; a torn final line (a kill mid-write) is ignored."""
        if not self.path.exists():
            return []
        rows = []
        with self.path.open("r", encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and "record" in row:
                    rows.append(row)
        return rows

    @staticmethod
    def complete_records(rows: list[dict]) -> set[str]:
        failed = {r["record"] for r in rows if r.get("kind") == "failure"}
        turns: dict[str, set[int]] = defaultdict(set)
        expected: dict[str, int] = {}
        for r in rows:
            if r.get("kind") == "turn":
                turns[r["record"]].add(int(r["turn"]))
                expected[r["record"]] = int(r["n_turns"])
        done = {rid for rid, seen in turns.items() if len(seen) >= expected[rid]}
        return done | failed

    def compact(self, keep: set[str]) -> list[dict]:
        """Rewrite the log with only the rows of records in `keep` (one row per (record, turn)); returns them."""
        kept, seen = [], set()
        for row in self.read():
            if row["record"] not in keep:
                continue
            key = (row["record"], row.get("kind"), row.get("turn"))
            if key in seen:
                continue
            seen.add(key)
            kept.append(row)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for row in kept:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        return kept

    def append(self, row: dict) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

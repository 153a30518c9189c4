"""--history closing on real PRIST dialogues: only the closing turn runs, the earlier reference exchanges are given
to the conversation (and left out of the report), and the report sets the first-question baseline beside the
system's focus agreement."""
from __future__ import annotations

import json

from evals.metrics.intent import focus_agreement
from evals.run import main


def test_closing_history_runs_only_the_closing_turn(tmp_path, prist_dev, capsys):
    out = tmp_path / "run"
    assert main(["--system", "agent", "--data", str(prist_dev), "--limit", "5", "--history", "closing",
                 "--out", str(out), "--no-meteor", "--quiet"]) == 0
    rows = [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()]
    turns = [r for r in rows if r.get("kind") == "turn"]
    records = json.loads(prist_dev.read_text())[:5]
    assert len({r["record"] for r in turns}) == 5
    assert len(turns) == sum(1 for rec in records for t in rec["dialogue"] if t["from"] == "human")
    run = [r for r in turns if not r.get("given")]
    given = [r for r in turns if r.get("given")]
    assert len(run) == 5 and all(r["closing"] for r in run) and all(r["latency"] is not None for r in run)
    assert given and all(not r["closing"] and r["answer"] == r["reference"] for r in given)

    report = json.loads((out / "report.json").read_text())
    focus = report["focus"]
    assert focus["dialogues"] == 5
    expected = sum(focus_agreement(r["target"], r["focus"])["score"] for r in run) / 5
    assert abs(focus["score"] - expected) < 1e-9
    naive = focus["first_question_baseline"]
    first = {r["record"]: r["human"] for r in sorted(turns, key=lambda r: -r["turn"])}
    assert abs(naive["token_f1"] - sum(focus_agreement(first[r["record"]], r["focus"])["token_f1"] for r in run) / 5) < 1e-9
    assert report["counts"]["turns"] == 5  # given turns are not the system's turns
    assert "naive baseline (all content words of the first question)" in (out / "report.md").read_text()


def test_the_closing_turn_sees_the_reference_answers(tmp_path, prist_dev):
    """The typewriter dialogue: its first answer names what the question asked about."""
    out = tmp_path / "run"
    main(["--system", "agent", "--data", str(prist_dev), "--limit", "1", "--history", "closing", "--out", str(out),
          "--no-meteor", "--quiet"])
    closing = [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()
               if '"closing": true' in line][0]
    assert "papers" in closing["target"].lower() and closing["focus"] == "Loose papers on table"

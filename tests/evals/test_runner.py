"""Runner: resume after a kill, failures, workers, reports, contact sheet, CLI on the real PRIST dev file."""
import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from evals.datasets import load_dataset
from evals.errors import EvalError
from evals.report import build_report, write_report
from evals.results_log import ResultsLog
from evals.runner import run_eval
from evals.systems import build_system
from evals.systems.baselines import CenterBlobSystem
from tools.system import TurnResult

REPO = Path(__file__).resolve().parents[2]

CRASHY = '''
import os, sys
from evals.datasets import load_dataset
from evals.errors import EvalError
from evals.runner import run_eval
from evals.systems.baselines import CenterBlobSystem

class Crashy(CenterBlobSystem):
    def __init__(self, die_after, log):
        self.die_after, self.log, self.count = die_after, log, 0
    def predict(self, conv, text):
        with open(self.log, "a") as fh:
            fh.write(text + "\\n")
        self.count += 1
        if self.count == self.die_after:
            os._exit(3)
        return super().predict(conv, text)

data, out, die_after, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
run_eval(load_dataset(data), lambda: Crashy(die_after, log), out, progress=False)
'''


def _run_crashy(tmp_path, data, out, die_after, log):
    script = tmp_path / "crashy.py"
    script.write_text(CRASHY)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(script), str(data), str(out), str(die_after), str(log)],
                          env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def _keys(rows):
    return sorted((r["record"], r["turn"]) for r in rows if r.get("kind") == "turn")


def test_resume_after_kill_no_recompute_no_loss(tmp_path, records_dir):
    out, log1, log2 = tmp_path / "out", tmp_path / "asks1.txt", tmp_path / "asks2.txt"
    first = _run_crashy(tmp_path, records_dir, out, die_after=8, log=log1)   # dies in the 3rd dialogue (turn 2 of r2)
    assert first.returncode == 3, first.stderr
    rows = ResultsLog(out / "turns.jsonl").read()
    assert {r["record"] for r in rows} == {"r0", "r1", "r2"}              # r2 is half-done
    second = _run_crashy(tmp_path, records_dir, out, die_after=-1, log=log2)
    assert second.returncode == 0, second.stderr
    asked = log2.read_text().splitlines()
    assert not any(a.startswith(("rec0 ", "rec1 ")) for a in asked)        # finished dialogues not recomputed
    assert [a.split(":")[0] for a in asked] == [f"rec{i} turn {k}" for i in (2, 3, 4) for k in range(3)]
    rows = ResultsLog(out / "turns.jsonl").read()
    assert _keys(rows) == sorted((f"r{i}", k) for i in range(5) for k in range(3))   # no loss, no duplicates
    # same metrics as an uninterrupted run
    clean = tmp_path / "clean"
    run_eval(load_dataset(records_dir), CenterBlobSystem, clean, progress=False)
    a = build_report(rows, meteor=False)["segmentation"]["overall"]
    b = build_report(ResultsLog(clean / "turns.jsonl").read(), meteor=False)["segmentation"]["overall"]
    assert a == b


class _Flaky(CenterBlobSystem):
    def predict(self, conv, text):
        if text.startswith("rec1 turn 1"):
            raise RuntimeError("planner exploded\nsecond line")
        return super().predict(conv, text)


def test_failures_recorded_and_run_goes_on(tmp_path, records_dir):
    summary = run_eval(load_dataset(records_dir), _Flaky, tmp_path / "out", progress=False)
    assert summary["ran"] == 5 and summary["failures"] == 1
    rows = ResultsLog(tmp_path / "out" / "turns.jsonl").read()
    report = build_report(rows, meteor=False)
    assert report["failures"] == [{"record": "r1", "turn": 1, "error": "RuntimeError: planner exploded"}]
    assert report["counts"]["scored_turns"] == 10                  # r1's last scored turn kept as an empty prediction
    assert report["counts"]["scored_turns_in_failed_dialogues"] == 1
    again = run_eval(load_dataset(records_dir), _Flaky, tmp_path / "out", progress=False)
    assert again["ran"] == 0 and again["skipped"] == 5
    retried = run_eval(load_dataset(records_dir), CenterBlobSystem, tmp_path / "out", progress=False, retry_failed=True)
    assert retried["ran"] == 1 and retried["failures"] == 0


def test_gold_history_needs_support(tmp_path, records_dir):
    class Plain:
        name = "plain"

        def start(self, image):
            class Conv:
                def ask(self, text):
                    return TurnResult(text="x")
            return Conv()

    with pytest.raises(EvalError, match="use_reference_answer"):
        run_eval(load_dataset(records_dir), Plain, tmp_path / "gold", history="gold", progress=False)
    run_eval(load_dataset(records_dir), CenterBlobSystem, tmp_path / "gold2", history="gold", progress=False)
    assert not build_report(ResultsLog(tmp_path / "gold2" / "turns.jsonl").read(), meteor=False)["failures"]


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_workers_match_sequential(tmp_path, records_dir, kind):
    ds = load_dataset(records_dir)
    factory = functools.partial(build_system, "center-blob")
    run_eval(ds, factory, tmp_path / "seq", progress=False)
    run_eval(ds, factory, tmp_path / kind, workers=2, worker_kind=kind, progress=False)
    seq = {(r["record"], r["turn"], r.get("iou")) for r in ResultsLog(tmp_path / "seq" / "turns.jsonl").read()}
    par = {(r["record"], r["turn"], r.get("iou")) for r in ResultsLog(tmp_path / kind / "turns.jsonl").read()}
    assert seq == par and len(seq) == 15


def test_report_files_and_contact_sheet(tmp_path, records_dir):
    out = tmp_path / "cli"
    cmd = [sys.executable, "-m", "evals.run", "--system", "oracle-box", "--data", str(records_dir), "--out", str(out),
           "--no-meteor", "--quiet", "--contact", "2"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    seg = report["segmentation"]
    assert seg["overall"]["turns"] == 10 and 0 < seg["overall"]["giou"] <= 1
    assert set(seg["by_position"]) == {"scored turn 1", "scored turn 2"}
    assert set(seg["by_tag"]) == {"group0", "group1"}
    assert report["latency"]["per_turn"]["turns"] == 15
    assert "CIoU" in (out / "report.md").read_text()
    with Image.open(out / "contact_sheet.png") as sheet:
        assert sheet.width > 50 and sheet.height > 200
    # --report-only rebuilds the report from the log without running anything
    (out / "report.json").unlink()
    again = subprocess.run(cmd + ["--report-only"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "ran 0 dialogues" in again.stdout
    assert json.loads((out / "report.json").read_text())["segmentation"]["overall"] == seg["overall"]
    # a different run into the same folder is refused with one line
    clash = subprocess.run(cmd[:4] + ["empty"] + cmd[5:], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert clash.returncode == 2 and "different configuration" in clash.stderr
    assert len(clash.stderr.strip().splitlines()) == 1


def test_cli_prist_text_only_with_limit(tmp_path, prist_dev):
    out = tmp_path / "prist"
    cmd = [sys.executable, "-m", "evals.run", "--system", "center-blob", "--data", str(prist_dev), "--limit", "6",
           "--out", str(out), "--no-meteor", "--quiet", "--images", str(tmp_path / "no_images")]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["counts"]["dialogues"] == 6 and report["counts"]["scored_turns"] == 0
    assert report["counts"]["text_only_dialogues"] == 6
    assert report["focus"]["dialogues"] == 6 and 0 <= report["focus"]["score"] <= 1
    assert report["text"]["pairs"] == report["counts"]["turns"] >= 18
    assert any("text-only" in n for n in report["notes"])


def test_cli_bad_input_one_line(tmp_path, records_dir):
    for args in (["--system", "empty", "--data", str(tmp_path / "nothing")],
                 ["--system", "nosuch", "--data", str(records_dir)],
                 ["--system", "empty", "--data", str(records_dir), "--planner", "rule"]):
        done = subprocess.run([sys.executable, "-m", "evals.run", *args, "--out", str(tmp_path / "o"), "--quiet"],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1


def test_prist_original_with_images_and_labelme(tmp_path, prist_folder):
    images, masks = prist_folder
    ds = load_dataset(tmp_path, images=images, masks=masks)
    run_eval(ds, functools.partial(build_system, "oracle", dataset=ds), tmp_path / "oracle", progress=False)
    run_eval(ds, CenterBlobSystem, tmp_path / "blob", progress=False)
    oracle = build_report(ResultsLog(tmp_path / "oracle" / "turns.jsonl").read(), meteor=False)
    blob = build_report(ResultsLog(tmp_path / "blob" / "turns.jsonl").read(), meteor=False)
    assert oracle["counts"]["scored_turns"] == 1 and oracle["segmentation"]["overall"]["ciou"] == 1.0
    assert oracle["target_agreement"] == {"turns": 1, "token_f1": 1.0, "head_match": 1.0, "score": 1.0}
    assert oracle["focus"]["dialogues"] == 2 and oracle["focus"]["score"] == 1.0
    assert blob["counts"]["scored_turns"] == 1 and 0 < blob["segmentation"]["overall"]["ciou"] < 0.5
    assert blob["counts"]["text_only_dialogues"] == 1


def test_build_system_errors_are_one_line(monkeypatch, tmp_path):
    import evals.systems as systems

    mod = tmp_path / "fake_sys_mod.py"
    mod.write_text("class Broken:\n    def __init__(self, checkpoint=None):\n        raise OSError('no weights here\\nmore')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(systems._LAZY, "miras", ("fake_sys_mod", "Broken"))
    with pytest.raises(EvalError, match=r"could not be built: OSError: no weights here$"):
        build_system("miras", checkpoint="x")
    with pytest.raises(EvalError, match="does not take option"):
        build_system("miras", planner="rule")
    with pytest.raises(EvalError, match="unknown system"):
        build_system("nosuch")


class _FallingBack(CenterBlobSystem):
    """Stands in for an agent whose served planner answered 429 on the second turn of every dialogue."""

    def start(self, image):
        conv = super().start(image)
        ask = conv.ask

        def ask_with_extra(text):
            result = ask(text)
            if " turn 1" in text:
                result.extra["planner_fallback"] = "planner endpoint http://x/v1 answered HTTP 429:\nslow down"
            return result

        conv.ask = ask_with_extra
        return conv


def test_planner_fallback_is_logged_and_counted(tmp_path, records_dir):
    run_eval(load_dataset(records_dir), _FallingBack, tmp_path / "out", progress=False)
    rows = ResultsLog(tmp_path / "out" / "turns.jsonl").read()
    assert {r["planner_fallback"] for r in rows if r.get("planner_fallback")} == {
        "planner endpoint http://x/v1 answered HTTP 429: slow down"}
    assert build_report(rows, meteor=False)["counts"]["planner_fallback_turns"] == 5

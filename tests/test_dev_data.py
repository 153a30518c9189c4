"""Without ../shared (a clone of the public repository) tests that need the development data skip with one line
naming what is missing; under CI (CI=true) the same tests fail."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDS_DATA = ["tests/evals/test_datasets.py::test_real_prist_dev_loads_text_only",
              "tests/agent/test_focus.py::test_every_prist_closing_turn_is_recognised",
              "tests/evals/test_coco_refer.py::test_benchmark_from_coco_tiny"]


def _pytest(tmp_path: Path, ci: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIXELRIST_SHARED_DATA": str(tmp_path / "no_shared"), "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider", *NEEDS_DATA],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_missing_data_skips_with_one_line(tmp_path):
    done = _pytest(tmp_path, ci="")
    assert done.returncode == 0, done.stdout[-2000:]
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert "3 skipped" in done.stdout and skipped, done.stdout[-2000:]
    assert all(f"development data not found: {tmp_path / 'no_shared'}" in line for line in skipped)


def test_missing_data_fails_under_ci(tmp_path):
    done = _pytest(tmp_path, ci="true")
    assert done.returncode == 1 and "3 errors" in done.stdout, done.stdout[-2000:]  # errors at fixture set-up
    assert "development data not found" in done.stdout and "Traceback" not in done.stdout

"""`python -m agent.chat`: scripted turns (in-process and as a subprocess), resume by thread, the REPL
through stdin, and one-line errors with exit status 2. Real MobileSAM + OCR on a drawn EXIT sign."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from agent.chat import main
from tools.masks import decode_rle, load_mask_png

ROOT = Path(__file__).resolve().parents[2]
SIGN_BOX = (150, 60, 290, 130)  # the red sign; the white text sits inside it


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("chat")
    img = Image.new("RGB", (320, 240), (90, 120, 90))
    draw = ImageDraw.Draw(img)
    draw.rectangle(SIGN_BOX, fill=(200, 30, 30))
    draw.text((165, 70), "EXIT", fill=(255, 255, 255), font=ImageFont.load_default(size=44))
    draw.ellipse([20, 150, 90, 220], fill=(30, 30, 200))
    path = folder / "exit.png"
    img.save(path)
    return {"image": str(path), "db": str(folder / "conv.sqlite"), "out": folder / "out", "folder": folder}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _inside_sign(box) -> bool:
    x0, y0, x1, y1 = box
    return x0 >= SIGN_BOX[0] - 4 and y0 >= SIGN_BOX[1] - 4 and x1 <= SIGN_BOX[2] + 5 and y1 <= SIGN_BOX[3] + 5


@pytest.mark.slow
def test_scripted_json_turns_write_artifacts_and_resume(scene, capsys):
    argv = [scene["image"], "--turn", "the sign that says EXIT", "--turn", "what colour is it?", "--json",
            "--grounder", "ocr", "--db", scene["db"], "--out", str(scene["out"])]
    assert main(argv) == 0
    captured = capsys.readouterr()
    first, second = _json_lines(captured.out)
    assert first["turn"] == 1 and second["turn"] == 2 and first["thread_id"] == second["thread_id"]
    assert "EXIT" in first["text"] and first["score"] > 0.5 and _inside_sign(first["bbox"])
    mask = decode_rle(first["rle"])
    assert mask.shape == (240, 320) and 300 < mask.sum() < 140 * 70 * 1.2
    assert np.array_equal(load_mask_png(first["mask_path"]), mask)
    assert Path(first["overlay_path"]).is_file() and Path(first["mask_path"]).with_name(f"{first['thread_id']}_turn_01.json").is_file()
    assert second["rle"] is None and "red" in second["text"].lower()
    assert "thread:" in captured.err  # progress and the thread id go to stderr

    # continue the stored conversation without naming the image again
    assert main(["--thread", first["thread_id"], "--turn", "what colour is it?", "--json", "--grounder", "ocr",
                 "--db", scene["db"]]) == 0
    (third,) = _json_lines(capsys.readouterr().out)
    assert third["turn"] == 3 and third["thread_id"] == first["thread_id"] and "red" in third["text"].lower()


def test_image_with_a_new_thread_id_starts_it_and_the_id_alone_continues_it(scene, capsys):
    db = str(scene["folder"] / "named.sqlite")
    tail = ["--json", "--grounder", "ocr", "--db", db]
    assert main([scene["image"], "--thread", "kitchen-1", "--turn", "the sign that says EXIT", *tail]) == 0
    (first,) = _json_lines(capsys.readouterr().out)
    assert first["thread_id"] == "kitchen-1" and first["turn"] == 1 and first["rle"]
    assert main(["--thread", "kitchen-1", "--turn", "what colour is it?", *tail]) == 0
    (second,) = _json_lines(capsys.readouterr().out)
    assert second["thread_id"] == "kitchen-1" and second["turn"] == 2 and "red" in second["text"].lower()
    assert main([scene["image"], "--thread", "kitchen-1", "--turn", "what colour is it?", *tail]) == 0
    (third,) = _json_lines(capsys.readouterr().out)
    assert third["turn"] == 3  # image and a stored id: the stored conversation goes on


def test_repl_through_stdin(scene, capsys, monkeypatch):
    save_dir = scene["folder"] / "saved"
    script = "\n".join(["/help", "the sign that says EXIT", "/history", "/undo", "/history", "/undo",
                        "the sign that says EXIT", f"/save {save_dir}", "/reset", "/history", "/bogus", "/quit",
                        "never reached"]) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert main([scene["image"], "--grounder", "ocr", "--db", scene["db"]]) == 0
    out = capsys.readouterr().out
    assert "/save [DIR]" in out  # help text
    assert out.count("[1] I segmented") == 2 and "undone" in out and "nothing to undo" in out
    assert "[1] you: the sign that says EXIT" in out and "unknown command /bogus" in out and "new conversation" in out
    assert "never reached" not in out
    (saved_file,) = save_dir.glob("*/*_conversation.json")  # save_dir/<thread>/<thread>_conversation.json
    saved = json.loads(saved_file.read_text())
    assert len(saved["turns"]) == 1 and Path(saved["turns"][0]["mask_path"]).is_file()
    assert Path(saved["turns"][0]["overlay_path"]).name == f"{saved['thread_id']}_turn_01_overlay.png"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("argv_tail, fragment", [
    (["/no/such/image.jpg"], "no such file"),
    (["--thread", "not-a-thread"], "no stored conversation"),
    ([], "give an IMAGE"),
    (["IMG", "--planner", "local"], "--planner-path"),
    (["IMG", "--planner", "openai", "--planner-url", "http://127.0.0.1:PORT/v1"], "unreachable"),
    (["IMG", "--segmenter", "sam", "--segmenter-path", "/no/such/folder"], "folder"),
])
def test_expected_errors_are_one_line_exit_2(scene, capsys, argv_tail, fragment):
    argv = [a.replace("IMG", scene["image"]).replace("PORT", str(_free_port())) for a in argv_tail]
    assert main([*argv, "--turn", "x", "--db", scene["db"]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and fragment in err[-1] and "Traceback" not in "\n".join(err)


def _run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent.chat", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@pytest.mark.slow
def test_subprocess_scripted_and_missing_weights(scene, tmp_path):
    proc = _run([scene["image"], "--turn", "the sign that says EXIT", "--json", "--grounder", "ocr",
                 "--db", str(tmp_path / "c.sqlite")])
    assert proc.returncode == 0, proc.stderr
    (line,) = _json_lines(proc.stdout)
    assert _inside_sign(line["bbox"]) and line["rle"]["size"] == [240, 320]

    missing = _run([scene["image"], "--turn", "the sign that says EXIT", "--grounder", "ocr",
                    "--db", str(tmp_path / "c.sqlite")], env={"PIXELRIST_WEIGHTS": str(tmp_path / "empty")})
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    last = missing.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "python -m tools.weights fetch mobile_sam" in last

"""`python -m tools.segment`: boxes -> mask PNGs + overlay + JSON; bad image -> one line, exit 2."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[3]


def _run(*args):
    return subprocess.run([sys.executable, "-m", "tools.segment", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_cli_two_boxes_writes_masks_overlay_and_json(tmp_path, mobile_sam):
    arr = np.zeros((120, 160, 3), np.uint8)
    arr[20:60, 20:70] = (220, 40, 40)
    arr[70:110, 90:150] = (40, 40, 220)
    Image.fromarray(arr).save(tmp_path / "img.png")
    out = tmp_path / "out"
    proc = _run(tmp_path / "img.png", "--box", "20,20,70,60", "--box", "90,70,150,110", "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["masks"]) == 2 and set(data["timings"]) == {"load_s", "embed_s", "decode_s"}
    for m in data["masks"]:
        assert m["rle"]["size"] == [120, 160] and m["area"] > 0 and 0 <= m["score"] <= 1.5
        assert Path(m["png"]).is_file()
    assert (out / "overlay.png").is_file()
    from tools.masks import decode_rle

    first = decode_rle(data["masks"][0]["rle"])
    assert first[40, 45] and not first[90, 120]


def test_cli_bad_image_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_text("nope")
    proc = _run(bad, "--box", "1,2,3,4")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error:") and len(proc.stderr.strip().splitlines()) == 1


def test_cli_bad_box_one_line_exit_2(tmp_path):
    Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(tmp_path / "a.png")
    proc = _run(tmp_path / "a.png", "--box", "1,2,3")
    assert proc.returncode == 2 and "expects 4" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1

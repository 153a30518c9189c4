import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tools import ground
from tools.grounders import GROUNDERS, Grounder, GrounderError, build_grounder
from tools.grounders.haar import HaarGrounder
from tools.grounders.ocr import OcrGrounder
from tools.grounders.proposals import ProposalGrounder


def test_registry_builds_embedded_grounders(fake_segmenter):
    assert isinstance(build_grounder("ocr"), OcrGrounder)
    assert isinstance(build_grounder("haar"), HaarGrounder)
    g = build_grounder("proposals", segmenter=fake_segmenter)
    assert isinstance(g, ProposalGrounder) and isinstance(g, Grounder)
    assert set(GROUNDERS) == {"ocr", "proposals", "haar", "detector", "people", "grounding_dino", "owlv2"}
    with pytest.raises(GrounderError, match="unknown grounder"):
        build_grounder("yolo")
    with pytest.raises(GrounderError, match="local model folder"):
        build_grounder("grounding_dino")


@pytest.fixture
def text_png(tmp_path, text_image):
    path = tmp_path / "sign.png"
    Image.fromarray(text_image[0]).save(path)
    return path


def test_cli_prints_regions_and_writes_overlay(text_png, tmp_path, capsys):
    assert ground.main([str(text_png), "the sign that says EXIT", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "text: EXIT" in out and "score=" in out
    overlay = tmp_path / "out" / "sign_ground.png"
    assert overlay.exists() and np.asarray(Image.open(overlay)).shape == (360, 640, 3)


def test_cli_json(text_png, capsys):
    assert ground.main([str(text_png), "find the text TISSOT", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["text"] == "TISSOT" and len(records[0]["box"]) == 4


def test_cli_bad_image_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not an image")
    proc = subprocess.run([sys.executable, "-m", "tools.ground", str(bad), "a cat", "--grounder", "haar"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("error:") and "Traceback" not in proc.stderr


def test_cli_missing_model_folder(text_png, tmp_path, capsys):
    assert ground.main([str(text_png), "a cat", "--grounder", "owlv2", "--model-path", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err

"""The LangChain vision tools, invoked as an agent would, on real small rendered images."""
import sys
from pathlib import Path

import numpy as np
import pytest
from langchain_core.messages import ToolMessage
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent / "grounders"))
from grounder_fakes import FakeSegmenter, real_segmenter_or_skip  # noqa: E402

from tools.langchain_tools import build_vision_tools  # noqa: E402
from tools.masks import decode_rle, iou  # noqa: E402


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A 240x320 image: a red square (40..120, 60..140) and the word EXIT in black at the right."""
    import matplotlib.font_manager as fm
    from PIL import ImageDraw, ImageFont

    img = Image.new("RGB", (320, 240), (205, 205, 205))
    d = ImageDraw.Draw(img)
    d.rectangle([40, 60, 119, 139], fill=(220, 30, 30))
    d.text((180, 100), "EXIT", font=ImageFont.truetype(fm.findfont("DejaVu Sans"), 40), fill=(0, 0, 0))
    path = tmp_path_factory.mktemp("lc") / "scene.png"
    img.save(path)
    square = np.zeros((240, 320), bool)
    square[60:140, 40:120] = True
    return str(path), square


@pytest.fixture(scope="module")
def tools(scene):
    _, square = scene
    text = np.asarray(Image.open(scene[0]).convert("L")) < 60
    return {t.name: t for t in build_vision_tools(segmenter=FakeSegmenter([square, text]))}


def test_tool_names_and_schemas(tools):
    assert set(tools) == {"segment_box", "read_text", "find_text", "propose_regions"}
    assert set(tools["segment_box"].args) == {"image_path", "box"}
    assert "description" in tools["segment_box"].args["box"]


def test_segment_box_content_and_artifact(tools, scene):
    path, square = scene
    text = tools["segment_box"].invoke({"image_path": path, "box": [30, 50, 130, 150]})
    assert "px" in text
    msg = tools["segment_box"].invoke({"type": "tool_call", "id": "c1", "name": "segment_box",
                                       "args": {"image_path": path, "box": [30, 50, 130, 150]}})
    assert isinstance(msg, ToolMessage)
    art = msg.artifact
    assert iou(decode_rle(art["rle"]), square) > 0.99 and art["area"] == 6400 and art["bbox"] == [40, 60, 120, 140]


def test_read_and_find_text(tools, scene):
    path, _ = scene
    assert "EXIT" in tools["read_text"].invoke({"image_path": path})
    msg = tools["find_text"].invoke({"type": "tool_call", "id": "c2", "name": "find_text",
                                     "args": {"image_path": path, "text": "exit"}})
    rec = msg.artifact[0]
    assert rec["text"] == "EXIT" and rec["box"][0] >= 170 and rec["box"][2] <= 300
    assert "not found" in tools["find_text"].invoke({"image_path": path, "text": "ZEBRA"})


def test_propose_regions_ranks_by_query(tools, scene):
    path, square = scene
    msg = tools["propose_regions"].invoke({"type": "tool_call", "id": "c3", "name": "propose_regions",
                                           "args": {"image_path": path, "query": "the red square", "top_k": 2}})
    assert len(msg.artifact) == 2
    top = msg.artifact[0]
    assert iou(decode_rle(top["rle"]), square) > 0.99 and top["attributes"]["colors"] == ["red"]
    assert "red" in msg.content.splitlines()[0]


def test_bad_inputs_return_one_line_errors(tools, scene, tmp_path):
    path, _ = scene
    missing = tools["read_text"].invoke({"image_path": str(tmp_path / "nope.png")})
    assert missing.startswith("error:") and "\n" not in missing
    outside = tools["segment_box"].invoke({"image_path": path, "box": [500, 500, 600, 600]})
    assert outside.startswith("error:") and "outside" in outside
    short = tools["segment_box"].invoke({"image_path": path, "box": [1, 2, 3]})
    assert short.startswith("error:")


@pytest.mark.slow
def test_segment_box_with_real_mobile_sam(scene):
    seg = real_segmenter_or_skip()
    path, square = scene
    tool = {t.name: t for t in build_vision_tools(segmenter=seg)}["segment_box"]
    msg = tool.invoke({"type": "tool_call", "id": "c4", "name": "segment_box",
                       "args": {"image_path": path, "box": [35, 55, 125, 145]}})
    assert iou(decode_rle(msg.artifact["rle"]), square) > 0.85

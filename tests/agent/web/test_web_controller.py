"""agent.web without a browser: the controller's actions, turn references, downloads, reopening by thread id,
and errors as one line with the stored conversation intact (stand-in backends on a drawn scene)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from web_fakes import backends, loader, scene_file

from agent.web import uploads
from agent.web.controller import WebChat
from agent.web.errors import ModelsNotReady, WebInputError, one_line
from agent.web.references import split_turn_reference
from agent.web.view import display_scale
from tools.masks import decode_rle, iou, load_mask_png


@pytest.fixture
def setup(tmp_path):
    path, scene = scene_file(tmp_path)
    chat = WebChat(loader(), db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work")
    yield chat, path, scene
    chat.close()


def test_a_conversation_through_the_controller(setup):
    chat, path, scene = setup
    said = []
    page = chat.open_image(path, say=said.append)
    assert page.view.overlay.shape == (320, 480, 3) and page.status.startswith("opened shapes_x1.png (480x320)")
    assert "encoding the image" in said and page.messages == [] and page.strip == []
    page = chat.ask(page.key, "segment the red circle")
    assert page.view.turn == 1 and "I segmented the red circle" in page.view.info and "**Timing:**" in page.view.info
    assert len(page.strip) == 1 and page.strip[0][1] == "1: the red circle"
    assert page.status.startswith("turn 1 done in") and page.seconds["ask"] > 0
    assert iou(load_mask_png(page.mask_png), scene.shapes["red_circle"]) > 0.95
    rle = json.loads(open(page.mask_rle).read())
    assert rle["turn"] == 1 and rle["thread_id"] == page.thread_id and iou(decode_rle(rle["rle"]), scene.shapes["red_circle"]) > 0.95
    page = chat.ask(page.key, "the sign that says EXIT")
    assert "**OCR text:** OCR read 'EXIT'" in page.view.info
    page = chat.click(page.key, 270, 150)
    assert page.view.turn == 3 and "add click" in page.view.info and len(page.strip) == 3
    page = chat.ask(page.key, "what colour is it?")
    assert page.view.turn == 4 and "(no mask: an answer)" in page.view.info and page.mask_png is None
    assert not np.array_equal(page.view.overlay, chat.open_image(path).view.overlay)  # shows the target it is about
    conversation = json.loads(open(page.conversation).read())
    assert [t["turn"] for t in conversation["turns"]] == [1, 2, 3, 4] and conversation["turns"][2]["rle"]["counts"]
    assert [m["role"] for m in page.messages] == ["user", "assistant"] * 4
    page = chat.select(page.key, 0)
    assert page.view.turn == 1 and "the mask from turn 1" in page.status
    page = chat.undo(page.key)
    assert page.status == "undid the last turn" and page.view.turn == 3 and len(page.strip) == 3
    tid = page.thread_id
    page = chat.reset(page.key)
    assert page.thread_id != tid and page.messages == [] and page.view.turn is None


def test_a_click_on_an_earlier_turn_refines_that_turn(setup):
    chat, path, scene = setup
    key = chat.open_image(path).key
    chat.ask(key, "segment the red circle")
    chat.ask(key, "the blue square")
    chat.select(key, 0)
    page = chat.click(key, 420, 170)  # the small red square, added to the circle shown
    users = [m["content"] for m in page.messages if m["role"] == "user"]
    assert users[2:] == ["the mask from turn 1", "[click] add (420, 170) to the red circle"]
    mask = decode_rle(chat._open[key].session.history()[-1]["rle"])
    assert iou(mask, scene.shapes["red_circle"] | scene.shapes["small_red_square"]) > 0.95


def test_turn_references_in_text(setup):
    chat, path, scene = setup
    key = chat.open_image(path).key
    chat.ask(key, "segment the red circle")
    chat.ask(key, "the blue square")
    page = chat.ask(key, "go back to the mask from turn 1")
    assert page.view.turn == 3 and "Back to turn 1's target" in page.view.info
    page = chat.ask(key, "what colour is the mask from turn 2?")
    users = [m["content"] for m in page.messages if m["role"] == "user"]
    assert users[3:] == ["the mask from turn 2", "what colour is it?"]
    assert "blue" in page.messages[-1]["content"]


@pytest.mark.parametrize("text, expected", [
    ("the mask from turn 2", (2, None)),
    ("go back to turn 3", (3, None)),
    ("Use the one in turn #12 again, please", (12, None)),
    ("what colour is the mask from turn 2?", (2, "what colour is it?")),
    ("what is left of the target of turn 4", (4, "what is left of it")),
    ("segment the red circle", (None, None)),
    ("turn left", (None, None)),
])
def test_split_turn_reference(text, expected):
    assert split_turn_reference(text) == expected


def test_reopen_by_thread_id_after_a_restart(setup, tmp_path):
    chat, path, _ = setup
    key = chat.open_image(path).key
    chat.ask(key, "segment the red circle")
    chat.click(key, 270, 150)
    tid = chat._open[key].session.thread_id
    chat.close()
    again = WebChat(loader(), db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work2")
    page = again.resume(tid)
    assert page.thread_id == tid and page.view.turn == 2 and len(page.strip) == 2
    assert page.status == f"reopened thread {tid} (2 turns)"
    for bad, says in (("../../etc/passwd", "is not a plain name"), ("x" * 200, "the limit is 128"),
                      ("no-such-thread", "no stored conversation")):
        with pytest.raises(ValueError) as err:
            again.resume(bad)
        assert says in one_line(err.value) and "\n" not in one_line(err.value)
    again.close()


def test_errors_are_one_line_and_leave_the_conversation_intact(setup, tmp_path, monkeypatch):
    chat, path, _ = setup
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a picture")
    with pytest.raises(ValueError) as err:
        chat.open_image(bad)
    assert one_line(err.value) == "error: broken.png: not a readable image (UnidentifiedImageError)"
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(WebInputError) as err:
        chat.open_image(path)
    assert one_line(err.value).startswith("error: shapes_x1.png is ") and one_line(err.value).endswith(
        "bytes; the upload limit is 1000 bytes")
    monkeypatch.undo()
    with pytest.raises(WebInputError, match="open an image first"):
        chat.ask("no-such-key", "hello")
    key = chat.open_image(path).key
    chat.ask(key, "segment the red circle")
    before = chat._open[key].session.history()
    with pytest.raises(ValueError, match="empty turn"):
        chat.ask(key, "   ")
    runtime = chat._open[key].session.runtime

    def explode(image, query):
        raise RuntimeError("OCR exploded")

    monkeypatch.setattr(runtime.grounders["ocr"], "ground", explode)
    with pytest.raises(RuntimeError) as err:
        chat.ask(key, "the sign that says EXIT")  # fails inside the graph, midway through the turn
    line = one_line(err.value)
    assert line == "error: internal error (RuntimeError: OCR exploded); the conversation is unchanged"
    runtime.segmenter.fail = True
    with pytest.raises(RuntimeError, match="segmenter exploded"):
        chat.click(key, 270, 150)
    assert chat._open[key].session.history() == before
    monkeypatch.undo()
    runtime.segmenter.fail = False
    page = chat.ask(key, "the blue square")
    assert page.view.turn == 2 and [t for t in chat.page(key).strip_turns] == [1, 2]


@pytest.mark.parametrize("error, says", [
    ("weights", "mobile_sam.pt is missing"),
    ("planner", "planner endpoint http://127.0.0.1:9/v1 is unreachable"),
])
def test_model_load_failures_are_shown_as_one_line(tmp_path, error, says):
    from agent.planners import PlannerError
    from tools.weights import MissingWeightsError

    exc = MissingWeightsError("mobile_sam.pt is missing: run python -m tools.weights fetch") if error == "weights" \
        else PlannerError("planner endpoint http://127.0.0.1:9/v1 is unreachable (connection refused)")
    broken = loader(error=exc)
    chat = WebChat(broken, db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work")
    path, _ = scene_file(tmp_path)
    with pytest.raises(ModelsNotReady) as err:
        chat.open_image(path)
    assert says in one_line(err.value) and broken.status().startswith("error: ")
    assert "\n" not in broken.status() and "Traceback" not in broken.status()


def test_large_images_are_shown_scaled_and_clicks_map_back(tmp_path):
    path, scene = scene_file(tmp_path, scale=4)  # 1920x1280
    chat = WebChat(loader(), db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work")
    page = chat.open_image(path)
    scale = display_scale(1920, 1280)
    assert page.view.overlay.shape == (853, 1280, 3) and scale == pytest.approx(2 / 3)
    page = chat.click(page.key, 270 * 4 * scale, 150 * 4 * scale)
    record = chat._open[page.key].session.history()[-1]
    assert record["intent"]["points"] == [[1080.0, 600.0]]
    chat.close()

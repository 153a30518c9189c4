"""agent.clicks: click refinement and "back to turn N" recorded as turns, on a drawn scene with stand-ins."""
from __future__ import annotations

import numpy as np
import pytest
from web_fakes import EXIT_BOX, FakeOcr, FakeProposals, PointSegmenter
from tests.agent.agent_scenes import shapes_scene

from agent.clicks import CLICK_SOURCE, add_click, click_points, recall_turn, refine_by_points
from agent.memory import current_target
from agent.session import Session, TurnError
from tools.masks import iou

SQUARE_CENTRE, CIRCLE_CENTRE, BAR_CENTRE = (270, 150), (95, 165), (270, 260)


@pytest.fixture
def scene():
    return shapes_scene()


def make(scene, tmp_path, **kw):
    kw.setdefault("segmenter", PointSegmenter())
    kw.setdefault("grounders", [FakeProposals(), FakeOcr({"EXIT": EXIT_BOX})])
    return Session(scene.pixels, db_path=tmp_path / "c.sqlite", **kw)


def memory(s):
    return s.graph.get_state(s.config).values["memory"]


def test_a_click_adds_to_the_target_and_a_later_question_is_about_the_clicked_mask(scene, tmp_path):
    s = make(scene, tmp_path)
    circle = s.ask("segment the red circle").mask
    assert iou(circle, scene.shapes["red_circle"]) > 0.95
    r = add_click(s, *SQUARE_CENTRE)
    joined = scene.shapes["red_circle"] | scene.shapes["blue_square"]
    assert iou(r.mask, joined) > 0.95 and r.extra["turn"] == 2
    assert "1 add click" in r.text and "Changed from turn 1's mask" in r.text
    last = s.history()[-1]
    assert last["user"] == "[click] add (270, 150) to the red circle" and last["rle"] == r.extra["rle"]
    cur = current_target(memory(s))
    assert cur["source"] == CLICK_SOURCE and cur["turn"] == 2 and cur["phrase"] == "the red circle"
    messages = s.graph.get_state(s.config).values["messages"]
    assert [m.type for m in messages[-2:]] == ["human", "ai"] and messages[-1].content == r.text
    answer = s.ask("what colour is it?")
    assert answer.mask is None and f"its {int(joined.sum())} mask pixels" in answer.text
    assert "red" in answer.text and "blue" in answer.text


def test_undo_removes_the_click_turn(scene, tmp_path):
    s = make(scene, tmp_path)
    s.ask("segment the red circle")
    add_click(s, *SQUARE_CENTRE)
    assert len(s.history()) == 2
    assert s.undo()
    assert [h["turn"] for h in s.history()] == [1] and click_points(s) == ([], [])
    assert current_target(memory(s))["source"] != CLICK_SOURCE
    answer = s.ask("what colour is it?")
    assert f"its {int(scene.shapes['red_circle'].sum())} mask pixels" in answer.text and "blue" not in answer.text


def test_clicks_accumulate_and_a_negative_click_removes(scene, tmp_path):
    s = make(scene, tmp_path)
    s.ask("segment the red circle")
    add_click(s, *SQUARE_CENTRE)
    r = add_click(s, *CIRCLE_CENTRE, positive=False)
    assert iou(r.mask, scene.shapes["blue_square"]) > 0.95
    points, labels = click_points(s)
    assert points == [[270.0, 150.0], [95.0, 165.0]] and labels == [1, 0]
    intent = s.history()[-1]["intent"]
    assert intent["base_box"] == s.history()[0]["box"]  # later clicks keep prompting with the original box
    assert s.history()[-1]["user"].startswith("[click] remove (95, 165) from")
    assert "1 add click, 1 remove" in r.text


def test_first_click_without_a_target(scene, tmp_path):
    s = make(scene, tmp_path)
    r = refine_by_points(s, [BAR_CENTRE], [1])
    assert iou(r.mask, scene.shapes["yellow_bar"]) > 0.95 and "the clicked region" in r.text
    assert s.ask("no, the other one").extra["turn"] == 2  # a correction after a click turn still works


def test_bad_points_are_refused_before_anything_is_written(scene, tmp_path):
    s = make(scene, tmp_path)
    with pytest.raises(TurnError, match="inside the 480x320 image"):
        refine_by_points(s, [(480, 10)], [1])
    with pytest.raises(TurnError, match="at least one positive"):
        refine_by_points(s, [(10, 10)], [0])
    with pytest.raises(TurnError, match="one label per point"):
        refine_by_points(s, [(10, 10), (20, 20)], [1])
    assert s.history() == []


def test_recall_turn_makes_an_earlier_mask_current(scene, tmp_path):
    s = make(scene, tmp_path)
    s.ask("segment the red circle")
    s.ask("what colour is it?")
    s.ask("the sign that says EXIT")
    r = recall_turn(s, 1)
    assert iou(r.mask, scene.shapes["red_circle"]) > 0.95 and r.text.startswith("Back to turn 1's target.")
    assert s.history()[-1]["user"] == "the mask from turn 1"
    assert "red" in s.ask("what colour is it?").text
    with pytest.raises(TurnError, match="turn 2 has no mask"):
        recall_turn(s, 2)
    with pytest.raises(TurnError, match="there is no turn 99"):
        recall_turn(s, 99)
    assert [h["turn"] for h in s.history()] == [1, 2, 3, 4, 5]  # the refused recalls left nothing behind
    assert s.ask("what colour is it?").extra["turn"] == 6


def test_click_and_recall_turns_run_through_the_graph(scene, tmp_path):
    """The graph itself takes {"action": ...}: a click goes attach_image -> segment_points -> respond, and
    respond writes its record; an unknown action is refused in one line."""
    s = make(scene, tmp_path)
    s.ask("segment the red circle")
    seen = []
    for chunk in s.graph.stream({"action": {"kind": "click", "points": [list(SQUARE_CENTRE)], "labels": [1]}},
                                s.config, context=s.context, stream_mode="updates"):
        seen += list(chunk)
    assert seen == ["attach_image", "segment_points", "respond"]
    values = s.values()
    assert values["turn"] == 2 and values["action"] is None and values["results"][-1]["rle"]
    assert set(values["results"][-1]["timings"]) == {"segment", "select", "explain", "respond"}
    with pytest.raises(TurnError, match="unknown action 'wave'"):
        s.act({"kind": "wave"})
    assert s.values()["turn"] == 2


def test_a_click_turn_survives_a_restart(scene, tmp_path):
    s = make(scene, tmp_path)
    s.ask("segment the red circle")
    add_click(s, *SQUARE_CENTRE)
    tid = s.thread_id
    s.close()
    s2 = Session.resume(tid, db_path=tmp_path / "c.sqlite", image=scene.pixels, segmenter=PointSegmenter(),
                        grounders=[FakeProposals()])
    assert [h["user"] for h in s2.history()][-1].startswith("[click] add")
    r = add_click(s2, *BAR_CENTRE)
    assert click_points(s2)[0] == [[270.0, 150.0], [270.0, 260.0]]
    assert np.count_nonzero(r.mask & scene.shapes["yellow_bar"]) > 0.9 * scene.shapes["yellow_bar"].sum()

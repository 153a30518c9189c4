"""Session end to end on drawn scenes with fast stand-in backends (the real stack: test_session_real.py)."""
from __future__ import annotations

import json

import pytest
from agent_scenes import FakeOcr, FakeProposals, FakeSegmenter, mug_scene, shapes_scene

from agent.planners.base import PlannerError
from agent.session import Session, SessionError, TurnError
from tools.images import ImageError
from tools.masks import iou

EXIT_BOX = [348, 32, 440, 70]


@pytest.fixture
def scene():
    return shapes_scene()


def make(image, tmp_path, **kw):
    kw.setdefault("segmenter", FakeSegmenter())
    kw.setdefault("grounders", [FakeProposals(), FakeOcr({"EXIT": EXIT_BOX})])
    return Session(image, db_path=tmp_path / "c.sqlite", **kw)


def best_shape(mask, shapes):
    return max(shapes, key=lambda k: iou(mask, shapes[k]))


def test_phenomena_in_one_conversation(scene, tmp_path):
    s = make(scene.pixels, tmp_path, out_dir=tmp_path / "out")
    r = s.ask("segment the red circle")
    assert iou(r.mask, scene.shapes["red_circle"]) > 0.95
    assert "left" in r.text and "%" in r.text and "colour red" in r.text
    assert r.extra["rle"]["size"] == [320, 480] and r.extra["turn"] == 1
    r = s.ask("what colour is it?")
    assert r.mask is None and "red" in r.text
    r = s.ask("the sign that says EXIT")
    assert iou(r.mask, scene.shapes["exit_sign"]) > 0.9 and "OCR read 'EXIT'" in r.text
    r = s.ask("what is under the blue square")
    assert best_shape(r.mask, scene.shapes) == "yellow_bar"
    r = s.ask("the smallest red one")
    assert best_shape(r.mask, scene.shapes) == "small_red_square"
    r = s.ask("how many red shapes are there?")
    assert r.mask is None and "2 regions" in r.text
    r = s.ask("the biggest")
    assert best_shape(r.mask, scene.shapes) == "blue_square"
    assert len(s.history()) == 7
    record = json.loads(open(r.extra["overlay_path"].replace("_overlay.png", ".json")).read())
    assert record["turn"] == 7 and r.extra["mask_path"].endswith(f"{s.thread_id}_turn_07_mask.png")


def test_correction_takes_the_next_best_for_the_same_description(scene, tmp_path):
    s = make(scene.pixels, tmp_path)
    first = s.ask("the red one")
    other = s.ask("no, the other one")
    picked = {best_shape(first.mask, scene.shapes), best_shape(other.mask, scene.shapes)}
    assert picked == {"red_circle", "small_red_square"}
    assert "Replaces the previous pick" in other.text
    left = s.ask("not that, the left one")
    assert best_shape(left.mask, scene.shapes) == "red_circle"


def test_relation_to_previous_and_text_only_answer(scene, tmp_path):
    s = make(scene.pixels, tmp_path)
    s.ask("segment the blue square")
    r = s.ask("what is under it")
    assert best_shape(r.mask, scene.shapes) == "yellow_bar" and "below" in r.text
    r = s.ask("the thing left of the blue square")
    assert best_shape(r.mask, scene.shapes) == "red_circle"


def test_part_refinement_narrows_the_mug(tmp_path):
    scene = mug_scene()
    s = make(scene.pixels, tmp_path, grounders=[FakeProposals()])
    r = s.ask("segment the red mug")
    assert iou(r.mask, scene.shapes["mug"]) > 0.9
    r = s.ask("only its handle")
    assert iou(r.mask, scene.shapes["handle"]) > 0.6
    assert "Narrowed from the red mug to the handle" in r.text
    r = s.ask("now just the top half of the mug")
    r = s.ask("what is under it")
    assert best_shape(r.mask, scene.shapes) == "table"


def test_persistence_resume_and_undo(scene, tmp_path):
    path = tmp_path / "scene.png"
    from PIL import Image
    Image.fromarray(scene.pixels).save(path)
    s = make(str(path), tmp_path)
    s.ask("segment the blue square")
    s.ask("the red circle")
    tid = s.thread_id
    s.close()
    del s
    s2 = Session.resume(tid, db_path=tmp_path / "c.sqlite", segmenter=FakeSegmenter(),
                        grounders=[FakeProposals(), FakeOcr({})])
    assert [h["user"] for h in s2.history()] == ["segment the blue square", "the red circle"]
    r = s2.ask("the one right of it")
    assert best_shape(r.mask, scene.shapes) == "blue_square"
    assert s2.undo() and len(s2.history()) == 2
    r = s2.ask("what colour is it?")
    assert "red" in r.text  # memory went back to the red circle
    assert s2.undo() and s2.undo() and s2.undo() and not s2.undo()
    assert s2.history() == []
    with pytest.raises(SessionError, match="no stored conversation"):
        Session.resume("nope", db_path=tmp_path / "c.sqlite")


def test_reset_starts_a_new_thread(scene, tmp_path):
    s = make(scene.pixels, tmp_path)
    s.ask("segment the blue square")
    old = s.thread_id
    s.reset()
    assert s.thread_id != old and s.history() == []


def test_text_only_session_names_target_without_mask(tmp_path):
    s = Session(None, db_path=tmp_path / "c.sqlite")
    assert s.runtime.segmenter is None and not s.runtime.grounders
    r = s.ask("What do the scattered loose papers around the typewriter indicate?")
    assert r.mask is None and "papers" in r.target
    s.ask("How can loose papers hint at active typing tasks?")
    r = s.ask("Please use the conversation above to outline a segmentation that aligns with the answers provided.")
    assert r.mask is None and "loose papers" in r.target and r.extra["intent"]["kind"] == "segment_from_dialogue"


class BrokenPlanner:
    name = "broken"

    def interpret(self, context):
        raise PlannerError("endpoint http://127.0.0.1:9 refused the connection")

    def select(self, *a):
        raise PlannerError("down")

    def answer(self, *a):
        raise PlannerError("down")


def test_planner_failure_falls_back_to_rules(scene, tmp_path):
    s = make(scene.pixels, tmp_path, planner=BrokenPlanner())
    r = s.ask("segment the blue square")
    assert r.extra["planner_fallback"] == "PlannerError: endpoint http://127.0.0.1:9 refused the connection"
    assert best_shape(r.mask, scene.shapes) == "blue_square"


def test_bad_turns_and_images_fail_with_one_line(scene, tmp_path):
    s = make(scene.pixels, tmp_path)
    for bad in ["", "   ", "x" * 10_001]:
        with pytest.raises(TurnError) as err:
            s.ask(bad)
        assert "\n" not in str(err.value)
    assert s.history() == [] and s.graph.get_state(s.config).values["turn"] == 0
    with pytest.raises(ImageError):
        Session(tmp_path / "missing.jpg", db_path=tmp_path / "c.sqlite")
    (tmp_path / "junk.png").write_bytes(b"not an image")
    with pytest.raises(ImageError):
        Session(tmp_path / "junk.png", db_path=tmp_path / "c.sqlite")


class ExplodingSegmenter(FakeSegmenter):
    def segment(self, *a, **kw):
        raise RuntimeError("boom")


def test_crash_mid_turn_keeps_the_checkpoint(scene, tmp_path):
    seg = ExplodingSegmenter()
    s = make(scene.pixels, tmp_path, segmenter=seg, grounders=[FakeProposals(), FakeOcr({"EXIT": EXIT_BOX})])
    s.ask("segment the blue square")  # proposal mask: no segmenter call
    with pytest.raises(RuntimeError, match="boom"):
        s.ask("the word EXIT")  # OCR box -> box prompt -> crash
    assert len(s.history()) == 1
    seg.segment = FakeSegmenter().segment
    r = s.ask("what colour is it?")
    assert "blue" in r.text and len(s.history()) == 2
    assert [m.content for m in s.graph.get_state(s.config).values["messages"]][0] == "segment the blue square"
    assert len(s.graph.get_state(s.config).values["messages"]) == 4


def test_ambiguity_interrupt_asks_and_resumes(scene, tmp_path):
    s = make(scene.pixels, tmp_path, interrupt_on_ambiguity=True)
    r = s.ask("the red one")
    assert r.mask is None and "Which one" in r.text and len(r.extra["interrupt"]["options"]) == 2
    assert s.history() == []
    r2 = s.ask("the one on the right")
    assert best_shape(r2.mask, scene.shapes) == "small_red_square" and len(s.history()) == 1
    r3 = s.ask("the blue square")  # unambiguous: no question
    assert best_shape(r3.mask, scene.shapes) == "blue_square"


def test_agent_system_implements_the_system_interface(scene):
    from agent.system import AgentSystem
    from tools.system import Conversation, System
    system = AgentSystem(segmenter=FakeSegmenter(), grounders=[FakeProposals()])
    assert isinstance(system, System) and system.name == "agent[rule]"
    conv = system.start(scene.pixels)
    assert isinstance(conv, Conversation)
    r = conv.ask("segment the yellow bar")
    assert iou(r.mask, scene.shapes["yellow_bar"]) > 0.95 and r.target == "the yellow bar"
    text_only = system.start(None)
    r = text_only.ask("segment the yellow bar")
    assert r.mask is None and r.target == "the yellow bar"


def test_progress_comes_from_the_nodes_on_the_callers_thread(scene, tmp_path):
    """Nodes report through the run context's callback once, in order, while the turn runs, and they run on the
    caller's thread (streaming LangGraph's "custom" mode would move them to a worker thread, whose malloc arena
    raised a proposals turn's peak memory by about 240 MB)."""
    import threading

    said, threads = [], set()
    s = make(scene.pixels, tmp_path, progress=lambda line: (said.append(line), threads.add(threading.get_ident())))
    s.ask("segment the blue square")
    assert said == ["intent: new_target -> the blue square", "finding regions"]  # the planner, then proposals
    assert threads == {threading.get_ident()}
    said.clear()
    s.ask("what colour is it?")
    assert said == ["intent: answer_only -> the blue square"]  # the embedding is cached: nothing else to report


def test_reference_turns_run_through_the_graph(scene, tmp_path):
    """Evals' reference history: a given exchange and a replaced answer go attach_image -> reference_history and
    change the messages only (no record, no memory, no turn count)."""
    from langchain_core.messages import AIMessage

    s = make(scene.pixels, tmp_path)
    s.add_given_turn("segment the blue square", "Here is the blue square.")
    values = s.values()
    assert values["turn"] == 0 and values.get("results", []) == [] and values["memory"]["current"] is None
    assert [m.content for m in values["messages"]] == ["segment the blue square", "Here is the blue square."]
    s.ask("the red circle")
    s.use_reference_answer("The red circle, left of the square.")
    values = s.values()
    answers = [m.content for m in values["messages"] if isinstance(m, AIMessage)]
    assert answers[-1] == "The red circle, left of the square." and len(values["messages"]) == 4
    assert values["turn"] == 1 and values["results"][-1]["answer"] != answers[-1] and values["action"] is None
    seen = []
    for chunk in s.graph.stream({"action": {"kind": "given", "text": "hi", "answer": "hello"}}, s.config,
                                context=s.context, stream_mode="updates"):
        seen += list(chunk)
    assert seen == ["attach_image", "reference_history"]


def test_masks_made_from_the_conversation_stay_out_of_the_image_store(scene, tmp_path):
    """A part of the target and the union of two targets are the turn's own masks: they come back as the answer
    but are never written into the per-image vision cache, which holds only the image's facts (proposals)."""
    s = make(scene.pixels, tmp_path)
    circle = s.ask("segment the red circle").mask
    top = s.ask("only the top half of it")
    assert top.mask is not None and (top.mask & ~circle).sum() == 0 and 0.3 < top.mask.sum() / circle.sum() < 0.7
    s.ask("the blue square")
    both = s.ask("both of them")
    assert both.mask is not None and iou(both.mask, circle | scene.shapes["blue_square"]) > 0.9
    stored = s.runtime.cache.get(s.image_ref).masks
    assert stored and all(not key.startswith("t") for key in stored)


class _SlowSegmenter(FakeSegmenter):
    """Records on which thread each embedding is made; slow enough that a turn would overtake an unfinished one."""

    def __init__(self, fail: bool = False):
        super().__init__()
        self.threads: list[str] = []
        self.fail = fail

    def embed(self, image):
        import threading
        import time

        self.threads.append(threading.current_thread().name)
        time.sleep(0.3)
        if self.fail:
            raise RuntimeError("encoder weights unreadable")
        return super().embed(image)


def test_prepare_encodes_on_a_background_thread_and_the_next_turn_waits_for_it(scene, tmp_path):
    seg = _SlowSegmenter()
    s = make(scene.pixels, tmp_path, segmenter=seg)
    s.prepare()
    s.prepare()  # a second call starts nothing
    r = s.ask("segment the red circle")  # asked at once: it waits for the prefetch rather than racing it
    assert seg.threads[0] == "prefetch-image" and "prefetch_once" in r.timings
    assert r.timings["prefetch_once"] >= 0.3 and iou(r.mask, scene.shapes["red_circle"]) > 0.95


def test_prepare_reads_the_spelling_dictionary_while_the_user_types(scene, tmp_path):
    import time

    import tools.spelling as spelling

    spelling._load_checker.cache_clear()
    s = make(scene.pixels, tmp_path, segmenter=_SlowSegmenter())
    s.prepare()
    deadline = time.monotonic() + 10
    while spelling._load_checker.cache_info().currsize == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert spelling._load_checker.cache_info().currsize == 1  # loaded before any turn asked for it


def test_a_failed_prefetch_leaves_the_turn_as_it_would_have_been(scene, tmp_path):
    """The prefetch swallows its error: the turn meets the failing backend itself, exactly as without prepare()
    (here the scene's proposals carry their own masks, so the turn needs no embedding)."""
    seg = _SlowSegmenter(fail=True)
    s = make(scene.pixels, tmp_path, segmenter=seg)
    s.prepare()
    r = s.ask("segment the red circle")
    assert seg.threads[0] == "prefetch-image" and "prefetch_once" not in r.timings
    assert iou(r.mask, scene.shapes["red_circle"]) > 0.95


def test_a_proposals_grounder_that_cannot_be_stopped_is_not_prefetched(scene, tmp_path):
    """FakeProposals.regions() takes no `stop`: computing it ahead could keep a turn waiting, so prepare() leaves it
    to the turn (which finds the same regions)."""
    s = make(scene.pixels, tmp_path)
    vision = s.runtime.cache.get(s.image_ref)
    s.prepare()
    s.wait_prepared()
    assert vision.proposals is None and "prefetch" in vision.seconds
    r = s.ask("segment the red circle")
    assert vision.proposals and iou(r.mask, scene.shapes["red_circle"]) > 0.95

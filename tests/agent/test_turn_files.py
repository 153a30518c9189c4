"""agent.turn_files: one naming scheme for a turn's files, from a real Session turn (drawn scene, stand-ins)."""
from __future__ import annotations

import json

import numpy as np
from agent_scenes import FakeProposals, FakeSegmenter, shapes_scene

from agent.session import Session
from agent.turn_files import write_conversation, write_turn_files
from tools.masks import decode_rle, load_mask_png


def test_a_turn_and_its_conversation_written_under_one_scheme(tmp_path):
    scene = shapes_scene()
    s = Session(scene.pixels, db_path=tmp_path / "c.sqlite", segmenter=FakeSegmenter(), grounders=[FakeProposals()])
    s.ask("segment the blue square")
    s.ask("what colour is it?")  # a turn without a mask
    first, second = s.history()
    tid = s.thread_id
    files = write_turn_files(tmp_path / "out", tid, first, s.image_ref, scene.pixels)
    folder = tmp_path / "out" / tid
    assert files == {"mask_path": str(folder / f"{tid}_turn_01_mask.png"),
                     "overlay_path": str(folder / f"{tid}_turn_01_overlay.png"),
                     "rle_path": str(folder / f"{tid}_turn_01_mask.rle.json"),
                     "record_path": str(folder / f"{tid}_turn_01.json")}
    mask = decode_rle(first["rle"])
    assert np.array_equal(load_mask_png(files["mask_path"]), mask)
    rle = json.loads(open(files["rle_path"]).read())
    assert np.array_equal(decode_rle(rle["rle"]), mask) and rle["image"]["sha256"] == s.image.sha256
    record = json.loads(open(files["record_path"]).read())
    assert record["answer"] == first["answer"] and record["mask_path"] == files["mask_path"]

    no_mask = write_turn_files(tmp_path / "out", tid, second, s.image_ref, scene.pixels)
    assert no_mask["mask_path"] is None and no_mask["record_path"].endswith(f"{tid}_turn_02.json")
    conversation = json.loads(write_conversation(tmp_path / "out", tid, s.image_ref, s.history()).read_text())
    assert [t["turn"] for t in conversation["turns"]] == [1, 2] and conversation["thread_id"] == tid
    assert not list(folder.glob("*.part"))  # written through temporary files, none left behind
    s.close()

"""Conversation storage grows linearly: one checkpoint per turn, and a turn's mask is written once (in that
turn's writes), never copied into later checkpoints. Undo and resume still work on a long thread."""
from __future__ import annotations

import sqlite3

from agent_scenes import FakeOcr, FakeProposals, FakeSegmenter, shapes_scene

from agent.session import Session

TURNS = ["segment the red circle", "what colour is it?", "the sign that says EXIT", "what is under the blue square",
         "the biggest", "the smallest red one", "no, the other one", "only its left half"]


def _session(db, **kw):
    return Session(shapes_scene().pixels, segmenter=FakeSegmenter(),
                   grounders=[FakeProposals(), FakeOcr({"EXIT": [348, 32, 440, 70]})], db_path=db, **kw)


def _talk(session, n):
    return [session.ask(TURNS[i % len(TURNS)]) for i in range(n)]


def _stored_bytes(db, thread_id) -> tuple[int, int, int]:
    """(checkpoint rows, their largest row, all checkpoint + write bytes) of one thread."""
    with sqlite3.connect(db) as conn:
        rows, largest, ckpt = conn.execute("SELECT count(*), max(length(checkpoint)), sum(length(checkpoint)) "
                                           "FROM checkpoints WHERE thread_id = ?", (thread_id,)).fetchone()
        (writes,) = conn.execute("SELECT sum(length(value)) FROM writes WHERE thread_id = ?", (thread_id,)).fetchone()
    return rows, largest, ckpt + writes


def test_one_checkpoint_per_turn_and_linear_bytes(tmp_path):
    db = tmp_path / "c.sqlite"
    short, long = _session(db), _session(db)
    _talk(short, 8)
    _talk(long, 32)
    rows8, largest8, bytes8 = _stored_bytes(db, short.thread_id)
    rows32, largest32, bytes32 = _stored_bytes(db, long.thread_id)
    assert (rows8, rows32) == (9, 33)  # the seed checkpoint + one per turn
    assert largest32 < 1.2 * largest8  # a checkpoint does not carry the earlier turns
    assert bytes32 < 4.5 * bytes8  # 4x the turns, about 4x the bytes (quadratic would be 16x)


def test_a_mask_is_written_once(tmp_path):
    db = tmp_path / "c.sqlite"
    s = _session(db)
    first = _talk(s, 5)[0]  # the red circle, then four turns that pick other shapes or none
    counts = first.extra["rle"]["counts"]
    counts = counts.encode() if isinstance(counts, str) else bytes(counts)
    with sqlite3.connect(db) as conn:
        in_checkpoints = conn.execute("SELECT count(*) FROM checkpoints WHERE instr(checkpoint, ?) > 0",
                                      (counts,)).fetchone()[0]
        in_writes = conn.execute("SELECT channel FROM writes WHERE instr(value, ?) > 0", (counts,)).fetchall()
    assert in_checkpoints == 0
    assert sorted(c for (c,) in in_writes) == ["memory", "results"]  # the turn record and the target record


def test_undo_and_resume_on_a_long_thread(tmp_path):
    db = tmp_path / "c.sqlite"
    path = tmp_path / "scene.png"
    from PIL import Image
    Image.fromarray(shapes_scene().pixels).save(path)
    s = Session(path, segmenter=FakeSegmenter(), grounders=[FakeProposals(), FakeOcr({"EXIT": [348, 32, 440, 70]})],
                db_path=db)
    results = _talk(s, 20)
    assert s.undo() and s.undo() and len(s.history()) == 18
    memory = s.graph.get_state(s.config).values["memory"]
    assert memory["current"]["turn"] == max(r["turn"] for r in memory["history"]) <= 18
    s.close()
    again = Session.resume(s.thread_id, db_path=db, segmenter=FakeSegmenter(), grounders=[FakeProposals()])
    assert [h["user"] for h in again.history()] == [TURNS[i % len(TURNS)] for i in range(18)]
    r = again.ask("what colour is it?")
    assert r.extra["turn"] == 19 and results[17].extra["turn"] == 18

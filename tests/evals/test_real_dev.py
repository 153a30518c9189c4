"""The hand-written real-photo dev set: the spec's checks, the builder's records and masks on coco_tiny, and the
answered-question metric."""
import json

import numpy as np
import pytest

from evals.datasets import load_dataset
from evals.metrics.answers import answers_question
from evals.real_dev.build import write_dev_set
from evals.real_dev.spec import TURN_KINDS, SpecError, load_spec, parse_spec
from tools.masks import load_mask_png


def _dialogue(**turn):
    return [{"id": "d", "image": "val2017/000000547336.jpg", "turns": [{"say": "x", "kinds": ["category"], **turn}]}]


@pytest.mark.parametrize("turn, message", [
    ({"kinds": ["nonsense"]}, "kinds"), ({"kinds": []}, "kinds"), ({"ann": "495052"}, "annotation ids"),
    ({"kinds": ["absent"], "ann": [495052]}, "empty mask"), ({"answer": ["book"]}, "question"),
    ({"colour": "red"}, "unknown keys"), ({"say": ""}, "say"),
])
def test_spec_errors_name_the_turn(turn, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(_dialogue(**turn))


def test_project_spec_is_large_and_varied():
    dialogues = load_spec()
    turns = [t for d in dialogues for t in d.turns]
    assert len(dialogues) >= 40 and all(3 <= len(d.turns) <= 5 for d in dialogues)
    kinds = {k for t in turns for k in t.kinds}
    assert kinds == set(TURN_KINDS)  # every kind is written at least once
    assert sum(t.scored for t in turns) >= 120 and sum(bool(t.answer) for t in turns) >= 20
    assert sum(t.scored and "people" in t.kinds for t in turns) >= 60


def test_builder_writes_records_the_runner_reads(coco_tiny, tmp_path):
    counts = write_dev_set(coco_tiny, tmp_path)
    assert counts["dialogues"] == len(load_spec())
    records = load_dataset(tmp_path).records
    assert len(records) == counts["dialogues"]
    scored = [t for r in records for t in r.turns if t.scored]
    assert len(scored) == counts["scored"]
    raw = {r["id"]: r for r in json.loads((tmp_path / "dialogues.json").read_text())}
    for record in records:
        kinds = [e.get("phenomena") for e in raw[record.id]["dialogue"] if e["from"] == "gpt"]
        for turn, turn_kinds in zip(record.turns, kinds):
            assert turn.tags == turn_kinds
            if turn.scored:
                mask = load_mask_png(turn.mask_png)
                assert mask.any() != ("absent" in turn.tags)  # only "absent" turns have an empty reference
    asked = [t for r in records for t in r.turns if t.answers]
    assert len(asked) == counts["questions"] and all("question" in t.tags for t in asked)


def test_builder_refuses_an_annotation_of_another_photo(coco_tiny, tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_dialogue(ann=[2197939, 493019])))  # the second is on photo 491008
    with pytest.raises(SpecError, match="on image 491008"):
        write_dev_set(coco_tiny, tmp_path / "out", spec)


@pytest.mark.parametrize("reply, keywords, expected", [
    ("I count 2 people (the detector's confident boxes).", ["2", "two"], True),
    ("She is holding a book.", ["books", "pen"], True), ("It is mostly blue.", ["red"], False),
    ("I segmented the notebook.", ["note"], False), ("", ["x"], False), ("Yes: I found 1 dog.", [], False),
    ("The sign says stop here.", ["stop here"], True),
])
def test_answers_question(reply, keywords, expected):
    assert answers_question(reply, keywords) is expected

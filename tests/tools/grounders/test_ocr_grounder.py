import time

import numpy as np
import pytest

from tools.grounders.ocr import OcrGrounder, OcrReader, TextBox, similarity, split_words
from tools.masks import box_iou
from tools.regions import Region


@pytest.fixture(scope="module")
def reader():
    return OcrReader()


def test_reads_rendered_text_with_boxes_on_the_drawn_text(reader, text_image):
    pixels, drawn = text_image
    lines = reader.read(pixels)
    texts = [line.text for line in lines]
    assert texts == ["TISSOT", "hello world", "EXIT 42"] or sorted(texts) == sorted(["TISSOT", "hello world", "EXIT 42"])
    for line in lines:
        assert box_iou(line.box, drawn[line.text]) > 0.5, (line.text, line.box, drawn[line.text])
        assert 0.5 <= line.score <= 1.0 and len(line.polygon) == 4
        assert [w.text for w in line.words] == line.text.split()


def test_cache_per_image_hash(reader, text_image):
    pixels, _ = text_image
    reader.read(pixels)
    t = time.perf_counter()
    again = reader.read(pixels.copy())
    assert time.perf_counter() - t < 0.05 and again


def test_grounds_capitalised_and_partial_queries(reader, text_image):
    pixels, drawn = text_image
    g = OcrGrounder(reader)
    tissot = g.ground(pixels, "find the text TISSOT")
    assert tissot[0].text == "TISSOT" and tissot[0].source == "ocr" and tissot[0].label == "text: TISSOT"
    assert box_iou(tissot[0].box, drawn["TISSOT"]) > 0.5
    exit_ = g.ground(pixels, "the sign that says EXIT")
    assert exit_[0].text == "EXIT"  # a word of the line "EXIT 42", with its own box
    assert box_iou(exit_[0].box, drawn["EXIT"]) > 0.5
    assert exit_[0].box[2] < drawn["EXIT 42"][2] - 40  # not the whole line
    fuzzy = g.ground(pixels, "find the word tisot")
    assert fuzzy and fuzzy[0].text == "TISSOT" and fuzzy[0].attributes["match"] < 1.0
    assert g.ground(pixels, 'the text "ZEBRA"') == []
    everything = g.ground(pixels, "read the text")
    assert {r.text for r in everything} == {"TISSOT", "hello world", "EXIT 42"}
    assert all(isinstance(r, Region) and r.id for r in everything)


def test_empty_image_has_no_text(reader):
    assert reader.read(np.full((120, 160, 3), 255, np.uint8)) == []


def test_similarity_and_proportional_split():
    assert similarity("exit", "EXIT") == 1.0
    assert similarity("exit", "EMERGENCY EXIT") > 0.85
    assert similarity("zebra", "EXIT 42") < 0.4
    words = split_words(TextBox("ab cdef", [0, 0, 70, 10], [], 0.9))
    assert [w.text for w in words] == ["ab", "cdef"]
    assert words[0].box == [0, 0, 20, 10] and words[1].box == [30, 0, 70, 10]


def test_a_box_read_enlarged_finds_text_the_whole_photo_misses(reader, coco_tiny):
    """coco_tiny 352259: the whole photo reads one stray letter; the batter's box read at twice its size reads the
    24 on his back, in photo pixels inside that box."""
    photo = coco_tiny / "train2017" / "000000352259.jpg"
    batter = [65, 31, 202, 380]
    assert "24" not in " ".join(line.text for line in reader.read(photo))
    lines = reader.read_box(photo, batter)
    number = next(line for line in lines if line.text == "24")
    x0, y0, x1, y1 = number.box
    assert batter[0] - 20 <= x0 < x1 <= batter[2] + 20 and batter[1] - 40 <= y0 < y1 <= batter[3] + 40
    regions = OcrGrounder(reader).read_box(photo, batter)
    assert any(r.text == "24" for r in regions)
    assert reader.read_box(photo, [5, 5, 5.5, 5.5]) == []  # a box under two pixels reads nothing

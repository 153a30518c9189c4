"""The one vocabulary: request words -> COCO classes, colours regions can have, plural requests."""
import pytest

from tools.grounders.descriptors import COLOR_NAMES as DESCRIPTOR_COLORS
from tools.vocabulary import (
    CATEGORY_SYNONYMS, COCO_CLASSES, COLOR_NAMES, COLOR_WORDS, NEAR_COLORS, SHAPE_NAMES, SHAPE_WORDS, coco_category,
    coco_classes, plural_of, plural_request,
)


def test_eighty_classes_in_coco_id_order():
    assert len(COCO_CLASSES) == 80 and len(set(COCO_CLASSES)) == 80
    assert COCO_CLASSES[0] == "person" and COCO_CLASSES[2] == "car" and COCO_CLASSES[79] == "toothbrush"
    assert set(CATEGORY_SYNONYMS.values()) <= set(COCO_CLASSES)


@pytest.mark.parametrize("text, expected", [
    ("the man on the left", "person"), ("segment the skier", "person"), ("the baseball player", "person"),
    ("the motorbike", "motorcycle"), ("a scooter", "motorcycle"), ("the sofa", "couch"), ("the monitor", "tv"),
    ("my phone", "cell phone"), ("the red mug", "cup"), ("two hot dogs", "hot dog"), ("the dog", "dog"),
    ("the pizza on the motorcycle", "pizza"), ("a person riding a horse", "person"), ("the teddy bear", "teddy bear"),
    ("the dining table", "dining table"), ("cups", "cup"), ("the people", "person"),
    ("the glasses", None), ("the logo", None), ("the thing in the middle", None),
])
def test_requests_name_coco_classes(text, expected):
    assert coco_category(text) == expected


def test_colour_words_only_name_colours_a_region_can_have():
    assert COLOR_NAMES == DESCRIPTOR_COLORS  # one source: the descriptors name pixels with these
    assert set(COLOR_WORDS.values()) <= set(COLOR_NAMES)
    assert COLOR_WORDS["cyan"] == "blue" and COLOR_WORDS["beige"] == "brown" and COLOR_WORDS["grey"] == "gray"
    assert set(NEAR_COLORS) <= set(COLOR_NAMES) and all(set(v) <= set(COLOR_NAMES) for v in NEAR_COLORS.values())
    assert set(SHAPE_WORDS.values()) <= set(SHAPE_NAMES)


def test_the_planner_parses_with_the_same_tables():
    from agent.planners.phrases import find_colors, find_shape
    assert find_colors("the cyan and beige box") == ["blue", "brown"]
    assert find_shape("the triangle") is None  # no region is ever described as triangular


@pytest.mark.parametrize("text, plural", [("all the people", True), ("both dogs", True), ("the two cups", True),
                                          ("the cars", True), ("the skis", False), ("the scissors", False),
                                          ("the man", False), ("the bus", False)])
def test_plural_requests(text, plural):
    assert plural_request(text) is plural


def test_plural_names():
    assert plural_of("person", 3) == "people" and plural_of("cup", 2) == "cups" and plural_of("bus", 2) == "buses"
    assert plural_of("dog", 1) == "dog"


def test_a_word_for_several_classes_names_them_all():
    assert coco_classes("his board") == ("surfboard", "skateboard", "snowboard")
    assert coco_classes("her racket") == ("tennis racket",)
    assert coco_classes("the glasses") == ()
    assert coco_classes("the bags") == coco_classes("his bag") == ("handbag", "backpack", "suitcase")
    assert coco_classes("the handbag") == ("handbag",)
    assert coco_classes("the glass") == ("wine glass", "cup") and coco_classes("the wine glass") == ("wine glass",)
    assert coco_classes("the motor bike") == ("motorcycle",) and coco_classes("the bikes") == ("bicycle", "motorcycle")


def test_a_thing_named_in_the_plural_only_keeps_its_name():
    from tools.vocabulary import singular

    assert singular("scissors") == "scissors" and coco_category("the giant scissors") == "scissors"
    assert singular("papers") == "paper" and singular("glasses") == "glass"


def test_a_compound_wordnet_knows_is_its_own_kind_not_its_last_words():
    """ "coffee maker" is an appliance (no COCO class), though "maker" alone is a person; a compound that is a kind
    of a COCO class keeps that class."""
    from tools.vocabulary import coco_category

    assert coco_category("the coffee maker") is None
    assert coco_category("the coffee table") == "dining table" and coco_category("the school bus") == "bus"

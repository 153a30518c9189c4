"""What a phrase says a person wears, item by item (tools.people.clothing)."""
import pytest

from tools.people.clothing import is_garment_top, without_garment_tops, worn_items, worn_phrase


def said(text):
    return [(it.band, it.colors, it.pattern) for it in worn_items(text)]


@pytest.mark.parametrize("text, items", [
    ("blonde old lady in the black and white top", [("head", ("yellow",), None), ("torso", ("black", "white"), None)]),
    ("the guy in the dark suit sitting next to her", [("torso", ("black",), None)]),
    ("the woman in the dark blue dress", [("torso", ("blue",), None)]),
    ("lady w the curly dark hair", [("head", ("black",), None)]),
    ("man in the striped shirt", [("torso", (), "striped")]),
    ("the guy in red with the white cap", [("torso", ("red",), None), ("head", ("white",), None)]),
    ("guy in jeans n a leather jacket", [("legs", (), None), ("torso", (), None)]),
    ("redhead on the right", [("head", ("orange",), None)]),
    ("the kid in grey t-shirt and blue shorts", [("torso", ("gray",), None), ("legs", ("blue",), None)]),
    ("the old lady w the white scarf", [("torso", ("white",), None)]),  # worn on the chest, not the head
    ("the bird on top", []),
    ("the man on the left", []),
])
def test_items_in_phrase_order(text, items):
    assert said(text) == items


def test_top_is_a_garment_only_after_a_colour_or_garment_adjective():
    words = "the girl in the orange top on top of the wall".split()
    assert is_garment_top(words, 5) and not is_garment_top(words, 7)
    assert without_garment_tops("girl in the orange top at the top") == "girl in the orange shirt at the top"


def test_phrase_says_items_back_so_they_parse_again():
    items = worn_items("blonde old lady in the black and white top")
    phrase = worn_phrase(items)
    assert phrase == "in the black and white top with blonde hair"
    assert sorted(said(phrase)) == sorted(said("blonde lady in the black and white top"))

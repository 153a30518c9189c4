"""tools.lexicon: nouns mapped to the COCO class they are a kind of, with the real WordNet noun files."""
from __future__ import annotations

import os

import pytest

from tools.lexicon import WordNetNouns, coco_kind, is_noun
from tools.vocabulary import coco_category
from tools.weights.registry import CACHE_ENV
from tools.weights.store import MissingWeightsError, weight_path


@pytest.fixture(scope="module")
def wordnet() -> WordNetNouns:
    try:
        return WordNetNouns(weight_path("wordnet_index_noun"), weight_path("wordnet_data_noun"))
    except MissingWeightsError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"WordNet files missing in CI: {exc}")
        pytest.skip("WordNet noun files missing (run python -m tools.weights fetch wordnet_index_noun "
                    "wordnet_data_noun)")


KINDS = {"pickup": "truck", "pony": "horse", "stallion": "horse", "mare": "horse", "client": "person",
         "nurse": "person", "infant": "person", "toddler": "person", "hoagie": "sandwich", "puppy": "dog",
         "poodle": "dog", "dalmatian": "dog", "sedan": "car", "limousine": "car", "jetliner": "airplane",
         "laptop": "laptop", "yacht": "boat", "cheeseburger": "sandwich", "grizzly": "bear", "bull": "cow",
         "dagger": "knife", "loveseat": "couch", "armchair": "chair", "decanter": "bottle", "eagle": "bird"}
NOT_KINDS = ["salsa", "napkin", "curtain", "noodle", "mustard", "tablecloth", "glasses", "helicopter", "tiger",
             "lamp", "one", "thing", "left", "wolf", "tree"]


@pytest.mark.parametrize("noun", sorted(KINDS))
def test_wordnet_kinds(wordnet, noun):
    assert wordnet.kind_of(noun) == KINDS[noun]


@pytest.mark.parametrize("noun", NOT_KINDS)
def test_no_kind_is_forced(wordnet, noun):
    assert wordnet.kind_of(noun) is None
    assert coco_kind(noun) is None


def test_senses_follow_index_order(wordnet):
    """index.noun lists senses most frequent first; a missing lemma has none; multi-word lemmas use '_'."""
    horse = wordnet.senses("horse")
    assert len(horse) == 5 and wordnet.kind_of("horse") == "horse"
    assert wordnet.senses("no_such_noun_xyz") == [] and wordnet.senses("aaa") == wordnet.senses("AAA")
    assert wordnet.senses("fire hydrant") == wordnet.senses("fire_hydrant") != []


def test_coco_kind_uses_names_then_wordnet_then_hand_list(wordnet):
    # vocabulary names, WordNet, and the short hand list for what WordNet misses (kitten: "young mammal")
    assert [coco_kind(w) for w in ("mug", "guy", "stallion", "fireman", "kitten", "jetliner")] == \
        ["cup", "person", "horse", "person", "cat", "airplane"]
    assert wordnet.kind_of("kitten") is None and wordnet.kind_of("fireman") is None  # the gaps the list fills


def test_first_sense_only(wordnet):
    """Later senses mislead: "mug" is also a face and a fool, "toaster" first someone who toasts."""
    assert wordnet.kind_of("toaster") == "person"  # its first sense; the vocabulary's "toaster" wins in coco_kind
    assert coco_kind("toaster") == "toaster"
    assert wordnet.kind_of("ottoman") is None  # "Ottoman" (a Turk) is a capitalised sense: the cushion comes first


def test_vocabulary_falls_back_to_wordnet(wordnet):
    assert coco_category("the pickup on the left") == "truck"
    assert coco_category("segment the stallion on the left") == "horse"
    assert coco_category("the two firemen") == "person"
    assert coco_category("what colour is the jetliner") == "airplane"
    assert coco_category("the big dalmatian running") == "dog"
    for text in ("napkin", "the glasses", "the left one", "the thing on the right", "the red tablecloth",
                 "the napkin next to the stallion", "sick trick lol"):
        assert coco_category(text) is None, text
    assert coco_category("the napkin next to the dog") == "dog"  # a vocabulary name anywhere wins, as before
    assert coco_category("the double decker on the right") == "bus"  # WordNet's "double-decker": the compound first


def test_missing_files_give_none_quietly(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert coco_kind("stallion") is None and coco_category("the stallion") is None
    assert coco_kind("pony") == "horse"  # vocabulary names need no WordNet
    assert capsys.readouterr() == ("", "")


def test_is_noun_knows_wordnet_nouns_and_says_no_without_the_files(wordnet, monkeypatch, tmp_path):
    assert is_noun("collar") and is_noun("trunk") and is_noun("windshield")
    assert not is_noun("quickly") and not is_noun("") and not is_noun("zzqx")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert not is_noun("collar")

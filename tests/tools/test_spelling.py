"""Typo-tolerant reading: unknown words become close vocabulary words (or the dictionary's frequent ones); known
words, quoted text and words in capitals stay as typed."""
import pytest

from tools.spelling import read_words


@pytest.mark.parametrize("typed, read", [
    ("the gurl on the rihgt", "the girl on the right"), ("refridgerator next to the sink", "refrigerator next to the sink"),
    ("sandwhich", "sandwich"), ("the elefant", "the elephant"), ("giraf on left", "giraffe on left"),
    ("moter bike", "motor bike"), ("the umbrela", "the umbrella"), ("brocoli", "broccoli"),
])
def test_typos_are_read_as_vocabulary_words(typed, read):
    reading = read_words(typed)
    assert reading.text == read
    assert reading.notes() and all(note.startswith("read '") for note in reading.notes())


@pytest.mark.parametrize("text", [
    "look at the cook", "find the word 'TISSOT'", "the label reading \"Dijon\"", "the EXIT sign", "what is she holding",
    "the man in the red shirt", "teh",  # three letters: too short to guess
])
def test_known_words_quotes_and_capitals_stay(text):
    reading = read_words(text)
    assert reading.text == text and reading.changes == []


@pytest.mark.parametrize("typed, read", [
    ("i dont want the cup", "i do not want the cup"), ("the sofa theyre on", "the sofa they are on"),
    ("youre right, the dog", "you are right, the dog"), ("it wasnt the cat", "it was not the cat"),
    ("theres a waiter at the back", "there is a waiter at the back"), ("the batters shirt", "the batters shirt"),
])
def test_contractions_typed_without_apostrophe_are_spelled_out_without_a_note(typed, read):
    """ "dont" was read as "donut" (a COCO class) and "theyre" as "there": the dictionary knows the contraction."""
    reading = read_words(typed)
    assert reading.text == read and reading.changes == []


def test_dictionary_loads_once_when_a_turn_and_a_background_load_meet(monkeypatch):
    """Session.prepare() loads the dictionary on a thread while the user types; a turn asking for it meanwhile
    waits for that load instead of starting a second one."""
    import threading
    import time

    import spellchecker

    import tools.spelling as spelling

    built = []

    class SlowChecker:
        def __init__(self, distance):
            built.append(distance)
            time.sleep(0.2)

    monkeypatch.setattr(spellchecker, "SpellChecker", SlowChecker)
    spelling._load_checker.cache_clear()
    try:
        background = threading.Thread(target=spelling.load_dictionary)
        background.start()
        time.sleep(0.05)
        checker = spelling._checker()  # the turn's call, while the background load runs
        background.join()
        assert isinstance(checker, SlowChecker) and built == [2]
    finally:
        spelling._load_checker.cache_clear()

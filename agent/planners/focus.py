"""Infer what a dialogue is about: the noun phrase the human turns keep coming back to.

Used for PRIST's closing request ("Please use the conversation above to outline a segmentation ...").
Method: chunk every turn into content-word runs, count in how many turns each (singularised) word and
n-gram occurs (human turns weigh more than answers, the first human turn gets a bonus, earlier mention
breaks ties), pick a head word that tends to end chunks, then extend it to the longest n-gram around it
that recurs. The first answer usually names what the first question asked for ("What logo is on the
appliance?" -> "The Hamilton Beach logo is ..."): its first noun chunk with a word the question lacks leads the
phrase, and the recurring phrase's other words follow. On the 255 PRIST dev dialogues (reference answers) that
raised token F1 against `focus` from 0.39 to 0.54 (the first-question baseline: 0.34), head-noun match unchanged.
When that leading phrase ends in a common noun the recurring words follow after "on", so it stays the head
("inscription on medal", not "inscription medal", whose head is "medal"): head-noun match 0.33 -> 0.41,
focus agreement 0.437 -> 0.485 (tuned on those same dev dialogues, the only PRIST text there is). Trailing
modifiers ("bottle easy" to spot, "sign first") leave every chunk before counting, rating words ("prominent",
"several") leave the phrase, and quoted names keep their quoted form: 0.485 -> 0.506 (synthetic closing turns,
which the rules were not tuned on: 0.546 -> 0.601).
`focus_f1` is the agreement measure: token F1 after lower-casing and dropping stop words.
"""
from __future__ import annotations

import re
from collections import defaultdict

from agent.planners.phrases import COLORS, STOP, WORD, chunks, quoted, singular
from tools.token_f1 import token_f1
from tools.vocabulary import LARGEST_WORDS, POSITION_WORDS, SMALLEST_WORDS

CLOSING_PATTERN = re.compile(
    r"\b(conversation|dialogue|dialog|discussion|exchange)\b|everything (said|discussed)|"
    r"what we (have )?(talked|discussed|been discussing|been talking)|we have been (discussing|talking)|"
    r"\b(the|your|my) answers\b",
    re.IGNORECASE,
)
SEG_WORDS = re.compile(r"segment|outline|divide|structure|mask|delineate|highlight|partition", re.IGNORECASE)


# words that are frequent in PRIST questions but never the target
DIALOGUE_STOP = set("""conversation dialogue answers answer provided segmentation element elements detail details
feature features aspect aspects setting context indication evidence reason information image scene area
part parts type kind overall purpose function design characteristic characteristics significance
word words phrase color colors colour colours item items name names specific detail position placement
activity connection relationship description impression atmosphere association uniqueness
showing holding wearing featuring displaying containing depicting carrying contains holds
someone anyone notice say tell sorry""".split())


def is_closing_request(text: str) -> bool:
    """True for PRIST-style final turns that ask to segment what the conversation was about."""
    return bool(CLOSING_PATTERN.search(text)) and bool(SEG_WORDS.search(text))


def _ngrams(chunk: list[str], max_n: int = 4) -> list[tuple[str, ...]]:
    out = []
    for n in range(1, min(max_n, len(chunk)) + 1):
        for i in range(len(chunk) - n + 1):
            out.append(tuple(chunk[i:i + n]))
    return out


# answer words that describe, not name ("The sign reads ...", "is prominently displayed"), the assistant's filler
# ("Sure, I've marked ..."), and (last line) the agent's own text-only answer
ANSWER_STOP = set("""sure done okay ok go i've i'm marked segmented highlighted outlined here
includes include reads read mentions mention displays display shows has have identifies identify says states notes
explains explain specifies specify advertises advertise advises advise
lists prominently clearly distinct distinctive central centrally various can could appears appear seen visible notable
main large small
without cannot measure pixels target discussion under text-only session""".split())


# last words that modify rather than name ("the brown", "parked right", "american landmarks like")
MODIFIER_WORDS = set("""like right left beneath behind above below under near directly related several open intact
defiant prominent essential main large small big tiny clear bright dark light various different first easy
written broken hidden taken shown drawn worn given
around along across through inside outside against toward towards upon within beyond""".split())
MODIFIER_SUFFIXES = ("ing", "ed", "ly", "ous", "ful", "ive", "able", "ible", "ish", "est")
TRAILING_MODIFIER_SUFFIXES = ("ed", "ly")  # not "ing": building, painting, ceiling are nouns


# leading words that rate rather than describe ("prominent sign", "several slots")
LEADING_FILLER = set("prominent main several various multiple distinct distinctive notable visible".split())


def _trim_modifiers(chunk: list[str]) -> list[str]:
    """The chunk without trailing words that modify ("arabic text written below" -> "arabic text")."""
    while chunk and _is_trailing_modifier(chunk[-1]):
        chunk = chunk[:-1]
    return chunk


def _is_trailing_modifier(word: str) -> bool:
    """A listed modifier, or a participle or adverb by its suffix ("parked", "prominently"); not a short
    word or one ending in "eed" ("red", "bed", "shed", "speed")."""
    return word in MODIFIER_WORDS or (len(word) > 4 and word.endswith(TRAILING_MODIFIER_SUFFIXES)
                                      and not word.endswith("eed"))


def answered_phrase(dialogue: list[dict[str, str]]) -> str:
    """The first answer's first noun chunk holding a word the first question lacks (what the answer added), or ""."""
    if len(dialogue) < 2 or dialogue[0].get("role") != "user" or dialogue[1].get("role") != "assistant":
        return ""
    stop = DIALOGUE_STOP | ANSWER_STOP
    asked = {singular(w) for chunk in chunks(dialogue[0]["content"], stop) for w in chunk}
    for chunk in chunks(dialogue[1]["content"], stop):
        chunk = _trim_modifiers(chunk) or chunk
        while len(chunk) > 1 and chunk[0] in LEADING_FILLER:
            chunk = chunk[1:]  # "several players" -> "players"
        if any(singular(w) not in asked for w in chunk):
            return " ".join(chunk)
    return ""


def infer_focus(dialogue: list[dict[str, str]]) -> str:
    """The inferred target phrase of a dialogue ([{"role": "user"|"assistant", "content"}]); "" if none.

    The last user turn is ignored when it is a closing request. The answered phrase (see answered_phrase)
    leads; the recurring phrase's words it lacks follow ("hamilton beach logo" + "appliance"), after "on" when the
    answered phrase ends in a common noun the recurring phrase does not continue ("inscription on medal").
    """
    recurring = recurring_focus(dialogue)
    answered = answered_phrase(dialogue)
    if not answered or answered == recurring:
        return recurring
    lead = answered.split()
    have = {_word_key(w) for w in lead}
    # a quoted name is one unit: kept whole unless the answered phrase already holds all its words; then the
    # answered words take the form any turn quotes ("vegalibre" -> "'VEGALIBRE'"), which the agent reads as text
    units = re.findall(r"'[^']*'|\S+", recurring)
    for name in dict.fromkeys(q.strip() for m in dialogue for q in quoted(m.get("content", ""))):
        lead = _quote_in_place(lead, f"'{name}'")
    extra = [u for u in units if any(_word_key(w) not in have for w in _content_words(u)) and u not in LEADING_FILLER]
    extra = _trim_modifiers(extra)  # "formal attire" + "men near": the recurring phrase's "near" modifies
    head = lead[-1]
    continues = _word_key(head) in {_word_key(w) for w in recurring.split()}
    if extra and not continues and ends_in_common_noun(head, dialogue):
        return " ".join([*lead, "on", *extra])  # "inscription on medal": the answered noun stays the head
    if extra and _word_key(head) == _word_key(recurring.split()[-1]):
        return " ".join([*lead[:-1], *extra, head])  # "english text" + "arabic text": "english arabic text"
    return " ".join([*lead, *extra])


def _quote_in_place(words: list[str], quote: str) -> list[str]:
    """words with the run that spells the quote's words replaced by the quote (["vegalibre"] -> ["'VEGALIBRE'"])."""
    keys = [_word_key(w) for w in quote.split()]
    for start in range(len(words) - len(keys) + 1):
        if [_word_key(w) for w in words[start:start + len(keys)]] == keys:
            return [*words[:start], quote, *words[start + len(keys):]]
    return words


def _content_words(text: str) -> list[str]:
    """The words of a phrase that are not stop words ("'The Farm'" -> ["Farm"])."""
    return [w for w in re.findall(WORD, text) if w.lower() not in STOP]


def _word_key(word: str) -> str:
    """A phrase word compared without case, quotes or plural ("'VEGALIBRE'" and "vegalibre" are one word)."""
    return singular(word.lower().strip("'\""))


def proper_words(dialogue: list[dict[str, str]]) -> set[str]:
    """Lower-cased words the dialogue writes as names: capitalised inside a sentence, all caps, or quoted."""
    names: set[str] = set()
    for m in dialogue:
        text = m.get("content", "")
        for q in quoted(text):
            names.update(w.lower() for w in re.findall(r"[A-Za-z0-9]+", q))
        for sentence in re.split(r"(?<=[.!?:])\s+", text):
            words = re.findall(r"[A-Za-z][A-Za-z0-9'\-]*", sentence)
            names.update(w.lower().removesuffix("'s") for w in words[1:] if w[0].isupper() and w.lower() != "i")
    return names


def ends_in_common_noun(phrase: str, dialogue: list[dict[str, str]]) -> bool:
    """Whether a phrase's last word is likely a common noun, so the phrase names a thing ("inscription",
    "grey eyewear case") rather than describing one ("the brown", "partially filled") or quoting a name the
    recurring phrase's noun carries ("Hot Wheels" tattoo, "Tiffany" text). No POS tagger ships through the
    package registries (nltk's and spaCy's models download from GitHub), hence word lists and suffixes."""
    words = phrase.lower().split()
    if not words:
        return False
    last = words[-1]
    return (last.isalpha() and len(last) > 2 and last not in MODIFIER_WORDS and last not in COLORS
            and last not in POSITION_WORDS and last not in LARGEST_WORDS | SMALLEST_WORDS
            and not last.endswith(MODIFIER_SUFFIXES) and last not in proper_words(dialogue))


def recurring_focus(dialogue: list[dict[str, str]]) -> str:
    """The noun phrase the turns keep coming back to (weighted counts, see the module docstring); "" if none."""
    turns = [(m["role"], m["content"]) for m in dialogue if m.get("content")]
    if turns and turns[-1][0] == "user" and is_closing_request(turns[-1][1]):
        turns = turns[:-1]
    weight: dict[tuple[str, ...], float] = defaultdict(float)
    head_weight: dict[str, float] = defaultdict(float)
    first_seen: dict[tuple[str, ...], int] = {}
    surface: dict[tuple[str, ...], tuple[str, ...]] = {}
    human_index = 0
    for position, (role, content) in enumerate(turns):
        is_human = role == "user"
        w = 2.0 if is_human else 1.0
        if is_human:
            if human_index == 0:
                w += 1.0
            human_index += 1
        # dicts, not sets: insertion order breaks ties below, so it must not depend on string hashing
        seen_here: dict[tuple[str, ...], None] = {}
        heads_here: dict[str, None] = {}
        for chunk in chunks(content, DIALOGUE_STOP):
            chunk = _trim_modifiers(chunk) or chunk  # "bottle easy" (to spot): "bottle" ends the chunk
            norm = [singular(t) for t in chunk]
            heads_here[norm[-1]] = None
            for gram in _ngrams(norm):
                seen_here[gram] = None
                first_seen.setdefault(gram, position)
            for i in range(len(norm)):
                for n in range(1, min(4, len(norm) - i) + 1):
                    surface.setdefault(tuple(norm[i:i + n]), tuple(chunk[i:i + n]))
        for gram in seen_here:
            weight[gram] += w
        for head in heads_here:
            head_weight[head] += w
    if not weight:
        return ""
    quote = _recurring_quote(turns)
    unigrams = [g for g in weight if len(g) == 1 and not g[0].isdigit() and not _is_trailing_modifier(g[0])]
    if not unigrams:
        unigrams = [g for g in weight if len(g) == 1]

    def head_score(g: tuple[str, ...]) -> tuple[float, float]:
        return (weight[g] + 0.75 * head_weight.get(g[0], 0.0), -first_seen[g])

    head = max(unigrams, key=head_score)
    best = head
    # extend to the longest recurring n-gram that ends with (or contains) the head
    for gram, wt in weight.items():
        if len(gram) <= len(best) or head[0] not in gram or _is_trailing_modifier(gram[-1]):
            continue  # shorter, without the head, or ending in a modifier ("bottle easy")
        if wt >= max(3.0, 0.5 * weight[head]) and (gram[-1] == head[0] or wt >= 0.8 * weight[head]):
            if len(gram) > len(best) or wt > weight[best]:
                best = gram
    phrase = " ".join(surface.get(best, best))
    if quote and quote[1] >= max(3.0, 0.5 * weight[best]):
        return f"'{quote[0]}' {phrase}" if quote[0].lower() not in phrase else phrase
    return phrase


def _recurring_quote(turns: list[tuple[str, str]]) -> tuple[str, float] | None:
    """The quoted string mentioned in most turns (weighted like words), or None."""
    weights: dict[str, float] = defaultdict(float)
    first: dict[str, str] = {}
    for role, content in turns:
        for q in dict.fromkeys(q.strip() for q in quoted(content) if len(q.strip()) > 1):
            weights[q.lower()] += 2.0 if role == "user" else 1.0
            first.setdefault(q.lower(), q)
    if not weights:
        return None
    key = max(weights, key=lambda k: weights[k])
    return first[key], weights[key]


def focus_tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, singularised tokens for F1."""
    toks = re.findall(r"[a-z0-9]+", text.lower())
    return [singular(t) for t in toks if t not in STOP]


def focus_f1(predicted: str, reference: str) -> float:
    """Token F1 between two phrases (bag of words after lower-casing and dropping stop words)."""
    return token_f1(focus_tokens(predicted), focus_tokens(reference))


def prist_dialogue(record: dict) -> list[dict[str, str]]:
    """A PRIST record's {"from": human|gpt, "value"} turns as [{"role", "content"}], without the final [SEG] answer."""
    out = [{"role": "user" if t["from"] == "human" else "assistant", "content": t["value"]} for t in record["dialogue"]]
    while out and out[-1]["role"] == "assistant":
        out.pop()
    return out

"""The rule planner's question vocabulary: which questions it knows (QUESTION_KINDS, question_topic) and the
question shapes it answers by finding something first (what is held, what is in or on a thing, a measured
question about a thing in a relation, text in a part of the photo), and the intents of the first two."""
from __future__ import annotations

import re

from agent.intent import Intent
from agent.memory import turn_reference
from agent.planners.earlier_targets import person_named_by_pronoun
from agent.planners.phrases import find_part, find_position, first_match
from agent.state import Memory
from tools.people.words import VERB_THINGS
from tools.vocabulary import POSITION_WORDS

QUESTION_START = re.compile(r"^\s*(what|whats|which|how|hows|why|where|wheres|is|are|does|do|did|can|could|was|were|who|whos|"
                            r"whose)\b", re.IGNORECASE)

# "what is she holding?", "whats the guy on the right carrying": the answer is the held thing, found and segmented
HELD_QUESTION = re.compile(
    r"^\s*(?:and\s+|so\s+)?what(?:'s|s| is| are| was)?\s+(?P<who>.*?)\s*(?:\b(?:is|are|was)\s+)?"
    r"\b(?P<verb>holding|carrying|eating with|eating|drinking|using|playing with|riding|swinging|throwing|catching|"
    r"kicking|flying|(?:sitting|standing|lying|sleeping) on(?= *[?!.]*$)|wearing on (?:his|her|their) backs?|"
    r"carrying on (?:his|her|their) backs?|holds|carries|"
    r"has in (?:his|her|their) hands?)\b",
    re.IGNORECASE)

# "whats the thing in his hand", "what does he have in his hands", "whats she got in her hand": what he holds
IN_HAND_QUESTION = re.compile(
    r"^\s*(?:and\s+|so\s+)?what(?:'s|s| is| are| does| do| has)?\s+(?:[a-z ]*?\s+)?(?:have|has|got|holding|carrying|is|"
    r"the thing|that|this)\s+in\s+(?P<owner>his|her|their)\s+(?:left\s+|right\s+)?hands?\b", re.IGNORECASE)

# "what's on the plate?", "whats that in the toilet??", "whats hanging over the table": what is there, named
CONTENTS_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|ok|okay)\s+)?what(?:'s|s| is| are)?\s+(?:that\s+|this\s+|there\s+)?"
    r"(?:(?:hanging|sitting|lying|stuck|standing|placed|parked|put)\s+)?(?P<rel>on top of|inside|in front of|next to|in|"
    r"on|over|above|under|underneath|below|behind|beside)\s+(?P<ref>[a-z][^?!.]*?)\s*[?!.]*$", re.IGNORECASE)
# "the thing on the cutting board", "the stuff in the bowl": a request for what is there, read like the question
PLACED_THING = re.compile(
    r"^\s*(?:(?:and|so|ok|okay|now)\s+)?(?:(?:get|show me|segment|select|find|highlight)\s+)?(?:the|that|this)\s+"
    r"(?:thing|things|stuff|object|objects|item|items)\s+(?:(?:hanging|sitting|lying|stuck|standing|placed|put)\s+)?"
    r"(?P<rel>on top of|inside|in|on|under|underneath|below)\s+(?P<ref>[a-z][^?!.]*?)\s*[?!.]*$", re.IGNORECASE)
CONTENTS_RELATIONS = {"in": "inside", "inside": "inside", "on": "inside", "on top of": "above", "over": "above",
                      "above": "above", "under": "below", "underneath": "below", "below": "below", "behind": "behind",
                      "in front of": "in_front_of", "next to": "next_to", "beside": "next_to"}
NOT_A_PLACE = {"picture", "photo", "pic", "image", "background", "foreground", "distance", "air", "sky", "world"}
PART_NOUNS = {"corner", "side", "edge", "part", "half", "picture", "photo", "pic", "image"}  # "in the top left corner"
PHOTO_PART_REFERENCE = "photo:"  # a relation's reference that is a part of the photo ("photo:top left")
BACKGROUND_PART = "background"  # ... "photo:background": what stands behind the nearest things (candidates.background)
FAR_WORDS = {"background", "back", "distance", "far", "very", "way"}  # "in the far back", "way in the back"

# "what colour is the cat in front of it?": a measured question about a thing in a relation (answered once found)
MEASURED_QUESTION = re.compile(r"^\s*(?:what|which)\s+(?:colou?r|size|shape)\s+(?:is|are|'s)\s+(?P<thing>(?:the|that|"
                               r"this|those|these)\s+.+?)\s*\??$")


# "what does the sign say", "what number is on his shirt", "where's the bus going" (its destination sign), "whats the
# shop called" (its sign)
TEXT_QUESTION = (r"\b(say|says|said|written|read|text|word|words|spell|spells)\b|\bwhat(?:'s|s| is| are)? .{0,40}\bcalled\b|\bthe name of\b|\bwhat (number|year|date|airline|brand|"
                 r"team|company|name)\b|\bthe number (on|of the|in)\b|\bwhere(?:'s|s| is| are)? .{0,40}\b(going|headed|heading)\b")
QUESTION_WORDS_OF_TEXT = r"colou?rs?|shape|size|choose|chose|pick|picked|text|say|says|said|written|number|year|date|airline|brand|team|company|name|called|going|headed|heading"
# "what does it say at the bottom", "what year does it say in the corner": the photo's own text in that part
PHOTO_PART = re.compile(r"\b(?:at|in|on|along|across) the (?P<part>(?:top|bottom|upper|lower) (?:left|right)|top|bottom|left|right|corner|"
                        r"middle|center|centre)\b")

QUESTION_KINDS = (  # first match wins
    (r"^\s*(?:(?:and|so|ok|okay)\s+)?(?:who|whos)\b", "who"),  # pointing back only: who_request took the rest
    (r"\bhow many\b|\bcount\b|\bnumber of\b", "count"), (r"\bcolou?rs?\b", "color"),
    (r"^\s*why\b|\bwhy did\b|\bhow did you\b", "why"), (r"\bhow (big|large|small|much of)\b|\bsize\b", "size"),
    (TEXT_QUESTION, "text"), (r"\b(easy|hard|difficult) to (spot|see|find|notice)\b|\b(visible|noticeable)\b", "visible"),
    (r"\bwhere\b", "where"),
    (r"\bwhat(?:'s|s| is| are| s) (?:he|she|they|the [a-z ]{1,40}?) wearing\b|\bdressed in\b", "wearing"),
    (r"\bwhat(?:'s|s| is| are| was| were| s) (?:he|she|they|it|that|this|the [a-z ]{1,40}?|(?:that|this) [a-z ]{1,30}?) "
     r"(?:doing|up to)\b", "doing"),
    (r"^\s*(is|are) there\b", "exists"),
    (r"\bshape\b", "shape"),
)


# "who is holding the umbrella", "whos on the left", "who are the ones in red": the person (people) meant, found
WHO_QUESTION = re.compile(r"^\s*(?:(?:and|so|ok|okay)\s+)?(?:who(?:'s|s| is| are| was)|whos)\s+(?P<rest>[a-z][^?!.]*?)"
                          r"\s*[?!.]*$", re.IGNORECASE)
# what only points back ("who is she", "who's that guy"): a question about the current target, not a new search
WHO_POINTS_BACK = re.compile(r"^(?:it|he|she|they|him|her|them|this|that|these|those|there|(?:this|that|the) "
                             r"(?:guy|girl|man|woman|person|kid|boy|lady|one)|the ones?)$", re.IGNORECASE)


def who_request(text: str) -> str | None:
    """ "who is holding the umbrella?" -> "the person holding the umbrella" ("who are ..." -> "the people ..."): the
    request a who-question makes; None for other text and for a who-question that only points back ("who is she")."""
    found = WHO_QUESTION.match(text)
    if found is None:
        return None
    rest = found.group("rest").strip()
    if WHO_POINTS_BACK.match(rest):
        return None
    people = re.match(r"^\s*(?:(?:and|so|ok|okay)\s+)?who are\b", text, re.IGNORECASE) is not None
    return f"the {'people' if people else 'person'} {rest}"


# "what is she wearing on her hands": the body part a wearing question asks about
WORN_ON = re.compile(r"\bon (?:his|her|their|its|the) (?P<part>hands?|feet|foot|head|arms?|legs?|back)\b")


def worn_on_part(text: str) -> str | None:
    """The body part of "what is he wearing on his feet" ("feet"; one of tools.people.words.USUALLY_WORN), or None;
    a part's name as find_part gives it ("hand" -> "hands"), the back as "back"."""
    found = WORN_ON.search(text.lower())
    if found is None:
        return None
    return "back" if found.group("part") == "back" else find_part(found.group("part"))


def question_topic(text: str) -> str:
    """What a question asks about: one of agent.intent.QUESTIONS ("describe" when no pattern matches)."""
    return first_match(QUESTION_KINDS, text.lower(), "describe")


def held_question_intent(held: re.Match, memory: Memory | None) -> Intent:
    """ "what is she holding?": the thing held by the current target (a pronoun) or by the person named."""
    who = held.group("who").strip()
    verb = re.sub(r"\b(?:his|her|their) backs?$", "the back", held.group("verb"))  # "wearing on the back"
    verb = verb if verb in VERB_THINGS else verb.split()[0]
    verb = {"holds": "holding", "carries": "carrying", "has": "holding", "sleeping": "lying on"}.get(verb, verb)
    pronoun = not who or bool(re.fullmatch(r"(he|she|they|it|him|her|this|that|the (guy|girl|man|woman|person|kid))", who))
    current = (memory or {}).get("current") or None
    owner = person_named_by_pronoun(who, memory) if pronoun and who else None
    if owner is not None:  # "what is she sitting on" after "only her head": her, not her head
        reference, ref_words = turn_reference(owner.get("turn")), who
    elif pronoun and current:
        reference, ref_words = "previous", who or "it"
    else:
        reference = who if who and not pronoun else "the person"
        ref_words = who or "the person"
    be = "are" if ref_words == "they" else "is"
    return Intent(kind="relate", target=f"what {ref_words} {be} {verb}", relation="held_by", reference=reference,
                  question="describe", confidence=0.7)

def in_hand_intent(possessive: str, memory: Memory | None) -> Intent:
    """What the person `possessive` ("his", "her", "their") names holds: the person that pronoun names in the
    conversation, else the current target, else any person."""
    current = (memory or {}).get("current") or None
    owner = person_named_by_pronoun(possessive, memory) or current
    who = {"his": "he", "her": "she", "their": "they"}[possessive]
    be = "are" if who == "they" else "is"
    return Intent(kind="relate", target=f"what {who} {be} holding", relation="held_by",
                  reference=turn_reference(owner.get("turn")) if owner and owner is not current else
                  ("previous" if current else "the person"), question="describe", confidence=0.7)


def contents_question_intent(found: re.Match, memory: Memory | None) -> Intent | None:
    """ "what's on the plate?": the named thing in that relation to the plate; "what's on his hand?": what he
    holds; "whats that on the left?": the named thing in that part of the photo (reference "photo:left"); "whats in
    the background?": the named thing behind the nearest ones (reference "photo:background"); None when there is no
    place."""
    rel_words, ref = found.group("rel"), found.group("ref").strip()
    ref_words = [w for w in re.findall(r"[a-z]+", ref) if w not in ("the", "a", "an", "very", "far", "of")]
    asked = found.re is CONTENTS_QUESTION  # "whats in the middle?"; "the thing in the middle" picks by position
    part = find_position(ref) if asked and rel_words in ("in", "on") and ref_words else None
    if part and all(w in POSITION_WORDS or w in PART_NOUNS for w in ref_words):  # "whats that on the left"
        return Intent(kind="relate", target=f"what is {rel_words} {ref}", relation="inside",
                      reference=f"{PHOTO_PART_REFERENCE}{part}", question="describe", confidence=0.7)
    if asked and rel_words == "in" and ref_words and all(w in FAR_WORDS for w in ref_words) and \
            set(ref_words) & {"background", "back", "distance"}:  # "whats in the background", "in the distance"
        return Intent(kind="relate", target=f"what is in {ref}", relation="inside",
                      reference=f"{PHOTO_PART_REFERENCE}{BACKGROUND_PART}", question="describe", confidence=0.7)
    if not ref_words or all(w in POSITION_WORDS or w in NOT_A_PLACE for w in ref_words):
        return None
    current = (memory or {}).get("current") or None
    hand = re.fullmatch(r"(his|her|their) (?:left |right )?hands?", ref)
    if hand:  # "whats on his hand": what he holds there
        return in_hand_intent(hand.group(1), memory)
    pointing = re.fullmatch(r"(it|that|this|them|those|these|that one|this one)", ref)
    if pointing and not current:
        return None
    return Intent(kind="relate", target=f"what is {rel_words} {ref}", relation=CONTENTS_RELATIONS[rel_words],
                  reference="previous" if pointing else ref, question="describe", confidence=0.7)

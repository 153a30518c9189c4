"""The embedded rule-based planner: deterministic, no model.

It reads one user turn (plus the intent memory and the dialogue) into an `Intent` with regular
expressions and word lists (agent.planners.phrases; the asking sentence and clause: agent.planners.sentences;
the question shapes: agent.planners.questions). Order of checks: closing request ("use the
conversation above ...") -> correction -> answer-only question -> part refinement -> relation ->
text cue -> attribute filter -> new target. `select` and `answer` return None: the agent's own
ranking and the explanation composer decide.
"""
from __future__ import annotations

import re
from typing import Any

from agent.intent import Intent
from agent.memory import record_of_turn, turn_reference, turns_reference
from agent.planners.base import PlannerContext
from agent.planners.focus import infer_focus, is_closing_request
from tools.spelling import read_words
from agent.planners.questions import (
    CONTENTS_QUESTION, CONTENTS_RELATIONS, HELD_QUESTION, MEASURED_QUESTION, NOT_A_PLACE, PHOTO_PART, QUESTION_START,
    QUESTION_WORDS_OF_TEXT, question_topic,
)
from agent.planners.sentences import WANTS_MASK, request_clause, request_sentence
from tools.vocabulary import CATEGORY_SYNONYMS, FILLER_WORDS, GARMENT_WORDS, ORDINALS, PERSON_FEATURE_WORDS, coco_category
from agent.text_answers import PHOTO_TEXT
from agent.planners.person_phrases import RIGHT_AS_JUST, described, names_someone_first, pronoun_reference
from tools.people.clothing import worn_items
from tools.people.words import ARMS_UP, HAND_VERBS, VERB_THINGS, facing_of, person_cues, without_facing
from tools.vocabulary import POSITION_WORDS as VOCABULARY_POSITION_WORDS
from agent.planners.phrases import (
    ACTION_RELATION, BENDING_RELATION, COLORS, LARGEST, SHAPE_NOUNS, SHAPES, SMALLEST, chunks, find_colors, find_depth, find_garment, find_part, find_position,
    find_relation, find_shape, find_size, placeholder_phrase, quoted, refers_back, relation_match,
    relation_start, singular,
)

CORRECTION = re.compile(
    r"^\s*(no\b|nope\b|not (that|this|it|those|these)\b|wrong\b|that'?s (wrong|not it|incorrect)|that is (wrong|not it)|"
    r"incorrect\b|i meant\b|i mean\b|actually\b|instead\b)|\b(the other one|other one|another one|a different one|"
    r"not that one|not this one|the other)\b",
    re.IGNORECASE,
)
TEXT_CUE = re.compile(
    r"\b(?:that|which|it)?\s*(?:says|saying|reads|reading|labell?ed|written|with the (?:text|word|words)|"
    r"spelling|showing the (?:text|word))\s+[\"'“‘]?([A-Za-z0-9][A-Za-z0-9 .\-&]{0,40}?)[\"'”’]?\s*[?.!,]?\s*$",
    re.IGNORECASE,
)
# what people are doing: the gerund ends a noun phrase, it never names the thing ("the small one hiding in the back")
ACTION_WORDS = set("""wearing hiding sitting standing playing holding looking walking running eating drinking lying
kneeling jumping bending smiling talking waiting grabbing throwing pulling pushing riding carrying using doing
posing leaning facing watching reading writing working cooking cutting swinging flying skiing surfing written
printed dragging waving raising reaching""".split())
COMMAND_WORDS = set("""segment mask highlight outline select show mark find locate pick out give cut isolate
please now also then can could would you me us let's lets want need see point where which what whats wheres whos
hows get grab take go going come return switch""".split()) | FILLER_WORDS | ACTION_WORDS

# "the girl in the middle of the front row", "the ones standing in the back row": a row of a group photo
ROW_WORDS = re.compile(r"\b(front|first|back|last|rear|middle|second) row\b")
ROWS = {"front": "front", "first": "front", "back": "back", "last": "back", "rear": "back", "middle": "middle",
        "second": "middle"}
# "the guy with the blue balloon", "kid w/ the kite": a person and the thing they have
WITH_THING = re.compile(r"\b(?:with|w/|w)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+)?(?P<thing>[a-z][a-z ]*?)\s*[?.!]*$")
# "both of them", "ok all of them together": the targets named one by one so far, joined
TOGETHER = re.compile(r"^\W*(?:(?:ok|okay|now|and|so|then)\s+)*(?:both(?: of them| together)?|them both|all of them|"
                      r"the two of them|all three|all 3|both at once)(?:\s+(?:pls|please|together|now|at once))*\W*$",
                      re.IGNORECASE)
# "his board", "her bag", "the frisbee she's throwing", "the bike he is riding": a thing of the current person
THEIR_THING = re.compile(
    r"^\s*(?:(?:and|now|ok|okay|so|then|also)\s+)*(?:(?P<pos>his|her|their)\s+(?P<owned>[a-z][a-z\-]*(?: [a-z][a-z\-]*){0,2}?)|"
    r"(?:the|that|this)\s+(?P<thing>[a-z][a-z \-]*?)\s+(?:that\s+|which\s+)?(?:he|she|they)(?:'s|'re|s| is| are)?\s+"
    r"(?P<verb>holding|carrying|eating|drinking|riding|using|throwing|wearing|pulling|pushing|writing (?:in|on|with)|"
    r"sitting on|standing on|playing with|holds|carries|rides|has|got|on|in))\s*[?.!]*\s*$", re.IGNORECASE)
# talk that asks for nothing: "sick trick lol", "thanks!", "cool"
CHATTER = re.compile(r"\b(lol|haha+|thanks|thank you|thx|ty|cool|nice|wow|awesome|great|sick|neat|perfect|love it|"
                     r"good job|well done|omg)\b", re.IGNORECASE)
POSITION_WORDS = VOCABULARY_POSITION_WORDS  # the one vocabulary's
DEPTH_WORDS = set("""front back behind closest nearest closer nearer near close far farther farthest furthest
foreground distance distant camera cam us me viewer""".split())
ATTRIBUTE_WORDS = (set(COLORS) | LARGEST | SMALLEST | set(SHAPES) | POSITION_WORDS | DEPTH_WORDS | set(ORDINALS)
                   | {"biggest", "largest", "smallest"})
PLACEHOLDER_NOUNS = {"one", "ones", "thing", "things", "object", "objects", "item", "items", "region", "part", "stuff"}


# predicate adjectives of questions ("is the cup easy to spot?"): they end a noun phrase, never head it
PREDICATE_WORDS = set("""easy hard difficult visible noticeable obvious clear important possible likely present
there here spot see find notice tell sure true doing""".split())


_question_kind = question_topic


def _noun_phrase(text: str) -> tuple[str | None, list[str]]:
    """(category head noun, the words of the phrase around it) from a request like "segment the red mug"."""
    runs = [run[: next((i for i, w in enumerate(run) if w in PREDICATE_WORDS), len(run))]
            for run in chunks(text, COMMAND_WORDS)]
    runs = [run for run in runs if run]
    best: list[str] = []
    def is_noun(w: str) -> bool:  # "ball" and "orange" are attribute words and COCO names: the name wins
        return (w not in ATTRIBUTE_WORDS or singular(w) in CATEGORY_SYNONYMS) and w not in PLACEHOLDER_NOUNS

    for run in runs:
        if any(is_noun(w) for w in run):
            best = run
            break
    nouns = [w for w in best if is_noun(w)]
    if not nouns:
        return None, [w for r in runs for w in r if w in ATTRIBUTE_WORDS]
    if (nouns[-1] in GARMENT_WORDS or nouns[-1] in PERSON_FEATURE_WORDS) and \
            not any(singular(w) in CATEGORY_SYNONYMS for w in nouns):
        return "person", best  # "red jacket on the right", "the one w the ponytail": the person who has it
    head = singular(nouns[-1])
    if head in SHAPE_NOUNS:  # "the red circle": a shape, not a category
        return None, best
    return head, best


def _phrase(words: list[str], fallback: str = "the thing") -> str:
    return "the " + " ".join(words) if words else fallback


def _is_chatter(low: str) -> bool:
    """A short remark that asks for nothing: a chatter word, no mask verb, no question, no COCO thing, no
    article or pronoun pointing at something ("sick trick lol", "cool thanks")."""
    return bool(CHATTER.search(low)) and len(low.split()) <= 6 and not WANTS_MASK.search(low) and "?" not in low \
        and not coco_category(low) and not re.search(r"\b(the|a|an|this|that|these|those|it|its|his|her|their)\b", low)


def _together(low: str, memory: dict | None) -> Intent | None:
    """ "both of them" / "all of them": the last two (all: every) distinct whole targets of earlier turns, joined."""
    if not TOGETHER.search(low):
        return None
    picked: list[dict] = []
    for record in reversed((memory or {}).get("history") or []):
        if record.get("part") or not record.get("rle", True) or record.get("kind") == "answer_only":
            continue
        if all(record.get("region_id") != p.get("region_id") or record.get("region_id") is None for p in picked):
            picked.append(record)
    picked = picked[: 2 if "both" in low or "two" in low else len(picked)]
    if len(picked) < 2:
        return None
    return Intent(kind="new_target", target=" and ".join(str(p.get("phrase")) for p in reversed(picked)),
                  reference=turns_reference([int(p["turn"]) for p in reversed(picked)]), confidence=0.8)


def _person_named_by_pronoun(low: str, memory: dict | None) -> dict | None:
    """The latest whole-person target when the turn says he/she/his/her/him but the current target is no whole
    person (the cup he held, her head), else None."""
    current = (memory or {}).get("current") or {}
    whole_person = coco_category(current.get("category")) == "person" and not current.get("part")
    if whole_person or not current or not re.search(r"\b(he|she|his|her|him|hers|hes|shes)\b", low):
        return None
    return next((r for r in reversed((memory or {}).get("history") or [])
                 if coco_category(r.get("category")) == "person" and not r.get("part") and r.get("rle", True)), None)


def closing_target(focus: str, memory: dict | None) -> dict | None:
    """For a closing request in an image session: the earlier whole-object target that the inferred focus
    names (by head noun), else the current target; None when nothing was segmented yet."""
    history = (memory or {}).get("history") or []
    if not history:
        return None
    for word in reversed(re.findall(r"[a-z]+", (focus or "").lower())):
        found = named_target(singular(word), memory)
        if found is not None:
            return found
    return (memory or {}).get("current") or None


def named_target(noun: str | None, memory: dict | None) -> dict | None:
    """The latest whole-object target (no part) whose category or phrase names `noun`, or None."""
    if not noun:
        return None
    for record in reversed((memory or {}).get("history") or []):
        words = {singular(w) for w in re.findall(r"[a-z]+", str(record.get("phrase") or "").lower())}
        if not record.get("part") and (record.get("category") == noun or noun in words):
            return record
    return None


def earlier_facts(record: dict | None) -> dict | None:
    """Explanation facts rebuilt from a target record's stored descriptors (None when it has none)."""
    a = (record or {}).get("attributes") or {}
    if not a.get("box") or "area" not in a:
        return None
    return {"box": [int(v) for v in a["box"]], "area": int(a["area"]), "area_fraction": float(a.get("area_fraction", 0.0)),
            "position": a.get("position", "image"), "size": a.get("size", ""), "colors": a.get("colors") or [],
            "shape": a.get("shape", "irregular"), "text": " ".join(a["text"]) if a.get("text") else None}


class RuleBasedPlanner:
    """Deterministic planner (the embedded default and the fallback of every other planner)."""

    name = "rule"

    def interpret(self, context: PlannerContext) -> Intent:
        """The turn's Intent; unknown words are read as their spelling correction first (noted on the Intent)."""
        sentence = request_sentence(context.user_text.strip())
        clause = request_clause(sentence)
        reading = read_words(clause)
        intent = self._interpret(context, reading.text)
        if clause != sentence and not intent.category:  # "two ppl in the snow, get the one in red": a person
            scene_noun = _noun_phrase(read_words(sentence[: -len(clause)]).text.lower())[0]
            intent.category = scene_noun if coco_category(scene_noun) else None  # not "in the kitchen"
        intent.notes = reading.notes()
        row = ROW_WORDS.search(reading.text.lower())
        if row and intent.kind in ("new_target", "filter_attribute", "correct") and " row" not in intent.target:
            intent.target = f"{intent.target} in the {ROWS[row.group(1)]} row"  # "the girl in the front row"
        return intent

    def _interpret(self, context: PlannerContext, text: str) -> Intent:
        text = RIGHT_AS_JUST.sub("", text)  # "right behind the bike": just behind it, no position
        facing = facing_of(text)
        text = re.sub(r"\s+", " ", without_facing(text)).strip() if facing else text  # "back to us" names nothing
        low = text.lower()
        current = (context.memory or {}).get("current") or None
        prev_phrase = current.get("phrase") if current else None
        attrs = dict(colors=find_colors(text), position=find_position(text), size=find_size(text),
                     shape=find_shape(text), depth=find_depth(text), garment=find_garment(text),
                     pose=person_cues(text).pose, facing=facing)
        cue = self._text_cue(text)

        if is_closing_request(text):
            target = infer_focus(context.dialogue)
            settled = closing_target(target, context.memory) if context.image_path else None
            if settled is not None and settled.get("rle", True) and settled.get("phrase"):
                return Intent(kind="segment_from_dialogue", target=settled["phrase"], category=settled.get("category"),
                              reference=turn_reference(settled.get("turn")), confidence=0.8)
            category, _ = _noun_phrase(target) if target else (None, [])
            qs = quoted(target)
            return Intent(kind="segment_from_dialogue", target=target or "the main subject", category=category,
                          text_cue=qs[0] if qs else None, confidence=0.5 if target else 0.2)

        if current and CORRECTION.search(low):
            category, words = _noun_phrase(re.sub(CORRECTION, " ", low))
            target = _phrase(words) if category else (prev_phrase or "the other one")
            return Intent(kind="correct", target=target, category=category or current.get("category"),
                          exclude_previous=True, text_cue=cue, **attrs, confidence=0.7)

        if _is_chatter(low):
            return Intent(kind="answer_only", target=prev_phrase or "the image", wants_mask=False, question="chatter")
        together = _together(low, context.memory)
        if together is not None:
            return together
        held = HELD_QUESTION.search(low)
        if held and context.image_path:
            return self._held_question(held, context)
        contents = CONTENTS_QUESTION.search(low)
        if contents and context.image_path:
            asked = self._contents_question(contents, context)
            if asked is not None:
                return asked
        theirs = THEIR_THING.search(low)
        if theirs and current and context.image_path:
            words = (theirs.group("owned") or theirs.group("thing") or "").strip()
            worn = GARMENT_WORDS.get(words.split()[-1]) if words else None
            part = find_part(words) or {"torso": "upper body"}.get(worn or "", worn)
            if part and part != "whole":  # "her legs", "his hat": a part of the person
                owner = _person_named_by_pronoun(low, context.memory) or current
                return Intent(kind="refine_part", target=f"{owner.get('phrase') or 'their'}'s {words}", part=part,
                              category=owner.get("category"), reference=turn_reference(owner.get("turn")), confidence=0.8)
            category, _ = _noun_phrase(words)
            if category != "person" and not set(words.split()) & (set(GARMENT_WORDS) | {"is", "are", "was"}):
                owner = _person_named_by_pronoun(low, context.memory) or current  # "her laptop" after the laptop
                said = re.sub(r"^(?:(?:and|now|ok|okay|so|then|also)\s+)+", "", theirs.group(0).strip(" ?.!"))
                return Intent(kind="relate", target=said, category=category,  # as said: "his board"
                              relation="held_by", reference=turn_reference(owner.get("turn")) if owner is not current
                              else "previous", **attrs, confidence=0.7)

        is_question = bool(QUESTION_START.search(low)) or low.endswith("?")
        relation = find_relation(text)
        asks_why = bool(re.match(r"\s*(why|how come)\b", low))
        if asks_why or is_question and not WANTS_MASK.search(low) and not (
                relation and re.match(r"\s*(what|which|who)\b", low) and (relation_start(low) or 9) <= 4):
            kind = _question_kind(low)
            about = MEASURED_QUESTION.match(low) if relation and context.image_path else None
            if about and _noun_phrase(about.group("thing")[: relation_start(about.group("thing")) or None])[0]:
                found = self._interpret(context, about.group("thing"))  # "the cat in front of it": found first
                if found.kind in ("relate", "new_target"):
                    found.question = kind
                    return found
            part = PHOTO_PART.search(low) if kind == "text" else None
            if part and re.search(r"\b(it|there)\b", low[:part.start()]) and \
                    not _noun_phrase(re.sub(rf"\b({QUESTION_WORDS_OF_TEXT})\b", " ", low[:part.start()]))[0]:
                place = {"upper": "top", "lower": "bottom", "middle": "center", "centre": "center"}
                where = " ".join(place.get(w, w) for w in part.group("part").split())
                return Intent(kind="answer_only", target=f"the text in the {where} of the photo", wants_mask=False,
                              category=PHOTO_TEXT, position=where, question="text")
            category, words = _noun_phrase(re.sub(rf"\b({QUESTION_WORDS_OF_TEXT})\b", " ", text))
            counted = re.search(r"\bhow many\s+(?:of the\s+)?((?:[a-z]+\s+){0,3}?(?:[a-z]+s|people|men|women|children|sheep))\b", low)
            if kind == "count" and counted:  # "how many lamps hang from the ceiling": the plural ends the noun phrase
                category, words = _noun_phrase(counted.group(1))
            points_back = bool(re.search(r"\b(it|its|it's|this|that|they|them|their|one)\b", low)) or \
                bool(re.search(rf"\b(?:his|her)\s+(?:\w+\s+)?(?:{'|'.join(GARMENT_WORDS)})\b", low))  # "his shirt"
            named_new = bool(category) and not points_back and (not current or (category != current.get("category")
                                                          and named_target(category, context.memory) is None))
            if named_new and kind != "count" and context.image_path:
                # a question about an object not segmented yet: find it (the mask shows what the answer is
                # about) and make it the current target, so "its colour" next turn refers to it
                head = words[: words.index(category) + 1] if category in words else words
                return Intent(kind="new_target", target=_phrase(head), category=category, question=kind,
                              **attrs, confidence=0.7)
            owner = _person_named_by_pronoun(low, context.memory) if attrs["garment"] else None
            if owner is not None:  # "what color is his shirt?" after his skateboard: asked of him
                return Intent(kind="answer_only", target=owner.get("phrase") or "that person", wants_mask=False,
                              category=owner.get("category"), question=kind, reference=turn_reference(owner.get("turn")),
                              garment=attrs["garment"])
            if kind in ("count", "exists") and (category or attrs["colors"] or attrs["shape"]):
                target = _phrase(words)
            else:
                target = prev_phrase or _phrase(words, "the image")
            reference = None
            if kind not in ("count", "exists") and current:
                earlier = named_target(category, context.memory)
                if earlier is not None and earlier is not current:  # "what colour is the mug?" after its handle
                    target, reference = earlier.get("phrase") or target, turn_reference(earlier.get("turn"))
                category = (earlier or current).get("category")
            return Intent(kind="answer_only", target=target, wants_mask=False, category=category, question=kind,
                          text_cue=cue, reference=reference, **attrs)

        part = find_part(text)
        if part == "whole" and current:
            whole_of = (prev_phrase or "it").removeprefix("the ").removeprefix("whole ")
            return Intent(kind="refine_part", target=f"the whole {whole_of}", part=part,
                          category=current.get("category"), confidence=0.8)
        if current and part and part != "whole" and not names_someone_first(*_noun_phrase(text), text) and not facing and \
                (refers_back(low) or re.search(r"\b(only|just|its|their|his|her)\b", low)):
            owner = _person_named_by_pronoun(low, context.memory)
            if owner is not None:  # "only her head" after "what is she holding?": her, not the thing she holds
                return Intent(kind="refine_part", target=f"the {part} of {owner.get('phrase') or 'that person'}",
                              part=part, category="person", reference=turn_reference(owner.get("turn")), confidence=0.8)
            return Intent(kind="refine_part", target=f"the {part} of {prev_phrase or 'it'}", part=part,
                          category=current.get("category"), confidence=0.8)

        with_thing = WITH_THING.search(low)
        if with_thing and not relation:  # "guy with the blue balloon": the person whose hand is at the balloon
            thing = with_thing.group("thing").strip()
            head_category, head_words = _noun_phrase(low[:with_thing.start()])
            if coco_category(head_category) == "person" and coco_category(thing) not in (None, "person") and \
                    not set(thing.split()) & set(GARMENT_WORDS):
                own_text = low[:with_thing.start()]  # "the woman in red": said of the person, not the thing
                return Intent(kind="relate", target=f"{described(head_category, head_words, own_text)} with the {thing}",
                              category=head_category, relation="next_to", reference=thing,
                              colors=find_colors(own_text), position=find_position(own_text),
                              depth=find_depth(own_text), garment=find_garment(own_text),
                              pose=person_cues(own_text).pose, facing=facing, confidence=0.7)
        if relation:
            rel, rest = relation
            _, said = relation_match(low)
            rest, tail = pronoun_reference(rest)  # "next to her in jeans": her; "in jeans" is said of the target
            own_text = f"{low[:said.start()]} {tail}"  # what the request says of the target itself
            verb = re.search(ACTION_RELATION, low[:said.start()])  # "the person walking next to the bikes"
            category, words = _noun_phrase(low[:verb.start() if verb else said.start()])
            owned_part = re.match(r"(?:its|his|her|their) (?:\w+ )?(?:head|face|paws?|feet|legs?|hands?|arms?|body|tail)$", rest)
            if not rest or refers_back(rest) and len(rest.split()) <= 3 or owned_part:  # "under its head": under it
                reference, ref_words = "previous", prev_phrase or "it"
            else:
                reference, ref_words = rest, rest
            spoken = re.fullmatch(ACTION_RELATION, said.group(0)) or said.group(0) in HAND_VERBS or \
                re.fullmatch(BENDING_RELATION, said.group(0))
            rel_words = said.group(0) if spoken else (
                rel.replace("_", " ").replace("below", "under"))  # "kicking", else the relation's name
            if verb:
                rel_words = f"{verb.group(0)} {rel_words}"  # "walking next to"
            if rel == "contains" and said.group(0) in HAND_VERBS and coco_category(category) == "person":
                rel = "next_to"  # "the woman holding an umbrella": her hand at it, her box need not hold it
            who = described(category, words, own_text) if words else "the thing"
            target = f"{who} {rel_words} {ref_words}"
            own = dict(colors=find_colors(own_text), position=find_position(own_text), size=find_size(own_text),
                       shape=find_shape(own_text), depth=find_depth(own_text), garment=find_garment(own_text),
                       pose=person_cues(f"{low[:said.end()]} {tail}").pose, facing=facing)
            if reference == "previous" and not current:
                reference = None
            asks_which = "describe" if re.match(r"\s*(what|which|whats|what's)\b", low) else None  # "what fruit is ..."
            return Intent(kind="relate", target=target, category=category, relation=rel, reference=reference,
                          question=asks_which, **own, confidence=0.7)

        if cue:
            rest = TEXT_CUE.sub("", text) if TEXT_CUE.search(text) else re.sub(r"[\"“'‘].*", "", text)
            category, words = _noun_phrase(rest.replace(cue, " "))
            phrase = f"{_phrase(words, 'the text')} that says {cue}"
            return Intent(kind="read_text", target=phrase, category=category, text_cue=cue, **attrs)

        category, words = _noun_phrase(text)
        bare_action = next((w for w in re.findall(r"[a-z]+", low) if w in VERB_THINGS), None)
        if category and coco_category(category) == "person" and bare_action:  # "the kid swinging": at a bat or racket
            return Intent(kind="new_target", target=f"{described(category, words, text)} {bare_action}",
                          category=category, **attrs, confidence=0.8)
        if category and coco_category(category) == "person" and (worn_items(text) or ARMS_UP.search(low) or
                                                                 set(re.findall(r"[a-z]+", low)) & PERSON_FEATURE_WORDS):
            # "the guy in the red shirt", "the lady with both arms up": kept in the target for the candidates
            return Intent(kind="new_target", target=described(category, words, text), category=category, **attrs,
                          confidence=0.8)
        if category is None and (attrs["colors"] or attrs["size"] or attrs["shape"] or attrs["position"] or attrs["depth"]):
            shape_noun = [w for w in words if w in SHAPE_NOUNS]
            if shape_noun and not shape_noun[-1].endswith("s"):
                return Intent(kind="new_target", target=_phrase(words), **attrs, confidence=0.8)
            plural = bool(re.search(r"\b(ones|things|all|those|these|objects|items|shapes|circles|squares)\b", low))
            target = placeholder_phrase(text) or (_phrase(words + (["ones"] if plural else [])) if words else "the " + " ".join(
                filter(None, [attrs["size"] and ("biggest" if attrs["size"] == "largest" else "smallest"),
                              *attrs["colors"], attrs["shape"], "one"])))
            return Intent(kind="filter_attribute", target=target, **attrs, confidence=0.8 if not plural else 0.7)
        portion = re.search(r"\bof\s+(?:the\s+|a\s+|an\s+)?([a-z][a-z ]*)", low) if words else None
        if portion and not coco_category(_phrase(words)) and coco_category(portion.group(1)):
            # "the slice of cake", "a piece of pizza": the thing it is a portion of
            return Intent(kind="new_target", target=f"{_phrase(words)} of {portion.group(1).strip()}",
                          category=coco_category(portion.group(1)), **attrs, confidence=0.7)
        return Intent(kind="new_target", target=_phrase(words, text.strip(" ?.!") or "the thing"),
                      category=category, **attrs, confidence=0.8 if category else 0.4)

    @staticmethod
    def _held_question(held: re.Match, context: PlannerContext) -> Intent:
        """ "what is she holding?": the thing held by the current target (a pronoun) or by the person named."""
        who = held.group("who").strip()
        verb = re.sub(r"\b(?:his|her|their) backs?$", "the back", held.group("verb"))  # "wearing on the back"
        verb = verb if verb in VERB_THINGS else verb.split()[0]
        verb = {"holds": "holding", "carries": "carrying", "has": "holding"}.get(verb, verb)
        pronoun = not who or bool(re.fullmatch(r"(he|she|they|it|him|her|this|that|the (guy|girl|man|woman|person|kid))", who))
        current = (context.memory or {}).get("current") or None
        if pronoun and current:
            reference, ref_words = "previous", who or "it"
        else:
            reference = who if who and not pronoun else "the person"
            ref_words = who or "the person"
        return Intent(kind="relate", target=f"what {ref_words} is {verb}", relation="held_by", reference=reference,
                      question="describe", confidence=0.7)

    @staticmethod
    def _contents_question(found: re.Match, context: PlannerContext) -> Intent | None:
        """ "what's on the plate?": the named thing in that relation to the plate; "what's on his hand?": what he
        holds; None when the place is a part of the photo ("what's in the middle") or no place at all."""
        rel_words, ref = found.group("rel"), found.group("ref").strip()
        ref_words = [w for w in re.findall(r"[a-z]+", ref) if w not in ("the", "a", "an", "very", "far")]
        if not ref_words or all(w in POSITION_WORDS or w in NOT_A_PLACE for w in ref_words):
            return None
        current = (context.memory or {}).get("current") or None
        hand = re.fullmatch(r"(his|her|their) (?:left |right )?hands?", ref)
        if hand:  # "whats on his hand": what he holds there
            owner = _person_named_by_pronoun(ref, context.memory) or current
            who = {"his": "he", "her": "she", "their": "they"}[hand.group(1)]
            return Intent(kind="relate", target=f"what {who} is holding", relation="held_by",
                          reference=turn_reference(owner.get("turn")) if owner and owner is not current else
                          ("previous" if current else "the person"), question="describe", confidence=0.7)
        pointing = re.fullmatch(r"(it|that|this|them|those|these|that one|this one)", ref)
        if pointing and not current:
            return None
        return Intent(kind="relate", target=f"what is {rel_words} {ref}", relation=CONTENTS_RELATIONS[rel_words],
                      reference="previous" if pointing else ref, question="describe", confidence=0.7)

    @staticmethod
    def _text_cue(text: str) -> str | None:
        qs = quoted(text)
        if qs:
            return qs[0]
        m = TEXT_CUE.search(text)
        if m:
            return m.group(1).strip()
        caps = re.findall(r"\b[A-Z0-9][A-Z0-9\-&]*[A-Z][A-Z0-9\-&]*\b", text)  # words in capitals: "the EXIT sign"
        return " ".join(caps) if caps and len(caps) <= 4 else None

    def select(self, context: PlannerContext, intent: Intent, candidates: list[dict[str, Any]]) -> list[str] | None:
        return None

    def answer(self, context: PlannerContext, intent: Intent, facts: dict[str, Any]) -> str | None:
        """Answer-only turns about an earlier target (intent.reference "turn:N") from that target's stored
        descriptors; None otherwise (the composer's text stands)."""
        if intent.garment:  # a person's clothes: measured on their mask by the explain node
            return None
        record = record_of_turn(context.memory, intent.reference) if intent.kind == "answer_only" else None
        earlier = earlier_facts(record)
        if earlier is None:
            return None
        from agent.explain import answer_question
        return answer_question(intent.question, intent.target, earlier) + " (about the earlier target, not the current part)"

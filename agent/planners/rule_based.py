"""The embedded rule-based planner: deterministic, no model.

It reads one user turn (plus the intent memory and the dialogue) into an `Intent` with regular
expressions and word lists (agent.planners.phrases; noun phrases: agent.planners.noun_phrases; the asking
sentence and clause: agent.planners.sentences; the question shapes: agent.planners.questions; which earlier
target a turn names: agent.planners.earlier_targets). Order of checks: closing request ("use the
conversation above ...") -> correction -> answer-only question -> part refinement -> relation ->
text cue -> attribute filter -> new target. `select` and `answer` return None: the agent's own
ranking and the explanation composer decide.
"""
from __future__ import annotations

import re

from agent.explain import MaskFacts
from agent.intent import Intent
from agent.memory import record_of_turn, turn_reference
from agent.planners.base import PlannerContext
from agent.planners.earlier_targets import (closing_target, earlier_facts, named_target, person_named_by_pronoun,
                                            together_intent)
from agent.planners.focus import infer_focus, is_closing_request
from agent.planners.noun_phrases import bare_phrase, counted_target, is_chatter, noun_phrase, the_phrase
from agent.planners.person_deixis import person_pronoun_reference, pointing_intent
from agent.planners.person_phrases import RIGHT_AS_JUST, described, names_someone_first, pronoun_reference
from agent.planners.phrases import (
    ACTION_RELATION, BENDING_RELATION, NUMBER_CUE, PLACEHOLDER, SHAPE_NOUNS, TEXT_CUE, TRAILING_PLACE, edge_phrase,
    find_colors, find_depth, find_garment, find_part, find_position, find_relation, find_shape, find_size,
    find_text_cue, own_colors, placeholder_phrase, quoted, refers_back, relation_match, relation_start,
    without_cut_off,
)
from agent.planners.possessives import restore_possessives
from agent.planners.questions import (
    CONTENTS_QUESTION, HELD_QUESTION, IN_HAND_QUESTION, MEASURED_QUESTION, PHOTO_PART, PLACED_THING, QUESTION_START,
    QUESTION_WORDS_OF_TEXT,
    contents_question_intent, held_question_intent, in_hand_intent, question_topic, who_request, worn_on_part,
)
from agent.planners.sentences import WANTS_MASK, one_of_several, request_clause, request_sentence, without_lead_in
from agent.planners.their_things import their_thing_intent
from agent.state import Candidate
from agent.text_answers import PHOTO_TEXT
from tools.people.clothing import worn_items
from tools.people.words import ARMS_UP, HAND_VERBS, TRICK_PHRASE, VERB_THINGS, facing_of, person_cues, without_facing
from tools.spelling import read_words
from tools.vocabulary import GARMENT_WORDS, PERSON_FEATURE_WORDS, coco_category

CORRECTION = re.compile(
    r"^\s*(?:(?:hmm+|um+|uh+|oh|ok|okay|wait|sorry)[,.!\s]+)*(no\b|nope\b|not (that|this|it|those|these)\b|wrong\b|that'?s (wrong|not it|incorrect)|that is (wrong|not it)|"
    r"incorrect\b|i meant\b|i mean\b|actually\b|instead\b)|\b(the other one|other one|another one|a different one|"
    r"not that one|not this one|the other)\b",
    re.IGNORECASE,
)
# "the girl in the middle of the front row", "the ones standing in the back row": a row of a group photo
ROW_WORDS = re.compile(r"\b(front|first|back|last|rear|middle|second) row\b")
ROWS = {"front": "front", "first": "front", "back": "back", "last": "back", "rear": "back", "middle": "middle",
        "second": "middle"}
# "the guy with the blue balloon", "kid w/ the kite": a person and the thing they have
WITH_THING = re.compile(r"\b(?:with|w/|w)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+)?(?P<thing>[a-z][a-z ]*?)\s*[?.!]*$")
# "the chair with a cat on it", "the plate with food in it": the thing under (or holding) another one
WITH_THING_ON_IT = re.compile(r"^(?P<head>.+?)\s+(?:with|w/|w|that has|having)\s+(?:the\s+|a\s+|an\s+|some\s+)?"
                              r"(?P<thing>[a-z][a-z ]*?)\s+(?P<prep>on|in|inside|on top of) (?:it|top|them)\s*[?.!]*$")
# "what is the red thing on the left", "whats that white stuff": a thing asked about by its description alone
PLACEHOLDER_ASKED = re.compile(rf"\b(?:the|that|this)\s+(?:[a-z]+\s+){{0,3}}?{PLACEHOLDER}\b")
DEPTH_PLACES = {"front": "in front", "back": "in the back"}  # a depth said in the target's name
DEPTH_NAMED = re.compile(r"\b(front|back|behind|closest|nearest|closer|nearer|farthest|furthest|far|distance|"
                         r"foreground|background)\b")
# "the one in the back, u only see the back of his head": a request without a noun about a he or a she
PERSON_POINTED_AT = re.compile(r"\b(?:this|that|the) (?:guy|girl|man|woman|person|kid|boy|lady)\b")  # "who's that guy"
PLACE_RELATIONS = ("next_to", "left_of", "right_of", "behind", "in_front_of", "above", "below")  # where, of a pick
SOMEONE = re.compile(r"\b(he|she|his|hers|he's|she's|hes|shes|himself|herself)\b")
_question_kind = question_topic


class RuleBasedPlanner:
    """Deterministic planner (the embedded default and the fallback of every other planner)."""

    name = "rule"

    def interpret(self, context: PlannerContext) -> Intent:
        """The turn's Intent; unknown words are read as their spelling correction first (noted on the Intent)."""
        sentence = request_sentence(context.user_text.strip())
        clause = without_lead_in(one_of_several(request_clause(sentence)))
        reading = read_words(clause)
        owned_text, owned = restore_possessives(reading.text)  # "the batters shirt": the batter's shirt
        owned_text = who_request(owned_text) or owned_text  # "who is holding it": the person holding it
        intent = self._interpret(context, owned_text)
        if clause != sentence and not intent.category:  # "two ppl in the snow, get the one in red": a person
            scene_noun = noun_phrase(read_words(sentence[: -len(clause)]).text.lower())[0]
            intent.category = scene_noun if coco_category(scene_noun) else None  # not "in the kitchen"
        intent.notes = [*reading.notes(), *(f"read '{typed}' as '{read}'" for typed, read in owned),
                        *intent.notes]  # spelling read, then what the turn was read as
        row = ROW_WORDS.search(reading.text.lower())
        if row and intent.kind in ("new_target", "filter_attribute", "correct") and " row" not in intent.target:
            intent.target = f"{intent.target} in the {ROWS[row.group(1)]} row"  # "the girl in the front row"
        edge = edge_phrase(reading.text, intent.position)
        if edge and intent.kind in ("new_target", "filter_attribute", "correct") and "edge" not in intent.target:
            intent.target = f"{intent.target} {edge}"  # "the person in the light blue shirt at the right edge"
        if intent.kind in ("new_target", "correct") and intent.depth and intent.category and \
                not DEPTH_NAMED.search(intent.target):  # "the car closest to the camera": the car in front
            intent.target = f"{intent.target} {DEPTH_PLACES[intent.depth]}"
        if intent.kind in ("new_target", "filter_attribute", "correct"):
            intent.target = counted_target(intent.target, reading.text)  # "both screens": two, not all found
        return intent

    def _interpret(self, context: PlannerContext, text: str) -> Intent:
        someone = "person" if SOMEONE.search(text.lower()) else None  # before facing words go: "...of his head"
        text = RIGHT_AS_JUST.sub("", text)  # "right behind the bike": just behind it, no position
        facing = facing_of(text)
        text = re.sub(r"\s+", " ", without_facing(text)).strip() if facing else text  # "back to us" names nothing
        text = without_cut_off(text)  # "the one cut off on the left edge": no "off", no "edge"
        low = text.lower()
        current = (context.memory or {}).get("current") or None
        prev_phrase = current.get("phrase") if current else None
        attrs = dict(colors=find_colors(text), position=find_position(text), size=find_size(text),
                     shape=find_shape(text), depth=find_depth(text), garment=find_garment(text),
                     pose=person_cues(text).pose, facing=facing)
        looks = any(attrs[k] for k in ("colors", "size", "shape", "position", "depth"))  # how it looks or where
        cue = find_text_cue(text)

        if is_closing_request(text):
            target = infer_focus(context.dialogue)
            settled = closing_target(target, context.memory) if context.image_path else None
            if settled is not None and settled.get("rle", True) and settled.get("phrase"):
                return Intent(kind="segment_from_dialogue", target=settled["phrase"], category=settled.get("category"),
                              reference=turn_reference(settled.get("turn")), confidence=0.8)
            category, _ = noun_phrase(target) if target else (None, [])
            qs = quoted(target)
            return Intent(kind="segment_from_dialogue", target=target or "the main subject", category=category,
                          text_cue=qs[0] if qs else None, confidence=0.5 if target else 0.2)

        if current and CORRECTION.search(low):
            category, words = noun_phrase(re.sub(CORRECTION, " ", low))
            beside = find_relation(re.sub(CORRECTION, " ", low))
            if beside and beside[0] in PLACE_RELATIONS and re.fullmatch(r"(?:him|her|them|it|that one|this one)",
                                                                          beside[1]):
                # "no, the one next to him": the pick was wrong, but the one meant stands in that relation to it
                return Intent(kind="relate", target=f"the {category or 'one'} {beside[0].replace('_', ' ')} "
                              f"{prev_phrase or 'it'}", category=category or current.get("category"),
                              relation=beside[0], reference="previous", confidence=0.7)
            target = the_phrase(words) if category else (prev_phrase or "the other one")
            return Intent(kind="correct", target=target, category=category or current.get("category"),
                          exclude_previous=True, text_cue=cue, **attrs, confidence=0.7)

        if is_chatter(low):
            return Intent(kind="answer_only", target=prev_phrase or "the image", wants_mask=False, question="chatter")
        together = together_intent(low, context.memory)
        if together is not None:
            return together
        pointed = pointing_intent(text, context, self._interpret) if context.image_path else None
        if pointed is not None:  # "now him", "segment that guy": a person segmented or named earlier
            return pointed
        in_hand = IN_HAND_QUESTION.search(low)
        if in_hand and context.image_path:  # "whats the thing in his hand", "what does she have in her hands"
            return in_hand_intent(in_hand.group("owner"), context.memory)
        held = HELD_QUESTION.search(low)
        if held and context.image_path and held.group("who").strip() not in ("", "the", "a", "an"):
            return held_question_intent(held, context.memory)  # not "what is flying in the sky" (what flies) nor
            # "what is the flying thing" (an adjective)
        contents = CONTENTS_QUESTION.search(low) or PLACED_THING.search(low)
        if contents and context.image_path:
            asked = contents_question_intent(contents, context.memory)
            if asked is not None:
                return asked
        owned = their_thing_intent(text, context, attrs) if context.image_path else None
        if owned is not None:  # "his board", "her legs", "catcher's mitt"
            return owned

        is_question = bool(QUESTION_START.search(low)) or low.endswith("?")
        relation = find_relation(text)
        if relation and is_question and relation_match(low)[1].group(0) == "on":
            relation = None  # "what number is on the bus": a question about the bus, not a thing on it
        asks_why = bool(re.match(r"\s*(why|how come)\b", low))
        if asks_why or is_question and not WANTS_MASK.search(low) and not (
                relation and re.match(r"\s*(what|which|who)\b", low) and (relation_start(low) or 9) <= 4):
            kind = _question_kind(low)
            about = MEASURED_QUESTION.match(low) if relation and context.image_path else None
            if about and noun_phrase(about.group("thing")[: relation_start(about.group("thing")) or None])[0]:
                found = self._interpret(context, about.group("thing"))  # "the cat in front of it": found first
                if found.kind in ("relate", "new_target"):
                    found.question = kind
                    return found
            part = PHOTO_PART.search(low) if kind == "text" else None
            if part and re.search(r"\b(it|there)\b", low[:part.start()]) and \
                    not noun_phrase(re.sub(rf"\b({QUESTION_WORDS_OF_TEXT})\b", " ", low[:part.start()]))[0]:
                place = {"upper": "top", "lower": "bottom", "middle": "center", "centre": "center"}
                where = " ".join(place.get(w, w) for w in part.group("part").split())
                return Intent(kind="answer_only", target=f"the text in the {where} of the photo", wants_mask=False,
                              category=PHOTO_TEXT, position=where, question="text")
            category, words = noun_phrase(re.sub(rf"\b({QUESTION_WORDS_OF_TEXT})\b", " ", text))
            counted = re.search(r"\bhow many\s+(?:of the\s+)?((?:[a-z]+\s+){0,3}?(?:[a-z]+s|people|men|women|children|sheep))\b", low)
            if kind == "count" and counted:  # "how many lamps hang from the ceiling": the plural ends the noun phrase
                category, words = noun_phrase(counted.group(1))
            points_back = bool(re.search(r"\b(it|its|it's|this|that|they|them|their|one)\b", low)) or \
                bool(re.search(rf"\b(?:his|her)\s+(?:\w+\s+)?(?:{'|'.join(GARMENT_WORDS)})\b", low))  # "his shirt"
            described_thing = PLACEHOLDER_ASKED.search(low)
            worn_part = worn_on_part(low) if kind == "wearing" or kind == "describe" and described_thing else None
            if worn_part:  # "what is she wearing on her hands", "whats that gold thing on her arm": a part of her
                kind = "wearing"
            if described_thing and not worn_part and category is None and kind not in ("count", "exists", "why") \
                    and context.image_path and looks:
                # "whats the white stuff in the middle": found by its description first, then answered from it
                target = placeholder_phrase(text) or bare_phrase(words, attrs["position"], attrs["depth"], False)
                return Intent(kind="filter_attribute", target=target, question=kind, **attrs, confidence=0.7)
            elsewhere = bool(attrs["position"]) and current is not None and \
                attrs["position"] != (current.get("intent") or {}).get("position")  # "the shop on the left" now
            named_new = bool(category) and not points_back and not worn_part and (not current or elsewhere or (
                category != current.get("category") and named_target(category, context.memory) is None))
            if named_new and kind != "count" and context.image_path:
                # a question about an object not segmented yet: find it (the mask shows what the answer is
                # about) and make it the current target, so "its colour" next turn refers to it
                head = words[: words.index(category) + 1] if category in words else words
                return Intent(kind="new_target", target=the_phrase(head), category=category, question=kind,
                              **attrs, confidence=0.7)
            who = kind == "who"  # "who is she", "who's that guy": the person meant
            asked_of = attrs["garment"] or kind in ("wearing", "doing", "who")  # asked of a person
            said = re.sub(PERSON_POINTED_AT, "them", low) if who else low
            owner = person_named_by_pronoun(said, context.memory) if asked_of else None
            if owner is not None:  # "what color is his shirt?" after his skateboard, "what is she wearing on her
                # feet" after her head: asked of the person
                return Intent(kind="answer_only", target=owner.get("phrase") or "that person", wants_mask=False,
                              category=owner.get("category"), question=kind, reference=turn_reference(owner.get("turn")),
                              garment=attrs["garment"], part=worn_part)
            if kind in ("count", "exists") and (category or attrs["colors"] or attrs["shape"]):
                target = the_phrase(words)
            else:
                target = prev_phrase or the_phrase(words, "the image")
            reference = None
            if kind not in ("count", "exists") and current:
                earlier = named_target(category, context.memory)
                if earlier is not None and earlier is not current:  # "what colour is the mug?" after its handle
                    target, reference = earlier.get("phrase") or target, turn_reference(earlier.get("turn"))
                category = (earlier or current).get("category")
            return Intent(kind="answer_only", target=target, wants_mask=False, category=category, question=kind,
                          text_cue=cue, reference=reference, part=worn_part, **attrs)

        part = find_part(text)
        if part == "whole" and current:
            whole_of = (prev_phrase or "it").removeprefix("the ").removeprefix("whole ")
            return Intent(kind="refine_part", target=f"the whole {whole_of}", part=part,
                          category=current.get("category"), confidence=0.8)
        if current and part and part != "whole" and not names_someone_first(*noun_phrase(text), text) and not facing and \
                (refers_back(low) or re.search(r"\b(only|just|its|their|his|her)\b", low)):
            owner = person_named_by_pronoun(low, context.memory)
            if owner is not None:  # "only her head" after "what is she holding?": her, not the thing she holds
                return Intent(kind="refine_part", target=f"the {part} of {owner.get('phrase') or 'that person'}",
                              part=part, category="person", reference=turn_reference(owner.get("turn")), confidence=0.8)
            return Intent(kind="refine_part", target=f"the {part} of {prev_phrase or 'it'}", part=part,
                          category=current.get("category"), confidence=0.8)

        carried = WITH_THING_ON_IT.match(low)
        if carried and noun_phrase(carried.group("head"))[0] and not coco_category(carried.group("thing")):
            return self._interpret(context, carried.group("head"))  # "the plate with food on it": the plate
        if carried and noun_phrase(carried.group("head"))[0]:
            head_category, head_words = noun_phrase(carried.group("head"))  # "the chair with a cat on it"
            own_text = carried.group("head")
            return Intent(kind="relate", target=f"{described(head_category, head_words, own_text)} with the "
                          f"{carried.group('thing')} {carried.group('prep')} it", category=head_category,
                          relation="overlaps", reference=f"the {carried.group('thing')}", colors=find_colors(own_text),
                          position=find_position(own_text), size=find_size(own_text), depth=find_depth(own_text),
                          confidence=0.7)
        with_thing = WITH_THING.search(low)
        if with_thing and not relation:  # "guy with the blue balloon": the person whose hand is at the balloon
            thing = with_thing.group("thing").strip()
            head_category, head_words = noun_phrase(low[:with_thing.start()])
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
            placed = TRAILING_PLACE.match(rest) if said.group(0) == "on" and not tail else None
            if placed:  # "sitting on the bleachers on the right": the person is on the right
                rest, tail = placed.group("thing"), placed.group("place")
            own_text = f"{low[:said.start()]} {tail}"  # what the request says of the target itself
            verb = re.search(ACTION_RELATION, low[:said.start()])  # "the person walking next to the bikes"
            category, words = noun_phrase(low[:verb.start() if verb else said.start()])
            owned_part = re.match(r"(?:its|his|her|their) (?:\w+ )?(?:head|face|paws?|feet|legs?|hands?|arms?|body|tail)$", rest)
            if not rest or refers_back(rest) and len(rest.split()) <= 3 or owned_part:  # "under its head": under it
                reference, ref_words = "previous", prev_phrase or "it"
            else:
                reference, ref_words = person_pronoun_reference(rest, context.memory) or (rest, rest)
            spoken = re.fullmatch(ACTION_RELATION, said.group(0)) or said.group(0) in HAND_VERBS or \
                re.fullmatch(BENDING_RELATION, said.group(0)) or said.group(0) == "on"
            rel_words = said.group(0) if spoken else (
                rel.replace("_", " ").replace("below", "under"))  # "kicking", else the relation's name
            if verb:
                rel_words = f"{verb.group(0)} {rel_words}"  # "walking next to"
            if rel == "contains" and said.group(0) in HAND_VERBS and coco_category(category) == "person":
                rel = "next_to"  # "the woman holding an umbrella": her hand at it, her box need not hold it
            who = (described(category, words, own_text) if category else bare_phrase(words, None, None, False)) \
                if words else "the thing"  # "the small one behind it", not "the small behind it"
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
            rest = TEXT_CUE.sub("", text) if TEXT_CUE.search(text) else NUMBER_CUE.sub(" ", text) \
                if NUMBER_CUE.search(text) else re.sub(r"[\"“'‘].*", "", text)
            category, words = noun_phrase(rest.replace(cue, " "))
            numbered = not TEXT_CUE.search(text) and NUMBER_CUE.search(text)
            phrase = (f"{the_phrase(words)} with the number {cue}" if words else f"the number {cue}") if numbered \
                else f"{the_phrase(words, 'the text')} that says {cue}"
            return Intent(kind="read_text", target=phrase, category=category, text_cue=cue, **attrs)

        category, words = noun_phrase(text)
        bare_action = next((w for w in re.findall(r"[a-z]+", low) if w in VERB_THINGS), None)
        if category and coco_category(category) == "person" and TRICK_PHRASE.search(low):  # on a board or a bike
            return Intent(kind="new_target", target=f"{described(category, words, text)} doing a trick",
                          category=category, **attrs, confidence=0.8)
        if category and coco_category(category) == "person" and bare_action:  # "the kid swinging": at a bat or racket
            return Intent(kind="new_target", target=f"{described(category, words, text)} {bare_action}",
                          category=category, **attrs, confidence=0.8)
        if category and coco_category(category) == "person" and (worn_items(text) or ARMS_UP.search(low) or
                                                                 set(re.findall(r"[a-z]+", low)) & PERSON_FEATURE_WORDS):
            # "the guy in the red shirt", "the lady with both arms up": kept in the target for the candidates
            return Intent(kind="new_target", target=described(category, words, text), category=category, **attrs,
                          confidence=0.8)
        only_pose = bool(attrs["pose"] and re.search(r"\bones?\b", low)) and not looks  # "the one standing"
        if category is None and (looks or only_pose):
            shape_noun = [w for w in words if w in SHAPE_NOUNS]
            if shape_noun and not shape_noun[-1].endswith("s"):
                return Intent(kind="new_target", target=the_phrase(words), **attrs, confidence=0.8)
            plural = bool(re.search(r"\b(ones|things|all|those|these|objects|items|shapes|circles|squares)\b", low))
            placeholder = placeholder_phrase(text)
            if words and (placeholder is None or placeholder.endswith(("one", "ones"))):
                placeholder = bare_phrase(words, attrs["position"], attrs["depth"], plural)  # "the one in front"
            target = placeholder or (the_phrase(words + (["ones"] if plural else [])) if words else "the " + " ".join(
                filter(None, [attrs["size"] and ("biggest" if attrs["size"] == "largest" else "smallest"),
                              *attrs["colors"], attrs["shape"], "one"])))
            if only_pose:
                said = re.search(r"\b(?:the|that|this)\s+(?:[a-z]+\s+)?ones?\b[^?.!]*", text, re.IGNORECASE)
                target = said.group(0).strip() if said else "the one"  # "the one sitting down", said in the answer
            return Intent(kind="filter_attribute", target=target, category=someone, **attrs,  # "...see his head"
                          confidence=0.8 if not plural else 0.7)
        if category and attrs["colors"]:  # "pizza on a blue plate": blue is the plate's, not the pizza's
            attrs["colors"] = own_colors(low, attrs["colors"])
        portion = re.search(r"\bof\s+(?:the\s+|a\s+|an\s+)?([a-z][a-z ]*)", low) if words else None
        if portion and not coco_category(the_phrase(words)) and coco_category(portion.group(1)):
            # "the slice of cake", "a piece of pizza": the thing it is a portion of
            return Intent(kind="new_target", target=f"{the_phrase(words)} of {portion.group(1).strip()}",
                          category=coco_category(portion.group(1)), **attrs, confidence=0.7)
        if category is None and (attrs["facing"] or attrs["pose"]):  # "the one with his back to us": a person
            category = someone
        return Intent(kind="new_target", target=the_phrase(words, text.strip(" ?.!") or "the thing"),
                      category=category, **attrs, confidence=0.8 if category else 0.4)

    def select(self, context: PlannerContext, intent: Intent, candidates: list[Candidate]) -> list[str] | None:
        return None

    def answer(self, context: PlannerContext, intent: Intent, facts: MaskFacts) -> str | None:
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

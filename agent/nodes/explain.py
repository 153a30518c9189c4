"""explain: compose the turn's text from pixel facts (or, text-only, from the dialogue)."""
from __future__ import annotations

import time

from agent.activity_answer import activity_answer
from agent.candidates.category import detector_category, group_of, group_word
from agent.candidates.correct import repeated_search
from agent.candidates.count import countable
from agent.candidates.describe import has_description_cue, unknown_to_detector
from agent.candidates.held import held_phrase_parts
from agent.explain import (MaskFacts, answer_question, change_from, explain_mask, held_miss_text, mask_facts, miss_text,
                           no_other_text, uncountable_text, unknown_thing_text)
from agent.intent import Intent
from agent.memory import current_target, record_of_turn, target_mask
from agent.nodes.ground import COUNTED_QUESTIONS
from agent.nodes.interpret import planner_context
from agent.nodes.runtime import AgentRuntime
from agent.planners.questions import BACKGROUND_PART, PHOTO_PART_REFERENCE
from agent.state import AgentState, IntentRecord
from agent.text_answers import PHOTO_TEXT, photo_text_answer, unfound_photo_text
from agent.worn_answers import answer_about_person
from tools.vocabulary import coco_category
from tools.masks import decode_rle, part_preposition


SEEN_SCORE = 0.4  # detections this confident are named in "I don't see a cat; I see ..."


GROUNDED_QUESTIONS = ("color", "where", "size", "shape", "text", "exists", "visible", "doing")  # answered from a target
                                                                                             # found this turn


def _planner_answer(state: AgentState, runtime: AgentRuntime, intent: IntentRecord, facts: MaskFacts) -> str | None:
    try:
        return runtime.planner.answer(planner_context(state, runtime), Intent.from_record(intent), facts)
    except Exception:  # the composer's text stands
        return None


def _change_kind(intent: IntentRecord) -> str:
    """Which "changed from the previous turn" sentence fits (relations to a described region get none)."""
    if intent["kind"] == "relate" and intent.get("reference") not in (None, "previous"):
        return "new_target"
    return intent["kind"]


def explain(state: AgentState, runtime: AgentRuntime) -> AgentState:
    t = time.perf_counter()
    intent = state["intent"]
    memory = state.get("memory") or {}
    previous = (record_of_turn(memory, intent.get("reference")) if intent["kind"] in ("refine_part", "answer_only")
                else None) or current_target(memory)  # "only her head" / "his shirt?" after the book she holds: her
    phrase = intent.get("target") or "the target"
    vision = runtime.cache.get(state.get("image"))
    facts: MaskFacts = {}
    if vision is None:  # text-only session
        if intent["kind"] == "answer_only":
            text = answer_question(intent.get("question"), phrase, None, text_only=True)
        else:
            text = f"The target is {phrase}. (Text-only session: no image, so no mask.)"
    elif intent["kind"] == "answer_only":
        question = intent.get("question")
        counted_candidates = (state.get("candidates") or []) if question in COUNTED_QUESTIONS else []
        count = sum(not c.get("low_confidence") for c in counted_candidates) if question in COUNTED_QUESTIONS else None
        possible = len(counted_candidates) - (count or 0)  # weak detections: named as possible, never counted
        prev_mask = target_mask(previous)
        facts = mask_facts(prev_mask, vision.image.pixels) if prev_mask is not None else {}
        if previous and facts:
            facts["text"] = previous.get("attributes", {}).get("text") or previous.get("text_read")
        evidence = (previous or {}).get("evidence", [])
        # count_matching counted detections exactly when the turn names a category the detector takes
        counted = detector_category(intent, runtime) if count is not None else None
        counted = group_word(intent) if counted and group_of(intent, counted) else counted  # "bags": a kind group
        about_person = coco_category((previous or {}).get("category")) == "person" and not (previous or {}).get("part")
        if question in COUNTED_QUESTIONS and not countable(intent, runtime):
            text = uncountable_text(phrase, question)
        elif question == "text":  # the target's text, else the text beside it or in the part of the photo named
            photo_wide = intent.get("category") == PHOTO_TEXT or not facts
            text = photo_text_answer(None if photo_wide else phrase, None if photo_wide else facts["box"],
                                     intent.get("position"), vision, runtime)
        else:
            text = (answer_about_person(intent, phrase, prev_mask, vision, runtime) if about_person else None) or \
                answer_question(question, phrase, facts, count=count, evidence=evidence, counted=counted,
                                possible=possible)
    else:
        chosen = state.get("chosen")
        missed = detector_category(intent, runtime) if not chosen else None
        if not chosen and intent.get("relation") == "held_by":
            if phrase.startswith("what "):  # "what she is holding"
                who, verb = held_phrase_parts(phrase)
                text = held_miss_text(who, verb)
            else:  # "the girl's racket"
                owner = phrase.split()[0].lower() if phrase.split() else ""
                who = {"his": "he", "her": "she", "their": "they"}.get(owner) or \
                    (phrase.rsplit("'s ", 1)[0] if "'s " in phrase else "they")
                text = held_miss_text(who, "holding", coco_category(intent.get("category")) or intent.get("category"))
        elif not chosen and intent.get("kind") == "refine_part" and intent.get("part"):
            text = (f"I can't see {phrase}: the body keypoints I find for that person do not show the "
                    f"{intent['part']} (hidden or out of the frame), so I kept the previous target.")
        elif not chosen and intent["kind"] == "correct":
            repeat = repeated_search(intent, memory)
            category = detector_category(repeat[0], runtime) if repeat else None
            noun = group_word(repeat[0]) if category and group_of(repeat[0], category) else category  # "glass"
            part = str((repeat[0] if repeat else {}).get("reference") or "")
            where = part.removeprefix(PHOTO_PART_REFERENCE) if part.startswith(PHOTO_PART_REFERENCE) else None
            where = ("in the background" if where == BACKGROUND_PART else
                     f"{part_preposition(where)} the {where} of the photo") if where else None
            text = no_other_text(noun, (previous or {}).get("phrase") or "the previous target", where)
        elif not chosen and missed:
            seen: dict[str, int] = {}
            for d in runtime.all_detections(vision):
                if d.score >= SEEN_SCORE:
                    seen[d.label] = seen.get(d.label, 0) + 1
            text = miss_text(group_word(intent) if group_of(intent, missed) else missed, seen)
        elif not chosen and unknown_to_detector(intent, runtime):
            text = unknown_thing_text(phrase, reading=intent.get("question") == "text",
                                      described=has_description_cue(intent), asks_if=intent.get("question") == "exists")
        elif not chosen:
            text = f"I could not find {phrase} in the image: no candidate region matched."
        else:
            mask = decode_rle(chosen["rle"])
            facts = mask_facts(mask, vision.image.pixels)
            change = change_from(target_mask(previous), mask)
            text = explain_mask(phrase, facts, chosen.get("evidence", []), previous, change,
                                chosen.get("confidence", 1.0), _change_kind(intent))
            if chosen.get("answer_lead"):  # "She is holding a book (detector 0.62)."
                text = f"{chosen['answer_lead']} {text}"
            question = intent.get("question")
            if question in GROUNDED_QUESTIONS:  # "what does the banner say?": found, then answered from it
                if question == "exists":  # a low-confidence pick (a guess among regions) is no yes
                    reply = "Maybe: this is only a guess." if chosen.get("low_confidence") else "Yes."
                elif question == "text":  # no text on it: what the part of the photo it is in shows
                    reply = photo_text_answer(phrase, chosen["box"], intent.get("position"), vision, runtime)
                elif question == "doing" and coco_category(intent.get("category")) == "person":
                    reply = activity_answer(phrase, mask, vision, runtime)
                else:
                    reply = answer_question(question, phrase, facts)
                text = f"{reply} {text}"
        if not chosen and intent.get("question") == "text":  # "what does the bucket say": the photo's text, said as such
            text = f"{text} {unfound_photo_text(intent.get('position'), vision, runtime)}"
    override = _planner_answer(state, runtime, intent, {**facts, "draft": text}) if vision is not None else None
    notes = intent.get("notes") or []
    text = override or text
    if notes:
        text += f" (I {'; '.join(notes)}.)"
    return {"answer": text, "timings": {"explain": time.perf_counter() - t}}

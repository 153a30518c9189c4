"""Dialogue focus inference on the real PRIST dialogues."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import pytest

from agent.planners.focus import focus_f1, infer_focus, is_closing_request, prist_dialogue


def test_focus_f1_measure():
    assert focus_f1("the loose papers", "Loose papers on table") == 0.8
    assert focus_f1("typewriter", "Loose papers on table") == 0.0
    assert focus_f1("Player's glove", "the player's glove") == 1.0


def test_every_prist_closing_turn_is_recognised(shared_data):
    records = json.loads((shared_data / "prist" / "test_dev.json").read_text())
    closings = {prist_dialogue(r)[-1]["content"] for r in records}
    assert len(closings) >= 10 and all(is_closing_request(c) for c in closings)
    # ordinary turns are not closing requests
    questions = [t["value"] for r in records[:60] for t in r["dialogue"][:-2] if t["from"] == "human"]
    assert not any(is_closing_request(q) for q in questions)


def test_focus_agreement_on_prist(shared_data):
    """Token F1 of the inferred target against PRIST's `focus` over all 255 dialogues (measured 0.381)."""
    records = json.loads((shared_data / "prist" / "test_dev.json").read_text())
    scores = [focus_f1(infer_focus(prist_dialogue(r)), r["focus"]) for r in records]
    assert len(scores) == 255
    mean = statistics.mean(scores)
    print(f"PRIST focus token F1: {mean:.3f} ({sum(s > 0 for s in scores)} of 255 with overlap)")
    assert mean >= 0.35


def test_quoted_text_recurring_in_the_dialogue_is_kept():
    dialogue = [
        {"role": "user", "content": "What text is visible on the wine bottle label?"},
        {"role": "assistant", "content": "The label shows the text 'VEGALIBRE'."},
        {"role": "user", "content": "What can be inferred from 'VEGALIBRE' on the label?"},
        {"role": "assistant", "content": "'VEGALIBRE' likely refers to the brand of the wine."},
    ]
    assert "VEGALIBRE" in infer_focus(dialogue)


def test_inferred_focus_does_not_depend_on_string_hashing(shared_data):
    """Ties between equally weighted words and quotes broke by set order, which changes with PYTHONHASHSEED
    (11 of the 255 dev dialogues named another target from one interpreter start to the next)."""
    script = ("import json, sys; from agent.planners.focus import infer_focus, prist_dialogue; "
              "records = json.load(open(sys.argv[1])); "
              "print(json.dumps([infer_focus(prist_dialogue(r)) for r in records]))")
    path = str(shared_data / "prist" / "test_dev.json")
    outputs = {subprocess.run([sys.executable, "-c", script, path], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
               for seed in (1, 2, 3)}
    assert len(outputs) == 1


def test_focus_agreement_with_head_noun_on_prist(shared_data):
    """Focus agreement (mean of token F1 and head-noun match, the eval's measure) over the 255 dev dialogues with
    reference answers: 0.437 before the answered noun could stay the head, 0.485 after; 0.506 once trailing modifiers
    leave every chunk, quoted names keep their form and filler words leave the phrase."""
    from evals.metrics.intent import focus_agreement

    records = json.loads((shared_data / "prist" / "test_dev.json").read_text())
    scores = [focus_agreement(infer_focus(prist_dialogue(r)), r["focus"]) for r in records]
    heads = statistics.mean(s["head_match"] for s in scores)
    mean = statistics.mean(s["score"] for s in scores)
    print(f"PRIST focus agreement: {mean:.3f} (head-noun match {heads:.3f})")
    assert mean >= 0.50 and heads >= 0.42


def _dialogue(*turns: str) -> list[dict[str, str]]:
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]


@pytest.mark.parametrize("turns, focus", [
    pytest.param(("What is engraved on the medal?", "The medal shows an inscription around its rim.",
                  "Why would a medal carry text?", "Medals often commemorate an event.",
                  "Is the medal old?", "The medal looks worn, so it is probably old."),
                 "inscription on medal", id="a common noun the first answer names stays the head"),
    pytest.param(("What script is on the van?", "There is Arabic text written below the window.",
                  "What does the Arabic text mean?", "The Arabic text gives the company name."),
                 "arabic text", id="trailing modifiers leave the answered phrase"),
    pytest.param(("Is the bottle easy to spot?", "It is a yellow bottle in the bottom part of the image.",
                  "In which part of the picture does it sit?", "It sits in the bottom part of the image.",
                  "What is its main colour?", "Its main colour is yellow."),
                 "yellow bottle", id="a trailing modifier does not become the head"),
    pytest.param(("What words are clearly visible on the awning?", "The awning reads 'JAVA HOUSE'.",
                  "Why is 'JAVA HOUSE' on the awning?", "'JAVA HOUSE' is the name of the cafe.",
                  "Is the awning clearly visible from the street?", "Yes, the awning is clearly visible."),
                 "'JAVA HOUSE' awning", id="a quoted name keeps its quoted form and filler leaves"),
])
def test_inferred_focus_of_a_small_dialogue(turns, focus):
    assert infer_focus(_dialogue(*turns)) == focus


def test_a_name_the_first_answer_reads_is_carried_by_the_recurring_noun():
    dialogue = _dialogue("What does the tattoo on his arm say?", "It says Hot Wheels in red letters.",
                         "Why choose such a tattoo?", "The tattoo may show a love of toy cars.",
                         "Is the tattoo colourful?", "The tattoo is mostly red.")
    target = infer_focus(dialogue)
    assert target.startswith("hot wheels") and target.split()[-1] == "tattoo"


def test_words_of_a_recurring_phrase_with_the_same_head_go_before_it():
    dialogue = _dialogue("What Arabic text is visible on the van?", "The English text reads 'Al Shamel'.",
                         "Is the Arabic text large?", "The Arabic text is larger than the English one.",
                         "What colour is the Arabic text?", "The Arabic text is white.")
    assert infer_focus(dialogue).split()[-2:] == ["arabic", "text"]


def test_focus_agreement_on_synthetic_closing_turns():
    """The generator's closing turns ("Please use the conversation above to ...") against the target it recorded,
    with the generator's own answers as history (test split, seed 0, first 200 records: 92 closing turns;
    0.502 before the answered noun could stay the head, 0.546 after, 0.601 once trailing modifiers leave every
    chunk)."""
    from evals.metrics.intent import focus_agreement
    from evals.synth import generate_record

    scores = []
    for index in range(200):
        _, _, turns, _, _ = generate_record(0, "test", index)
        dialogue: list[dict[str, str]] = []
        for turn in turns:  # {"human", "gpt", "mask", "target", "phenomena"}
            dialogue.append({"role": "user", "content": turn["human"]})
            if is_closing_request(turn["human"]):
                scores.append(focus_agreement(infer_focus(dialogue), turn["target"])["score"])
            dialogue.append({"role": "assistant", "content": turn["gpt"]})
    mean = statistics.mean(scores)
    print(f"synthetic closing-turn focus agreement: {mean:.3f} over {len(scores)} turns")
    assert len(scores) >= 50 and mean >= 0.58

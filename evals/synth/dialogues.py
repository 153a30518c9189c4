"""Multi-turn dialogues over a synthetic scene, with the intent evolving turn by turn.

`make_dialogue(scene, rng, n_turns) -> (turns, focus, tags)`; turns are dicts
{"human": str, "gpt": str, "mask": bool (H, W) or None, "target": phrase or None, "phenomena": [..]}.
Phenomena: new_target, switch, refine_part, correction, relation, attribute, text_cue, answer_only, closing,
prist_style, distractor (and the referring cue used: color, position, size, category).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evals.synth import templates as T
from evals.synth.describe import neighbours, noun, position_of, refer, size_rank
from evals.synth.scene import Scene


@dataclass
class Focus:
    """What the dialogue currently points at: one object, a part of one, or a group."""

    phrase: str
    oids: list[int]
    part: str | None = None
    history: list[str] = field(default_factory=list)
    came_from_new: bool = False


def _pick(rng, items):
    return items[int(rng.integers(len(items)))]


def _mask(scene: Scene, focus: Focus) -> np.ndarray:
    if focus.part is not None:
        return scene.objects[focus.oids[0]].parts[focus.part].copy()
    out = np.zeros((scene.height, scene.width), bool)
    for oid in focus.oids:
        out |= scene.objects[oid].mask
    return out


def _turn(human, gpt, mask, target, *phenomena):
    return {"human": human, "gpt": gpt, "mask": mask, "target": target, "phenomena": list(phenomena)}


def new_target(scene, focus, rng, first):
    choices = [o for o in scene.objects if focus is None or o.oid not in focus.oids]
    rng.shuffle(choices)
    if first and rng.random() < 0.5:  # start on one of a same-category pair: sets up "the other one"
        choices.sort(key=lambda o: sum(p.category == o.category for p in scene.objects) != 2)
    for obj in choices:
        ref = refer(scene, obj, rng)
        if ref:
            phrase, cue = ref
            f = Focus(phrase, [obj.oid], came_from_new=True)
            human = _pick(rng, T.NEW_TARGET if first else T.SWITCH_TARGET).format(t=phrase)
            tags = ["new_target"] + ([] if first else ["switch"]) + [cue]
            return _turn(human, _pick(rng, T.ANSWER_MASK).format(t=phrase), _mask(scene, f), phrase, *tags), f
    return None


def refine_part(scene, focus, rng):
    if focus is None or len(focus.oids) != 1 or focus.part is not None:
        return None
    obj = scene.objects[focus.oids[0]]
    if not obj.parts:
        return None
    part = str(_pick(rng, sorted(obj.parts)))
    if obj.parts[part].sum() < 60 or (obj.parts[part] == obj.mask).all():
        return None
    phrase = f"the {part} of {focus.phrase}"
    f = Focus(phrase, [obj.oid], part=part)
    human = _pick(rng, T.REFINE_PART).format(p=part, c=noun(obj, rng))
    return _turn(human, _pick(rng, T.ANSWER_MASK).format(t=phrase), _mask(scene, f), phrase, "refine_part"), f


def correction(scene, focus, rng):
    if focus is None or len(focus.oids) != 1 or not focus.came_from_new or focus.part is not None:
        return None
    obj = scene.objects[focus.oids[0]]
    same = [o for o in scene.objects if o.category == obj.category and o.oid != obj.oid]
    if len(same) != 1:
        return None
    other = same[0]
    n = noun(obj, rng)
    if other.color != obj.color and rng.random() < 0.5:
        human = _pick(rng, T.CORRECTION_ATTR).format(col=other.color, c=n)
    else:
        human = _pick(rng, T.CORRECTION_OTHER).format(c=n)
    phrase = f"the other {n}" if other.color == obj.color else f"the {other.color} {n}"
    f = Focus(phrase, [other.oid])
    return _turn(human, _pick(rng, T.ANSWER_MASK).format(t=phrase), _mask(scene, f), phrase, "correction"), f


def relation(scene, focus, rng):
    if focus is None or len(focus.oids) != 1:
        return None
    options = neighbours(scene, scene.objects[focus.oids[0]])
    if not options:
        return None
    direction, other = _pick(rng, options)
    words = str(_pick(rng, T.RELATION_WORDS[direction]))
    ref = refer(scene, other, rng, avoid=("text_cue",))
    phrase = ref[0] if ref else f"the {other.color} {noun(other, rng)}"
    f = Focus(phrase, [other.oid])
    human = _pick(rng, T.RELATION).format(dir=words)
    return _turn(human, _pick(rng, T.ANSWER_MASK).format(t=phrase), _mask(scene, f), phrase, "relation"), f


def attribute(scene, focus, rng):
    colors = {}
    for o in scene.objects:
        colors.setdefault(o.color, []).append(o.oid)
    multi = [c for c, ids in colors.items() if len(ids) >= 2]
    if multi and rng.random() < 0.6:
        col = str(_pick(rng, sorted(multi)))
        if focus is not None and sorted(focus.oids) == sorted(colors[col]):
            return None
        f = Focus(f"all the {col} objects", colors[col])
        human = _pick(rng, T.FILTER_COLOR).format(col=col)
    else:
        objs = scene.objects
        ranks = {o.oid: size_rank(scene, o, objs) for o in objs}
        picks = [(oid, r) for oid, r in ranks.items() if r]
        if not picks:
            return None
        oid, rank = _pick(rng, picks)
        if focus is not None and focus.oids == [oid]:
            return None
        f = Focus(f"the {rank} object", [oid])
        human = _pick(rng, T.FILTER_LARGEST if rank == "largest" else T.FILTER_SMALLEST)
    return _turn(human, _pick(rng, T.ANSWER_MASK).format(t=f.phrase), _mask(scene, f), f.phrase, "attribute"), f


def answer_only(scene, focus, rng):
    kinds = ["count"]
    if focus is not None and len(focus.oids) == 1:
        obj = scene.objects[focus.oids[0]]
        kinds += ["color", "position"] + (["text"] if obj.word and focus.part in (None, "label", "board") else [])
    kind = str(_pick(rng, kinds))
    if kind == "count":
        obj = _pick(rng, scene.objects)
        n = sum(o.category == obj.category for o in scene.objects)
        plural = T.PLURALS[obj.category]
        human = _pick(rng, T.ASK_COUNT).format(cs=plural)
        gpt = f"There {'is' if n == 1 else 'are'} {T.NUMBERS[n]} {obj.category if n == 1 else plural}."
    elif kind == "color":
        color = obj.part_colors.get(focus.part, obj.color) if focus.part else obj.color
        human, gpt = _pick(rng, T.ASK_COLOR), f"It is {color}."
    elif kind == "position":
        human, gpt = _pick(rng, T.ASK_POSITION), f"It is {where(scene, _mask(scene, focus))}."
    else:
        human, gpt = _pick(rng, T.ASK_TEXT), f"It says {obj.word}."
    return _turn(human, gpt, None, None, "answer_only"), focus


def prist_opening(scene, rng):
    """A PRIST-like start: questions that name an object without asking for a mask."""
    choices = list(scene.objects)
    rng.shuffle(choices)
    for obj in choices:
        ref = refer(scene, obj, rng)
        if ref:
            phrase, cue = ref
            bare = phrase[4:] if phrase.startswith("the ") else phrase
            human = _pick(rng, T.PRIST_OPENERS).format(t=bare)
            gpt = f"It is {article(obj.color)} {obj.category} {where(scene, obj.mask)}."
            return _turn(human, gpt, None, None, "answer_only", "prist_style", cue), Focus(phrase, [obj.oid])
    return None


def closing(scene, focus, rng):
    human = _pick(rng, T.CLOSING)
    return _turn(human, _pick(rng, T.ANSWER_CLOSING).format(t=focus.phrase), _mask(scene, focus), focus.phrase,
                 "closing"), focus


def make_dialogue(scene: Scene, rng: np.random.Generator, n_turns: int) -> tuple[list[dict], str, list[str]]:
    """2-5 human turns; every record has at least one mask turn; focus = the final target phrase."""
    turns: list[dict] = []
    prist = n_turns >= 3 and rng.random() < 0.25
    if prist:
        made = prist_opening(scene, rng)
    else:
        made = new_target(scene, None, rng, first=True)
    if made is None:
        raise ValueError("scene has no describable object")
    turn, focus = made
    turns.append(turn)
    while len(turns) < n_turns:
        last = len(turns) == n_turns - 1
        if last and (prist or rng.random() < 0.3):
            made = closing(scene, focus, rng)
        elif prist:
            made = prist_followup(scene, focus, rng, turns)
        else:
            steps = [refine_part, correction, relation, attribute, answer_only, lambda s, f, r: new_target(s, f, r, False)]
            weights = np.array([3, 4, 3, 2, 2, 2], float)
            made = correction(scene, focus, rng) if rng.random() < 0.4 else None
            order = [] if made else rng.choice(len(steps), size=len(steps), replace=False, p=weights / weights.sum())
            for idx in order:
                made = steps[idx](scene, focus, rng)
                if made is not None:
                    break
        turn, focus = made
        turns.append(turn)
    if not any(t["mask"] is not None for t in turns):
        turns[-1] = closing(scene, focus, rng)[0]
    for turn in turns:
        if rng.random() < 0.25:
            turn["human"] = f"{_pick(rng, T.DISTRACTORS)} {turn['human']}"
            turn["phenomena"].append("distractor")
    final = [t for t in turns if t["mask"] is not None][-1]["target"]
    tags = sorted({p for t in turns for p in t["phenomena"]})
    return turns, final, tags + [f"turns:{len(turns)}"]


def where(scene: Scene, mask: np.ndarray) -> str:
    pos = position_of(scene, mask)
    return "in the center of the image" if pos == "center" else f"in the {pos} part of the image"


def article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def prist_followup(scene: Scene, focus: Focus, rng: np.random.Generator, turns: list[dict]):
    """A PRIST-style reasoning question about the current object, answered from the scene."""
    obj = scene.objects[focus.oids[0]]
    asked = {t.get("fact") for t in turns}
    kinds = [k for k in T.PRIST_FOLLOWUPS if k not in asked] or list(T.PRIST_FOLLOWUPS)
    kind = str(_pick(rng, kinds))
    share = 100 * obj.area / (scene.width * scene.height)
    gpt = {"color": f"Its main colour is {obj.color}.", "position": f"It sits {where(scene, obj.mask)}.",
           "size": f"It covers about {share:.0f}% of the picture.",
           "text": f"Yes, it carries the word {obj.word}." if obj.word else "No, there is no text on it."}[kind]
    turn = _turn(_pick(rng, T.PRIST_FOLLOWUPS[kind]), gpt, None, None, "answer_only", "prist_style")
    turn["fact"] = kind
    return turn, focus

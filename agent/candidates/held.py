"""Held: what a person holds, carries or eats ("what is she holding?"): detections of other classes that lie on
the person's box, small beside the person, best first. The reference is the current target (a pronoun) or the
person the question names ("what is the man on the left holding").
"""
from __future__ import annotations

from agent.candidates.category import WEAK_SCORE
from agent.candidates.record import Candidate, candidate
from tools.masks import box_iou, inside_share
from tools.people.words import SUPPORT_VERBS, VERB_THINGS
from tools.regions import Region

HELD_MIN_SCORE = 0.2       # a detection this confident may be the held thing
MIN_INSIDE = 0.5           # at least this share of the thing's box lies on the person's box
MAX_AREA_RATIO = 0.6       # a held thing is smaller than this share of the person's box
WRIST_SCORE = 0.25         # wrist keypoints from this score locate the hands
NEVER_HELD = frozenset({"person", "dining table", "bed", "couch", "car", "bus", "train", "truck", "airplane", "boat",
                        "bench", "chair", "toilet", "refrigerator", "oven", "sink", "elephant", "giraffe", "horse",
                        "cow", "bear", "zebra", "motorcycle", "bicycle", "potted plant", "traffic light",
                        "fire hydrant", "stop sign", "parking meter", "tv"})


RESTING_VERBS = SUPPORT_VERBS - {"riding"}  # sitting, standing, lying on: what is under them, never in their hands
WORN_AT_NECK = frozenset({"tie"})  # worn where the shoulders meet: near the neck, not at the hands


def anchor_points(facts, category: str | tuple[str, ...] | None) -> tuple[list[tuple[float, float]], str]:
    """(x, y) pixels where the person has the thing, and how the evidence says it: the middle of the seen
    shoulders for a tie ("at their neck"), else the seen wrists ("at their hand"); ([], ...) without keypoints."""
    if facts is None:
        return [], ""
    named = {category} if isinstance(category, str) else set(category or ())
    if named and named <= WORN_AT_NECK:
        shoulders = facts.seen_points(("left_shoulder", "right_shoulder"), WRIST_SCORE)
        if shoulders:
            return [(sum(x for x, _ in shoulders) / len(shoulders), sum(y for _, y in shoulders) / len(shoulders))], \
                "at their neck (body keypoints)"
    return facts.seen_points(("left_wrist", "right_wrist"), WRIST_SCORE), "at their hand (body keypoints)"


VERB_BONUS = 0.6
NAMED_MIN_SCORE = 0.05     # "his board", "what is she carrying": the class is named or implied by the verb and the
                           # thing lies on that person, so a faint detection
NAMED_MIN_INSIDE = 0.5     # (down to the detector's floor) counts when at least half its box lies on the person
RIDDEN_BELOW = 0.3         # "what is he riding": the person's box extended down by this share of its height


def point_nearness(box: list[float], points: list[tuple[float, float]], reach: float) -> float:
    """1 when a point (a wrist) lies in the box, falling to 0 at `reach` pixels from it; 0 without wrists."""
    best = 0.0
    for x, y in points:
        dx = max(box[0] - x, 0.0, x - box[2])
        dy = max(box[1] - y, 0.0, y - box[3])
        best = max(best, 1.0 - min(((dx * dx + dy * dy) ** 0.5) / max(reach, 1.0), 1.0))
    return best


def too_faint(score: float, share: float) -> bool:
    """For a thing named or implied by the verb: off the person (share 0), or fainter than WEAK_SCORE unless at
    least NAMED_MIN_INSIDE of its box lies on them (then down to NAMED_MIN_SCORE)."""
    return share <= 0 or score < (WEAK_SCORE if share < NAMED_MIN_INSIDE else NAMED_MIN_SCORE)


def held_regions(ref_box: list[float], detections: list[Region], category: str | tuple[str, ...] | None = None,
                 wrists: list[tuple[float, float]] | None = None, verb: str = "holding") -> list[tuple[float, Region, float]]:
    """(score, detection, share on the person) for the things the person in `ref_box` may hold, best first.
    Score: detector confidence + share on the person + nearness to the person's wrists when their keypoints are
    seen (`wrists`, (x, y) pixels), else to the person's middle band (hands are there).
    With `category` ("his racket": a tennis racket; or a tuple, "his board": surfboard, skateboard or snowboard)
    only that class counts, of any size, touching the person; mostly on the person, a faint detection counts.
    `verb` ("riding", "swinging"; see VERB_THINGS) favours the classes it implies, of any size, touching the person
    (for "riding" and the other SUPPORT_VERBS, the band under the person too, and the hands do not matter: a
    skater in the air is above the board, arms up; "sitting on" counts only the classes it implies), faint ones
    when mostly on the person (but for standing, sitting or lying on: from HELD_MIN_SCORE)."""
    implied = VERB_THINGS.get(verb, frozenset())
    ref_area = max((ref_box[2] - ref_box[0]) * (ref_box[3] - ref_box[1]), 1.0)
    under = [ref_box[0], ref_box[1], ref_box[2], ref_box[3] + RIDDEN_BELOW * (ref_box[3] - ref_box[1])]
    out = []
    for d in detections:
        share = inside_share(d.box, under if verb in SUPPORT_VERBS and d.label in implied else ref_box)
        area = (d.box[2] - d.box[0]) * (d.box[3] - d.box[1])
        near = 0.0 if verb in SUPPORT_VERBS else point_nearness(d.box, wrists or [], 0.25 * (ref_box[3] - ref_box[1]))
        if category is not None:
            if d.label not in ((category,) if isinstance(category, str) else category) or too_faint(d.score, share):
                continue
        elif d.label in implied:
            if too_faint(d.score, share) or (verb in RESTING_VERBS and d.score < HELD_MIN_SCORE):
                continue  # standing, sitting, lying on: a faint chair under someone is no answer (the ground is)
        elif verb in RESTING_VERBS:  # "what is she sitting on": never a thing in her hands
            continue
        else:
            at_hand = near > 0.5 and share > 0.1  # a thing at the wrist may stick out of the person's box
            if d.label in NEVER_HELD or d.score < (WEAK_SCORE if at_hand else HELD_MIN_SCORE) or area > (1.0 if at_hand else MAX_AREA_RATIO) * ref_area \
                    or share < (0.1 if at_hand else MIN_INSIDE):
                continue
        bonus = VERB_BONUS if d.label in implied else 0.0
        if wrists:
            out.append((float(d.score) + 0.5 * share + 0.8 * near + bonus, d, share))
            continue
        cy = (d.box[1] + d.box[3]) / 2
        band = 1.0 - min(1.0, abs((cy - ref_box[1]) / max(ref_box[3] - ref_box[1], 1.0) - 0.5) * 2)
        out.append((float(d.score) + 0.5 * share + 0.3 * band + bonus, d, share))
    return sorted(out, key=lambda t: -t[0])


RELATED_BONUS = 1.5  # "his suitcase" after "the guy dragging the suitcase": the suitcase he was found by
SAME_THING_IOU = 0.7  # a detection this close to that box is that thing


def held_candidates(ref_box: list[float], ref_words: str, verb: str, vision, runtime, turn: int,
                    category: str | tuple[str, ...] | None = None,
                    related_box: list[float] | None = None) -> list[Candidate]:
    """Candidates for the thing held by the person in `ref_box` (box prompts), best first; [] when none.
    `related_box`: the box of the thing the person was found by on an earlier turn, named with the same words
    ("the guy dragging the suitcase"); a detection of the named class there comes first ("his suitcase")."""
    facts = runtime.person_facts(vision, ref_box) if "people" in runtime.grounders else None
    wrists, at = anchor_points(facts, category)
    found = held_regions(ref_box, runtime.all_detections(vision), category, wrists, verb)
    names = (category,) if isinstance(category, str) else tuple(category or ())
    if related_box:  # beside them, it may lie off their box: found by it all the same
        there = [d for d in runtime.all_detections(vision) if d.label in names and d.score >= WEAK_SCORE
                 and box_iou(d.box, related_box) >= SAME_THING_IOU and all(d is not f[1] for f in found)]
        found += [(float(d.score), d, inside_share(d.box, ref_box)) for d in there[:1]]
    out = []
    for score, d, share in found:
        evidence = [f"{d.label} (detector {d.score:.2f})"] + ([f"{100 * share:.0f}% of its box lies on {ref_words} "
                    f"({'held or carried' if verb != 'with' else 'theirs'})"] if share > 0 else [])
        if wrists and point_nearness(d.box, wrists, 0.25 * (ref_box[3] - ref_box[1])) > 0.5:
            evidence.append(at)
        if d.score < WEAK_SCORE:
            evidence.append("only a faint detection, so this is a guess")
        if d.label in VERB_THINGS.get(verb, ()):
            evidence.append(f"a thing one is {verb}")
        if related_box and box_iou(d.box, related_box) >= SAME_THING_IOU:
            score += RELATED_BONUS
            evidence.append(f"the {d.label} an earlier turn found {ref_words} by")
        out.append(candidate(d, 2.0 + score, evidence, needs_mask=True, cid=f"held:{d.label}:{d.id}",
                             detector_score=round(float(d.score), 4)))
    return sorted(out, key=lambda c: -c["score"])


def held_phrase_parts(phrase: str) -> tuple[str, str]:
    """ "what she is holding" -> ("she", "holding"); "what they are standing on" -> ("they", "standing on")."""
    who, _, verb = phrase.removeprefix("what ").partition(" are " if phrase.startswith("what they ") else " is ")
    return who, verb or "holding"


def held_answer(who: str, verb: str, chosen: Candidate, candidates: list[Candidate]) -> str:
    """ "She is holding a laptop (detector 0.24), a guess: it may also be a book or a bowl." (see what_answer)."""
    from agent.explain import what_answer

    subject = {"she": "She is", "he": "He is", "they": "They are"}.get(who, f"{who[:1].upper()}{who[1:]} is")
    return what_answer(f"{subject} {VERB_OBJECT_WORDS.get(verb, verb)}", chosen, candidates)


VERB_OBJECT_WORDS = {"drinking": "drinking from"}  # "She is drinking from a cup", not "drinking a cup"

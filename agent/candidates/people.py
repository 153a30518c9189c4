"""Telling people apart by what the request says of them: pose ("the man sitting"), gender and age words ("the
lady", "the kid"), checked against the people analysis (MoveNet keypoints and pose, FaceRes estimates).

`person_evidence(intent, regions, vision, runtime)` gives, per detector person region, a score change and the
evidence sentences: a matching pose or face estimate raises a person, a contradicting one lowers them; a person
the models could not judge (no keypoints, no face) is left as is. Gender and age are estimates from faces and
are said so.
"""
from __future__ import annotations

import re

from agent.candidates.category import head_phrase
from agent.candidates.held import point_nearness
from tools.people.keypoints import KEYPOINT_SCORE
from tools.people.words import ROLE_THINGS, VERB_THINGS, PersonCues, action_verb, facing_of, person_cues
from tools.regions import Region

POSE_WEIGHT = 1.2
GENDER_WEIGHT = 1.0
AGE_WEIGHT = 0.8
FACING_WEIGHT = 0.8
ARMS_WEIGHT = 1.0
AGE_PHRASES = {"child": "a child", "adult": "an adult", "old": "an older person"}


def request_cues(intent: dict) -> PersonCues:
    """Pose, gender and age the request names: the planner's pose, else the words of the target phrase."""
    cues = person_cues(head_phrase(intent))
    pose = intent.get("pose") or cues.pose
    target = str(intent.get("target") or "")
    return PersonCues(pose=pose, gender=cues.gender, age=cues.age,
                      facing=intent.get("facing") or facing_of(target), arms_up=person_cues(target).arms_up)


SHOULDER_LEVEL = 0.25  # a wrist within this share of the torso's height below the shoulders is raised to them


def arm_raised(facts) -> bool | None:
    """True when a seen wrist is up at the seen shoulders or above (arms held out wide at shoulder height count:
    within SHOULDER_LEVEL of the shoulder-to-hip height below them), False when both wrists are seen lower, None
    when the keypoints do not say."""
    shoulders = facts.seen_points(("left_shoulder", "right_shoulder"), KEYPOINT_SCORE)
    wrists = facts.seen_points(("left_wrist", "right_wrist"), KEYPOINT_SCORE)
    if not shoulders or not wrists:
        return None
    top = min(y for _, y in shoulders)
    hips = facts.seen_points(("left_hip", "right_hip"), KEYPOINT_SCORE)
    reach = SHOULDER_LEVEL * (min(y for _, y in hips) - top) if hips else 0.0
    if any(y < top + max(reach, 0.0) for _, y in wrists):
        return True
    return False if len(wrists) == 2 else None


def facing_camera(facts) -> str | None:
    """ "toward" when the nose or an eye is seen, "away" when neither is but both shoulders are, else None."""
    if facts.keypoints is None:
        return None
    face = facts.seen_points(("nose", "left_eye", "right_eye"), KEYPOINT_SCORE)
    if face:
        return "toward"
    shoulders = facts.seen_points(("left_shoulder", "right_shoulder"), KEYPOINT_SCORE)
    return "away" if len(shoulders) == 2 else None


def _one(cues: PersonCues, facts) -> tuple[float, list[str]]:
    delta, why = 0.0, []
    if cues.pose and facts.pose:
        if facts.pose == cues.pose:  # standing is what most people do: saying it tells less
            delta += POSE_WEIGHT * (0.5 + facts.pose_score) * (0.5 if cues.pose == "standing" else 1.0)
            why.append(f"{facts.pose} (from body keypoints, {facts.pose_score:.2f})")
        elif {facts.pose, cues.pose} == {"sitting", "kneeling"}:  # a crouch reads as either
            delta += 0.5 * POSE_WEIGHT * (0.5 + facts.pose_score)
            why.append(f"low on their legs, {facts.pose} by the body keypoints ({facts.pose_score:.2f})")
        else:
            delta -= 0.5 * POSE_WEIGHT
            why.append(f"looks {facts.pose}, not {cues.pose} (body keypoints)")
    facing = facing_camera(facts)
    if cues.facing and facing:
        sign = 1.0 if facing == cues.facing else -1.0
        delta += sign * FACING_WEIGHT
        if sign > 0:
            why.append("face seen (body keypoints)" if facing == "toward" else "back to the camera: no face keypoints, "
                       "shoulders seen")
    if cues.arms_up and facts.keypoints is not None:
        raised = arm_raised(facts)
        if raised is not None:
            delta += ARMS_WEIGHT if raised else -0.5 * ARMS_WEIGHT
            if raised:
                why.append("a hand above the shoulders (body keypoints)")
    face = facts.face
    other_gender = False
    if cues.gender and face is not None and face.gender:
        sign = 1.0 if face.gender == cues.gender else -1.0
        delta += sign * GENDER_WEIGHT * face.gender_confidence
        other_gender = sign < 0
        if sign > 0:
            why.append(f"{face.gender} by a face estimate ({face.gender_confidence:.2f})")
    if cues.age and facts.age_group and not other_gender:  # "the lady" is an adult: no credit to an adult man
        if facts.age_group == cues.age or (cues.age == "adult" and facts.age_group == "old"):
            delta += AGE_WEIGHT
            why.append(f"{AGE_PHRASES[facts.age_group]} by a face estimate (about {facts.face.age:.0f} years)")
        elif cues.age == "child" or facts.age_group == "child":
            delta -= AGE_WEIGHT
    return delta, why


SMALL_FOR_GROUND_LINE = 0.72  # a standing person this much shorter than others standing as near is child-sized
SAME_GROUND_LINE = 0.08       # boxes whose bottoms are this close (share of the image height) stand as near


def height_for_ground_line(box: list[float], boxes: list[list[float]], image_height: int) -> float | None:
    """The box's height over the median height of the other boxes whose bottom edge is at about the same image
    row (people standing at the same distance); None when no other box stands there."""
    others = [b[3] - b[1] for b in boxes if b is not box and abs(b[3] - box[3]) <= SAME_GROUND_LINE * image_height]
    if not others:
        return None
    return (box[3] - box[1]) / max(float(sorted(others)[len(others) // 2]), 1.0)


def _child_by_size(cues: PersonCues, facts, box, boxes, image_height: int) -> tuple[float, list[str]]:
    """For a child word and no face estimate of the age: a standing person much shorter than the people as near
    the camera is child-sized (+), one as tall as them is not (-)."""
    if cues.age != "child" or facts is None or facts.age_group or facts.pose in ("sitting", "kneeling", "lying", "bending"):
        return 0.0, []
    ratio = height_for_ground_line(box, boxes, image_height)
    if ratio is None:
        return 0.0, []
    if ratio < SMALL_FOR_GROUND_LINE:
        return 0.6 * AGE_WEIGHT, [f"child-sized: {100 * ratio:.0f}% of the height of people as near"]
    return (-0.4 * AGE_WEIGHT, []) if ratio > 0.9 else (0.0, [])


ACTION_WEIGHT = 1.5       # "the kid swinging": times how near a wrist is to a bat or racket
ACTION_THING_SCORE = 0.2  # detections of the verb's things this confident are looked at


def bare_action_things(intent: dict, vision, runtime) -> list[list[float]]:
    """Boxes of the things an action with no object implies ("the kid swinging" -> bats and rackets,
    tools.people.words.VERB_THINGS), or a role noun ("the batter" -> bats, ROLE_THINGS); [] when the request
    names the object (a relation) or has neither."""
    if intent.get("reference"):
        return []
    words = re.findall(r"[a-z]+", str(intent.get("target") or "").lower())
    verb = next((w for w in words if w in VERB_THINGS), None)
    role = next((w for w in words if w in ROLE_THINGS), None)
    if verb is None and role is None:
        return []
    things = VERB_THINGS[verb] if verb else ROLE_THINGS[role][1]
    return [list(d.box) for d in runtime.all_detections(vision) if d.label in things and d.score >= ACTION_THING_SCORE]


def person_evidence(intent: dict, regions: list[Region], vision, runtime) -> dict[int, tuple[float, list[str]]]:
    """{id(region): (score change, evidence)} for person regions; {} when the request names no pose, gender,
    age or bare action, or there is no people analysis."""
    cues = request_cues(intent)
    if "people" not in runtime.grounders:
        return {}
    things = bare_action_things(intent, vision, runtime)
    if not cues.any() and not things:
        return {}
    out = {}
    boxes = [r.box for r in regions]
    for r in regions:
        facts = runtime.person_facts(vision, r.box)
        if facts is not None:
            delta, why = _one(cues, facts) if cues.any() else (0.0, [])
            size_delta, size_why = _child_by_size(cues, facts, r.box, boxes, vision.image.height)
            acting, how = max((person_acting_on(intent, r.box, t, vision, runtime, roles=True) for t in things),
                              default=(0.0, ""))
            out[id(r)] = (delta + size_delta + ACTION_WEIGHT * acting, why + size_why + ([how] if how else []))
    return out


def pose_said(owner: str, facts) -> str:
    """ "by the body keypoints the woman looks sitting (0.62)": a PersonFacts' pose, for an answer about `owner`."""
    return f"by the body keypoints {owner} looks {facts.pose} ({facts.pose_score:.2f})"


def facts_for_mask(mask, vision, runtime):
    """The PersonFacts (with keypoints) of the person a mask shows: most of their seen keypoints inside the
    mask; None without such a person or without the people analysis."""
    import numpy as np

    if "people" not in runtime.grounders or mask is None or not mask.any():
        return None
    h, w = mask.shape
    best, best_share = None, 0.6
    for f in runtime.people(vision):
        if f.keypoints is None:
            continue
        seen = f.keypoints[f.keypoints[:, 2] >= KEYPOINT_SCORE]
        if len(seen) < 4:
            continue
        xs = np.clip(seen[:, 0].astype(int), 0, w - 1)
        ys = np.clip(seen[:, 1].astype(int), 0, h - 1)
        share = float(mask[ys, xs].mean())
        if share > best_share:
            best, best_share = f, share
    return best


def person_acting_on(intent: dict, box: list[float], ref_box: list[float], vision, runtime,
                     roles: bool = False) -> tuple[float, str]:
    """(0..1, evidence) for "the guy dragging the suitcase" / "the girl riding the horse": how near the person in
    `box` has a wrist to the thing's box (hand verbs), or their hips over it (riding); roles=True: a role noun
    counts as its verb ("the batter": a hand at the bat; the thing must be the role's own, see bare_action_things);
    (0, "") without such a verb or without their keypoints."""
    verb = action_verb(str(intent.get("target") or ""), roles=roles)
    if verb is None or "people" not in runtime.grounders:
        return 0.0, ""
    facts = runtime.person_facts(vision, box)
    if facts is None or facts.keypoints is None:
        return 0.0, ""
    kind, word = verb
    reach = 0.25 * max(box[3] - box[1], 1.0)
    names = ("left_wrist", "right_wrist") if kind == "hands" else ("left_hip", "right_hip")
    points = facts.seen_points(names, 0.25)
    best = 0.0
    for x, y in points:
        if kind == "ride":  # hips over the thing: inside its box horizontally, at or above its middle
            inside_x = ref_box[0] <= x <= ref_box[2]
            best = max(best, float(inside_x and y <= (ref_box[1] + ref_box[3]) / 2 + 0.1 * reach))
            continue
        best = max(best, point_nearness(ref_box, [(x, y)], reach))
    if best <= 0.3:
        return 0.0, ""
    where = "a hand at it" if kind == "hands" else "on it, hips over it"
    return best, f"{word}: {where} (body keypoints)"

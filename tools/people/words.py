"""The words people use for a person's pose, gender and age, mapped to what the people models measure.

POSE_WORDS: word -> one of POSES; GENDER_WORDS: word -> "male" / "female"; AGE_WORDS: word -> "child" /
"adult" / "old". `person_cues(text)` reads all three from a phrase ("the old man sitting on the left" ->
PersonCues(pose="sitting", gender="male", age="old")). Gender and age are estimates from faces, never facts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

POSES = ("standing", "sitting", "lying", "kneeling", "bending")  # what pose.pose_of can tell
POSE_WORDS = {
    "standing": "standing", "stands": "standing", "standin": "standing", "upright": "standing",
    "sitting": "sitting", "sits": "sitting", "seated": "sitting", "sat": "sitting", "sittin": "sitting",
    "lying": "lying", "laying": "lying", "lies": "lying", "lays": "lying", "sleeping": "lying", "asleep": "lying",
    "kneeling": "kneeling", "kneels": "kneeling", "crouching": "kneeling", "crouched": "kneeling",
    "squatting": "kneeling", "squats": "kneeling", "crouches": "kneeling",
    "catcher": "kneeling",  # a baseball catcher crouches behind the plate
    "bending": "bending", "bent": "bending", "bends": "bending", "leaning": "bending", "stooping": "bending",
}
GENDER_WORDS = {
    "man": "male", "men": "male", "guy": "male", "guys": "male", "boy": "male", "boys": "male", "gentleman": "male",
    "dude": "male", "male": "male", "he": "male", "him": "male", "his": "male", "father": "male", "dad": "male",
    "grandpa": "male", "husband": "male", "groom": "male", "son": "male", "mr": "male",
    "woman": "female", "women": "female", "lady": "female", "ladies": "female", "girl": "female",
    "girls": "female", "gurl": "female", "female": "female", "she": "female", "her": "female", "mother": "female",
    "mom": "female", "mum": "female", "grandma": "female", "wife": "female", "bride": "female",
    "daughter": "female", "mrs": "female", "gal": "female",
}
AGE_WORDS = {
    "child": "child", "children": "child", "kid": "child", "kids": "child", "boy": "child", "boys": "child",
    "girl": "child", "girls": "child", "baby": "child", "toddler": "child", "infant": "child", "son": "child",
    "daughter": "child", "little": "child", "youngster": "child", "teen": "child",
    "man": "adult", "woman": "adult", "lady": "adult", "gentleman": "adult", "adult": "adult", "grown": "adult",
    "old": "old", "older": "old", "elderly": "old", "grandpa": "old", "grandma": "old", "senior": "old",
    "grey-haired": "old", "gray-haired": "old",
}


# verbs of a person acting on a thing with their hands, and of a person on a thing (the thing under their hips)
HAND_VERBS = frozenset("""holding holds carrying carries pulling pulls dragging drags pushing pushes grabbing grabs
throwing throws catching catches hugging hugs using uses eating eats drinking drinks swinging swings flying flies
petting pets feeding feeds touching touches hitting hits cutting cuts taking takes with w""".split())  # "with": "the guy with the balloon"
RIDE_VERBS = frozenset("riding rides sitting sits seated on skiing surfing skateboarding snowboarding biking cycling".split())


# people named by what they do, and the things that show it ("the batter": the person with a bat in hand; "the
# skier": the person over the skis): (how the person is on the thing, the COCO classes)
ROLE_THINGS: dict[str, tuple[str, frozenset[str]]] = {
    "batter": ("hands", frozenset({"baseball bat"})), "hitter": ("hands", frozenset({"baseball bat"})),
    "skier": ("ride", frozenset({"skis"})), "snowboarder": ("ride", frozenset({"snowboard"})),
    "surfer": ("ride", frozenset({"surfboard"})), "skateboarder": ("ride", frozenset({"skateboard"})),
    "skater": ("ride", frozenset({"skateboard"})), "cyclist": ("ride", frozenset({"bicycle"})),
    "motorcyclist": ("ride", frozenset({"motorcycle"})), "biker": ("ride", frozenset({"bicycle", "motorcycle"})),
    "rider": ("ride", frozenset({"horse", "bicycle", "motorcycle", "elephant"})), "jockey": ("ride", frozenset({"horse"})),
    # "the guy doing the trick" (TRICK_PHRASE): the one on a board or a bike, not the onlookers
    "trick": ("ride", frozenset({"skateboard", "snowboard", "surfboard", "skis", "bicycle", "motorcycle"})),
}
TRICK_PHRASE = re.compile(r"\b(?:doing|does|did|pulling|landing|trying) (?:a |the |that |some |his |her |their )?"
                          r"(?:tricks?|stunts?|flips?|kickflips?|jumps?)\b")


def action_verb(text: str | None, roles: bool = False) -> tuple[str, str] | None:
    """("hands" | "ride", verb) for the first hand or riding verb of a phrase ("the guy dragging the suitcase" ->
    ("hands", "dragging")), else with roles=True for a role noun (ROLE_THINGS: "the batter" -> ("hands",
    "batter"): only where the thing is the role's own), else None."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    for w in words:
        if w in HAND_VERBS:
            return "hands", w
        if w in RIDE_VERBS - {"on", "sitting", "sits", "seated"} or w in ("sitting", "sits", "seated") and " on " in f" {text} ":
            return "ride", w
    role = next((w for w in words if w in ROLE_THINGS), None) if roles else None
    return (ROLE_THINGS[role][0], role) if role else None


FACINGS = ("toward", "away")  # the person's face toward the camera, or their back
FACING_PATTERNS = (
    (r"\b(?:(?:with )?(?:his|her|their|the)? ?backs? (?:to|towards?) (?:us|me|the camera|camera)|facing away|"
     r"turned away|looking away|from behind|back turned|(?:only )?(?:see|seen) (?:the )?back of(?: (?:his|her|their|the) head)?|backs? of (?:his|her) "
     r"head)\b", "away"),
    (r"\b(?:facing (?:us|me|the camera|camera|forward)|looking (?:at|into|toward|towards) (?:us|me|the camera|camera)|"
     r"smiling at (?:us|me|the camera))\b", "toward"),
)


# "both arms up", "hands in the air", "waving": a wrist above the shoulders
ARMS_UP = re.compile(r"\b(?:(?:both |one |an? |his |her |their )?(?:arms?|hands?) (?:up|raised|in the air|over (?:his|her|their) "
                     r"head)|rais(?:ed|ing) (?:his |her |their |both )?(?:arms?|hands?)|reaching up|waving)\b")


@dataclass(frozen=True)
class PersonCues:
    """What a phrase says about a person: pose (pose.POSES), gender ("male"/"female"), age ("child"/"adult"/"old"),
    facing (FACINGS: toward the camera or their back to it), arms_up (a hand raised); None / False where it says
    nothing."""

    pose: str | None = None
    gender: str | None = None
    age: str | None = None
    facing: str | None = None
    arms_up: bool = False

    def any(self) -> bool:
        return bool(self.pose or self.gender or self.age or self.facing or self.arms_up)


def without_facing(text: str) -> str:
    """The text with its facing phrases blanked ("the one w his back to us" -> "the one w "), so "back",
    "head" and "camera" in them name no target, relation or depth."""
    for pattern, _ in FACING_PATTERNS:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return text


def facing_of(text: str | None) -> str | None:
    """ "away" ("his back to us", "facing away"), "toward" ("looking at the camera") or None."""
    low = (text or "").lower()
    return next((canon for pattern, canon in FACING_PATTERNS if re.search(pattern, low)), None)


def _first(words: list[str], table: dict[str, str]) -> str | None:
    return next((table[w] for w in words if w in table), None)


def person_cues(text: str | None, pronouns: bool = False) -> PersonCues:
    """Pose, gender and age words of a phrase; pronouns (he/she/his/her) count only when `pronouns` is True
    ("the man next to her" says nothing of the man's gender through "her")."""
    words = re.findall(r"[a-z][a-z\-]*", (text or "").lower())
    gender_words = GENDER_WORDS if pronouns else {k: v for k, v in GENDER_WORDS.items()
                                                   if k not in ("he", "him", "his", "she", "her")}
    age = _first(words, AGE_WORDS)
    if age == "child" and ("old" in words or "elderly" in words):
        age = "old"
    return PersonCues(pose=_first(words, POSE_WORDS), gender=_first(words, gender_words), age=age,
                      facing=facing_of(text), arms_up=bool(ARMS_UP.search((text or "").lower())))

# What people usually wear on a body part: said beside the colours measured there, since garments and accessories
# are not recognised ("what is she wearing on her hands" -> her hands look white; on the hands it is usually gloves)
USUALLY_WORN: dict[str, str] = {"hands": "gloves", "feet": "shoes", "head": "a hat or a cap", "legs": "trousers",
                                "arms": "sleeves, a bracelet or a watch", "back": "a backpack or a bag"}

# verbs whose thing is under the person, not in their hands (only the classes VERB_THINGS gives count for them,
# except "riding", whose rider may also hold the thing: a kite surfer)
SUPPORT_VERBS = frozenset({"riding", "sitting on", "standing on", "lying on"})
# what a verb says the held thing is: "what is he riding" -> a board, bike or animal under him (classes that are
# otherwise never held, and bigger than a hand-held thing); agent.candidates.held favours these and any size
VERB_THINGS: dict[str, frozenset[str]] = {
    "riding": frozenset({"skateboard", "surfboard", "snowboard", "skis", "bicycle", "motorcycle", "horse", "elephant",
                         "boat"}),
    "swinging": frozenset({"tennis racket", "baseball bat"}),
    "throwing": frozenset({"frisbee", "sports ball"}), "catching": frozenset({"frisbee", "sports ball"}),
    "kicking": frozenset({"sports ball"}), "flying": frozenset({"kite"}),
    "eating with": frozenset({"fork", "knife", "spoon"}), "drinking": frozenset({"cup", "wine glass", "bottle"}),
    "wearing on the back": frozenset({"backpack"}),
    "skiing": frozenset({"skis"}), "surfing": frozenset({"surfboard"}), "skateboarding": frozenset({"skateboard"}),
    "snowboarding": frozenset({"snowboard"}), "biking": frozenset({"bicycle"}), "cycling": frozenset({"bicycle"}),
    "sitting on": frozenset({"chair", "couch", "bench", "bed", "toilet", "horse", "motorcycle", "bicycle", "elephant",
                             "surfboard", "skateboard", "suitcase", "boat"}),
    "standing on": frozenset({"skateboard", "surfboard", "snowboard", "skis", "bench", "chair", "boat"}),
    "lying on": frozenset({"bed", "couch", "bench", "surfboard"}),
    "carrying": frozenset({"handbag", "backpack", "suitcase", "umbrella", "surfboard", "skis", "snowboard", "skateboard",
                           "kite"}),
}

"""The one vocabulary of the words requests use: COCO-80 categories and what people call them, colours,
shapes, sizes and positions. Parsers, grounders, descriptors and ranking all read these tables.

`COCO_CLASSES[i]` is the i-th COCO category in id order (person = 0 ... toothbrush = 79), the label index
of the embedded COCO detectors.
"""
from __future__ import annotations

import re

COCO_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
)

# What people call the COCO categories: word or phrase (lower case, singular) -> COCO class.
# Plurals are handled by `singular`; multi-word names match before their last word ("hot dog" is not a dog).
CATEGORY_SYNONYMS: dict[str, str] = {
    **{name: name for name in COCO_CLASSES},
    # person
    **{w: "person" for w in (
        "people", "man", "men", "woman", "women", "boy", "girl", "guy", "lady", "ladies", "child", "children",
        "kid", "baby", "toddler", "player", "skier", "snowboarder", "surfer", "skateboarder", "rider", "biker",
        "cyclist", "pedestrian", "human", "adult", "teenager", "gentleman", "gentlemen", "batter", "pitcher",
        "catcher", "umpire", "chef", "cook", "driver", "passenger", "worker", "officer", "policeman", "soldier",
        "tourist", "spectator", "athlete", "someone", "somebody", "individual", "figure", "mother", "father",
        "daughter", "son", "brother", "sister", "grandmother", "grandfather", "friend", "couple", "crowd",
        "goalkeeper", "referee", "farmer", "student", "teacher", "waiter", "waitress", "customer", "redhead",
        "blonde", "blond", "brunette", "folks", "bartender", "cop")},
    "bike": "bicycle", "push bike": "bicycle",
    "motorbike": "motorcycle", "scooter": "motorcycle", "moped": "motorcycle", "motor bike": "motorcycle",
    "auto": "car", "taxi": "car", "cab": "car", "sedan": "car", "suv": "car", "jeep": "car", "van": "car",
    "vehicle": "car", "automobile": "car",
    "plane": "airplane", "aeroplane": "airplane", "jet": "airplane", "aircraft": "airplane", "airliner": "airplane",
    "coach": "bus", "minibus": "bus",
    "locomotive": "train", "tram": "train", "railcar": "train",
    "lorry": "truck", "pickup": "truck", "pickup truck": "truck",
    "ship": "boat", "canoe": "boat", "kayak": "boat", "yacht": "boat", "sailboat": "boat", "ferry": "boat",
    "traffic signal": "traffic light", "stoplight": "traffic light", "stop light": "traffic light",
    "hydrant": "fire hydrant", "meter": "parking meter",
    "bird": "bird", "pigeon": "bird", "seagull": "bird", "gull": "bird", "duck": "bird", "goose": "bird",
    "parrot": "bird", "swan": "bird", "crow": "bird",
    "kitten": "cat", "kitty": "cat", "puppy": "dog", "pup": "dog", "doggy": "dog",
    "pony": "horse", "foal": "horse", "lamb": "sheep", "calf": "cow", "cattle": "cow", "bull": "cow", "ox": "cow",
    "teddy": "teddy bear", "stuffed animal": "teddy bear", "plush": "teddy bear",
    "rucksack": "backpack", "knapsack": "backpack",
    "parasol": "umbrella", "purse": "handbag", "bag": "handbag", "necktie": "tie", "luggage": "suitcase",
    "ski": "skis", "ball": "sports ball", "football": "sports ball", "soccer ball": "sports ball",
    "tennis ball": "sports ball", "baseball": "sports ball", "basketball": "sports ball",
    "bat": "baseball bat", "glove": "baseball glove", "mitt": "baseball glove", "skate board": "skateboard", "surf board": "surfboard",
    "racket": "tennis racket", "racquet": "tennis racket",
    "wineglass": "wine glass", "glass": "wine glass", "mug": "cup", "teacup": "cup", "coffee cup": "cup",
    "doughnut": "donut", "hotdog": "hot dog", "cupcake": "cake",
    "sofa": "couch", "settee": "couch", "armchair": "chair", "stool": "chair",
    "plant": "potted plant", "houseplant": "potted plant", "flowerpot": "potted plant",
    "table": "dining table", "desk": "dining table",
    "television": "tv", "tv set": "tv", "monitor": "tv", "screen": "tv", "computer": "laptop",
    "notebook": "laptop", "remote control": "remote", "controller": "remote",
    "phone": "cell phone", "cellphone": "cell phone", "mobile": "cell phone", "mobile phone": "cell phone",
    "smartphone": "cell phone", "iphone": "cell phone", "fridge": "refrigerator", "frig": "refrigerator", "frige": "refrigerator", "stove": "oven",
    "telly": "tv", "tele": "tv", "doggie": "dog", "pooch": "dog", "kitty cat": "cat", "tabby": "cat", "moto": "motorcycle",
    "hoagie": "sandwich", "sub": "sandwich", "burger": "sandwich", "hamburger": "sandwich", "wiener": "hot dog",
    "frank": "hot dog", "gal": "person", "dude": "person", "fella": "person", "kiddo": "person", "bloke": "person",
    "youngster": "person", "infant": "person", "toddlers": "person", "grandma": "person", "grandpa": "person",
    "mom": "person", "mum": "person", "dad": "person", "wife": "person", "husband": "person", "bride": "person",
    "groom": "person", "goalie": "person", "ppl": "person", "peeps": "person", "coach": "bus",
    "hair dryer": "hair drier", "hairdryer": "hair drier", "toothbrush": "toothbrush",
}

# Nouns that ask for text itself rather than an object carrying it.
TEXT_NOUNS: frozenset[str] = frozenset({"text", "word", "words", "letter", "letters", "writing", "title", "phrase",
                                        "number", "caption", "lettering"})
# Nouns that name the background itself (a table top, the floor): background-like regions may be chosen.
BACKGROUND_NOUNS: frozenset[str] = frozenset({
    "background", "table", "floor", "wall", "ground", "sky", "desk", "road", "grass", "field", "ceiling", "water",
    "sea", "tabletop", "surface", "counter", "everything", "whole", "scene", "entire"})

# ---- colours -------------------------------------------------------------------------------------------
# The colour names a region can have (tools.grounders.descriptors names every pixel with one of these).
COLOR_NAMES: tuple[str, ...] = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black",
                                "white", "gray")
# Words people say -> one of COLOR_NAMES (never a colour no region can have).
COLOR_WORDS: dict[str, str] = {
    **{c: c for c in COLOR_NAMES},
    "violet": "purple", "lilac": "purple", "lavender": "purple", "magenta": "pink", "grey": "gray",
    "silver": "gray", "gold": "yellow", "golden": "yellow", "cyan": "blue", "teal": "blue", "turquoise": "blue",
    "navy": "blue", "aqua": "blue", "beige": "brown", "tan": "brown", "khaki": "brown", "maroon": "red",
    "crimson": "red", "scarlet": "red", "cream": "white", "ivory": "white", "olive": "green", "lime": "green",
}
# Modifiers that sit among colour words but name no colour ("the dark one").
COLOR_MODIFIERS: frozenset[str] = frozenset({"dark", "light", "bright", "pale"})
# Colours that read as close to each other when nothing has the asked colour.
NEAR_COLORS: dict[str, tuple[str, ...]] = {
    "white": ("gray", "pink", "yellow"), "gray": ("white", "black"), "black": ("gray", "brown"),
    "red": ("pink", "orange", "brown"), "orange": ("red", "yellow", "brown"), "yellow": ("orange",),
    "brown": ("orange", "red", "black"), "pink": ("red", "purple", "white"), "purple": ("blue", "pink"),
    "blue": ("purple", "green"), "green": ("blue", "yellow")}

# ---- shapes, sizes, positions ----------------------------------------------------------------------------
# The shape hints a region can have (tools.grounders.descriptors.shape_hint).
SHAPE_NAMES: tuple[str, ...] = ("round", "square", "rectangular", "elongated", "irregular")
SHAPE_WORDS: dict[str, str] = {
    "round": "round", "circle": "round", "circles": "round", "circular": "round", "oval": "round",
    "disc": "round", "disk": "round", "ball": "round", "square": "square", "box": "rectangular", "block": "rectangular", "squares": "square", "rectangle": "rectangular",
    "rectangles": "rectangular", "rectangular": "rectangular", "long": "elongated", "elongated": "elongated",
    "thin": "elongated", "narrow": "elongated", "stick": "elongated", "pole": "elongated", "strip": "elongated",
}
# Nouns that name a shape, not a category ("the red circle").
SHAPE_NOUNS: frozenset[str] = frozenset({"circle", "circles", "square", "squares", "rectangle", "rectangles",
                                         "triangle", "triangles", "shape", "shapes", "disc", "box", "strip"})
LARGEST_WORDS: frozenset[str] = frozenset({"biggest", "largest", "big", "large", "huge", "bigger", "larger", "widest",
                                           "tallest", "giant"})
SMALLEST_WORDS: frozenset[str] = frozenset({"smallest", "small", "tiny", "little", "smaller", "narrowest",
                                            "tiniest"})
# Depth: how near the camera a thing stands ("the front apple", "the cat nearest to us", "the bike in the back").
# An attribute that ranks instances (by box bottom edge and size), never a relation to a thing named "camera".
_VIEWER = r"(?:the )?(?:camera|cam|us|me|you|viewer|photographer|lens)"
# "near the camera", "closest to us": a depth, never a relation to a thing (relation patterns skip these spans)
VIEWER_PHRASE = rf"\b(?:closest|nearest|closer|nearer|close|near|farthest|furthest|far)(?: (?:to|by|from))? {_VIEWER}\b"
DEPTH_PATTERNS: tuple[tuple[str, str], ...] = (
    (rf"\b(?:closest|nearest|closer|nearer|close|near)(?: to| by)? {_VIEWER}\b|\b(?:in (?:the )?front|front ?most|"
     r"foreground|front|closest|nearest|closer|nearer)\b(?! of\b)", "front"),
    (rf"\b(?:farthest|furthest|far)(?: away)?(?: from {_VIEWER})?\b(?! (?:left|right|top|bottom|end|side|corner|edge)\b)|\b(?:in the back(?:ground)?|at the back|"
     r"background|in the distance|distant|behind)\b(?! (?:the|a|an|it|him|her|them|that|this|those|his)\b)|"
     r"(?<!go )(?<!going )(?<!come )(?<!get )\bback\b(?! to\b)(?! of\b)", "back"),
)
# Canonical position words (as tools.masks.position_words writes them) and the phrases that mean them.
POSITION_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(top|upper)[ -]left\b", "top left"), (r"\b(top|upper)[ -]right\b", "top right"),
    (r"\b(bottom|lower)[ -]left\b", "bottom left"), (r"\b(bottom|lower)[ -]right\b", "bottom right"),
    (r"\b(left ?most|on the left|to the left|at the left|left one|left side|left)\b", "left"),
    (r"\b(right ?most|on the right|to the right|at the right|right one|right side|right)\b", "right"),
    (r"\b(top ?most|at the top|on top|upper|top one|top|highest)\b", "top"),
    (r"\b(in the air|in the sky|mid-?air|airborne|jumping|leaping)\b", "top"),  # "the guy in the air": the highest one
    # "up in the stands", "the bowl up there"; not the "up" of a verb ("standing up in the plaid shirt")
    (r"(?<!standing )(?<!stand )(?<!stood )(?<!sitting )(?<!sat )(?<!get )(?<!got )(?<!picked )(?<!holding )"
     r"(?<!held )(?<!hold )(?<!dressed )\b(?:up (?:in|on|at) the|up there|up top|up high)\b", "top"),
    (r"\b(bottom ?most|at the bottom|lower|bottom one|bottom|lowest)\b", "bottom"),
    (r"\b(in the middle|in the center|in the centre|middle|center|centre|central)\b", "center"),
)
# "the second guy from the left": the place counted in the position order
ORDINALS: dict[str, int] = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                            "fifth": 5, "5th": 5}
POSITION_WORDS: frozenset[str] = frozenset({
    "left", "right", "top", "bottom", "upper", "lower", "middle", "center", "centre", "central", "leftmost",
    "rightmost", "topmost", "bottommost", "side", "corner", "highest", "lowest", "edge", "end", "row"})


PLURAL_ONLY = frozenset({"scissors", "trousers", "tongs", "binoculars", "goggles", "sunglasses"})  # one thing


def singular(word: str) -> str:
    """Crude singular: "papers" -> "paper", "boxes" -> "box", "people" stays (a synonym), "glasses" -> "glass",
    "scissors" stays (PLURAL_ONLY: one thing, and COCO's name for it)."""
    if word in PLURAL_ONLY:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Clothing and hair: a colour said of them is measured on that band of the person's box (top 0.0 .. bottom 1.0),
# and a garment named alone ("red jacket on the right") stands for the person who wears it.
BODY_BANDS: dict[str, tuple[float, float]] = {"head": (0.0, 0.16), "torso": (0.2, 0.52), "legs": (0.55, 0.9),
                                              "feet": (0.88, 1.0)}
GARMENT_WORDS: dict[str, str] = {
    **{w: "torso" for w in """shirt shirts tshirt t-shirt tee top jacket coat sweater sweatshirt hoodie jumper vest jersey
       blouse dress uniform suit tank cardigan parka blazer apron robe outfit clothes scarf""".split()},  # scarf: on the chest
    **{w: "legs" for w in "pants trousers jeans shorts skirt leggings".split()},
    **{w: "head" for w in "hat cap helmet beanie hood hair".split()},
    **{w: "feet" for w in "shoes shoe sneakers boots socks sandals".split()},
}

# What only a person has ("the one w the ponytail" is a person): hair styles, facial hair, sunglasses, tattoos.
# Words that also name things (bun, glasses) are left out.
PERSON_FEATURE_WORDS: frozenset[str] = frozenset("""ponytail ponytails pigtails braid braids beard beards mustache
moustache goatee sunglasses dreadlocks dreads mohawk afro tattoo tattoos bangs""".split())

# Words a request says that are not names of things: fillers, greetings, agreement ("ok now the fire hydrant").
FILLER_WORDS: frozenset[str] = frozenset("""ok okay k kk now hmm hm hey hi hello thanks thank thx ty cool great nice
yes yeah yep yup alright so well um uh oh u pls plz lol also and then next wait meant mean sorry""".split())


def request_vocabulary() -> frozenset[str]:
    """Every single word the vocabulary knows (category names and synonyms, colours, shapes, sizes, positions,
    depth and filler words): what a typo is read as when it is close to one."""
    words: set[str] = set()
    for phrase in [*CATEGORY_SYNONYMS, *COLOR_WORDS, *SHAPE_WORDS, *LARGEST_WORDS, *SMALLEST_WORDS, *POSITION_WORDS,
                   *FILLER_WORDS, "front", "back", "behind", "closest", "nearest", "farthest", "background",
                   "foreground", "holding", "wearing", "sitting", "standing", *GARMENT_WORDS,
                   "colour", "colours", "coloured", "centre", "favourite"]:  # British spellings stay as typed
        words.update(phrase.split())
    return frozenset(w for w in words if w.isalpha())


_MAX_NAME_WORDS = max(len(k.split()) for k in CATEGORY_SYNONYMS)
# Words that end a noun phrase: "the pizza on the motorcycle" names a pizza, "the baseball player" a person.
_PHRASE_BREAKS = frozenset("""a an the this that these those of on in at to from with without by near next beside
behind under below above over into onto inside outside around between and or but who which that is are was were
holding wearing riding carrying using eating sitting standing it its them""".split())
# Plurals that are not the plural of the synonym ("glasses" on a face are no wine glass).
_NOT_PLURALS = frozenset({"glasses", "pants", "shorts", "jeans"})


def _match_at(words: list[str], i: int) -> tuple[str | None, int]:
    """(COCO class, words used) of the longest category name starting at words[i]."""
    for n in range(min(_MAX_NAME_WORDS, len(words) - i), 0, -1):
        span = words[i:i + n]
        keys = [" ".join(span)]
        if span[-1] not in _NOT_PLURALS:
            keys.append(" ".join([*span[:-1], singular(span[-1])]))
        for key in keys:
            if key in CATEGORY_SYNONYMS:
                return CATEGORY_SYNONYMS[key], n
    return None, 1


# Words that are never the head noun of a thing (the WordNet fallback of coco_category passes over them).
_NOT_HEADS = frozenset({*COLOR_WORDS, *COLOR_MODIFIERS, *SHAPE_WORDS, *SHAPE_NOUNS, *LARGEST_WORDS, *SMALLEST_WORDS,
                        *POSITION_WORDS, *ORDINALS, *GARMENT_WORDS, *BODY_BANDS, *FILLER_WORDS, *TEXT_NOUNS, *BACKGROUND_NOUNS,
                        *"""one ones thing things object objects item items stuff region part piece front back
                        foreground behind closest nearest farthest other another same all both each every some any
                        segment mask highlight outline select show mark find locate pick give cut get grab take see
                        look point click want need please can could would will do does did you me we us i let lets
                        what whats which where how many much there here just only color colour size kind type sort
                        name""".split()})


KIND_GROUPS: dict[str, tuple[str, ...]] = {  # a word people use for any of several COCO classes
    "board": ("surfboard", "skateboard", "snowboard"),
    "bag": ("handbag", "backpack", "suitcase"),  # coco_category("bag") is handbag; the detector mixes the three
    "glass": ("wine glass", "cup"),  # a drinking glass is often a COCO "cup"
    "bike": ("bicycle", "motorcycle"),  # people call motorbikes bikes
    # words for COCO's own supercategories (and the fruit and vegetables among its foods): "what fruit is in front
    # of him", "the animal on the left", "all the pastries"
    "fruit": ("banana", "apple", "orange"),
    "vegetable": ("broccoli", "carrot"), "veggie": ("broccoli", "carrot"),
    "pastry": ("donut", "cake"), "dessert": ("cake", "donut"),
    "utensil": ("fork", "knife", "spoon"), "cutlery": ("fork", "knife", "spoon"),
    "silverware": ("fork", "knife", "spoon"),
    "animal": ("bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"),
    "vehicle": ("bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat"),
    "appliance": ("microwave", "oven", "toaster", "sink", "refrigerator"),
}


def kind_word(text: str | None) -> str | None:
    """The KIND_GROUPS word that ends the phrase, singular ("the bags" -> "bag"), or None; a class's own
    two-word name is no group ("the wine glass", "the motor bike")."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    last = words[-1] if words else ""
    if len(words) > 1 and " ".join(words[-2:]) in CATEGORY_SYNONYMS:
        return None
    plural = last.endswith("s") and last not in _NOT_PLURALS  # "the pastries", "veggies"; "glasses" are no glass
    return next((w for w in (last, *((singular(last), last[:-1]) if plural else ())) if w in KIND_GROUPS), None)


def coco_classes(text: str | None) -> tuple[str, ...]:
    """The COCO classes a phrase may name: the KIND_GROUPS classes of its last word ("his board" -> surfboard,
    skateboard, snowboard; "the bag" -> handbag, backpack, suitcase), else (coco_category,) when it names one,
    else ()."""
    group = kind_word(text)
    if group:
        return KIND_GROUPS[group]
    named = coco_category(text)
    return (named,) if named else ()


def coco_category(text: str | None) -> str | None:
    """The COCO class a phrase names, or None: the head of the first noun phrase that names one (the last
    name inside that phrase, longer names before shorter ones). When no phrase names one, the head noun of
    the first noun phrase may be a kind of one in WordNet (tools.lexicon): "the mare" -> "horse".

    "the man on the left" -> "person"; "two hot dogs" -> "hot dog"; "the baseball player" -> "person";
    "the pizza on the motorcycle" -> "pizza"; "the stallion on the left" -> "horse"; "the glasses" -> None; a
    compound WordNet knows is its own kind: "the coffee maker" -> None (not "maker": a person).
    """
    import re

    run: list[str] = []
    heads: list[str] = []
    for word in [*re.findall(r"[a-z]+", (text or "").lower()), "."]:
        if word not in _PHRASE_BREAKS and word != ".":
            run.append(word)
            continue
        found, i = None, 0
        while i < len(run):
            name, used = _match_at(run, i)
            found, i = name or found, i + used
        if found:
            return found
        heads = heads or _head_nouns(run)
        run = []
    from tools.lexicon import coco_kind, is_noun

    for lemma in heads:
        if lemma != heads[-1] and is_noun(lemma):  # "coffee maker" is an appliance: never its head's kind ("maker":
            return coco_kind(lemma)                # a person)
        if kind := coco_kind(lemma):
            return kind
    return None


def _head_nouns(run: list[str]) -> list[str]:
    """WordNet lemmas to try for a phrase's head, compounds first: ["double", "decker"] -> ["double-decker",
    "double decker", "decker"]; [] when the phrase has no head noun."""
    head = _head_noun(run)
    if head is None:
        return []
    words = [w for w in run if w not in _NOT_HEADS and len(w) > 1]
    before = words[-2] if len(words) > 1 and head in (words[-1], singular(words[-1])) else None
    return ([f"{before}-{head}", f"{before} {head}"] if before else []) + [head]


def _head_noun(run: list[str]) -> str | None:
    """The last word of a phrase that can name a thing (not a colour, position, size, garment, filler or
    command word; not a trailing "-ing" word after a noun), singular: ["old", "stallions"] -> "stallion"."""
    words = [w for w in run if w not in _NOT_HEADS and len(w) > 1]
    while len(words) > 1 and words[-1].endswith("ing"):
        words.pop()
    if not words:
        return None
    word = words[-1]
    if len(word) > 4 and word.endswith("men"):  # "firemen"
        return word[:-3] + "man"
    return word if word in _NOT_PLURALS else singular(word)


def plural_of(category: str, count: int) -> str:
    """ "person", 3 -> "people"; "cup", 2 -> "cups"; "skis" stays; count 1 -> the name itself."""
    if count == 1:
        return category
    irregular = {"person": "people", "mouse": "mice", "knife": "knives", "skis": "skis", "sheep": "sheep",
                 "couch": "couches", "bus": "buses", "sandwich": "sandwiches", "toothbrush": "toothbrushes",
                 "scissors": "scissors", "broccoli": "broccoli", "tv": "tvs", "glass": "glasses"}
    if category in irregular:
        return irregular[category]
    head = category.split()[-1]
    return category + ("es" if head.endswith(("s", "x", "ch", "sh")) else "s")


_PLURAL_PEOPLE = frozenset({"people", "men", "women", "children", "kids", "ladies", "gentlemen", "persons", "players",
                            "guys", "boys", "girls", "crowd"})
_GROUP_WORDS = frozenset({"all", "both", "every", "each", "two", "three", "four", "five", "six", "several", "many", "ones"})


def plural_request(text: str | None) -> bool:
    """True when a phrase asks for every instance: "all the people", "both dogs", "the two cups", "the cars"
    (a plural category noun); "the skis" and "the scissors" are singular things."""
    import re

    words = re.findall(r"[a-z]+", (text or "").lower())
    if set(words) & _GROUP_WORDS:
        return True
    for w in words:
        if w in _PLURAL_PEOPLE:
            return True
        if w.endswith("s") and w not in CATEGORY_SYNONYMS and w not in _NOT_PLURALS and singular(w) in CATEGORY_SYNONYMS:
            return True
    return False

# Nouns the OpenCV Haar cascades answer (tools.grounders.haar), beyond what the COCO detector knows.
HAAR_NOUNS: dict[str, str] = {"face": "face", "faces": "face", "head": "face", "plate": "plate", "license": "plate",
                              "licence": "plate", "number plate": "plate", "cat": "cat", "kitten": "cat",
                              "person": "person"}

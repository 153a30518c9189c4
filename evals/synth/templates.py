"""Paraphrase templates for the synthetic dialogues (many per phenomenon, so keyword lookup is not enough).

Placeholders: {t} target phrase, {p} part name, {c} category noun, {cs} plural noun, {col} colour, {w} word,
{dir} relation phrase.
"""
from __future__ import annotations

NEW_TARGET = [
    "Can you segment {t}?", "Please segment {t}.", "Show me {t}.", "Highlight {t} for me.",
    "I'd like a mask of {t}.", "Could you outline {t}?", "Where is {t}? Mark it please.",
    "Select {t}.", "Find {t} in the picture and mask it.", "Give me the region of {t}.",
    "Point out {t}, please.", "Mask {t}.", "I'm interested in {t}. Can you mark it?",
    "Let's start with {t}: segment it.", "Please pick out {t}.",
]
SWITCH_TARGET = [
    "Forget that. Now show me {t}.", "OK, next: segment {t}.", "Now I want {t} instead.",
    "Let's move on to {t}. Mask it.", "Good. Can you also outline {t}?", "Switch to {t}, please.",
    "Never mind that one; highlight {t}.", "Now, what about {t}? Mark it.", "Next, select {t}.",
]
REFINE_PART = [
    "Only its {p}, please.", "Just the {p} of it.", "Now narrow it down to the {p}.",
    "Can you mask only the {p}?", "I only need the {p} part.", "Zoom in on its {p} - segment just that.",
    "Not the whole thing, only the {p}.", "Refine it to the {p}.", "Keep just the {p}.",
    "Mark the {p} of that {c}.",
]
CORRECTION_OTHER = [
    "No, not that one, the other {c}.", "Wrong one - I meant the other {c}.", "Sorry, I meant the other one.",
    "That's not it. The other {c}, please.", "Hmm, no. Try the other {c}.", "Not this {c}; the other one.",
    "Oops, I was thinking of the other {c}.", "No no, the second {c}.",
]
CORRECTION_ATTR = [
    "No, I meant the {col} one.", "Actually, the {col} {c}, not that one.", "Sorry, wrong one: the {col} {c}.",
    "Not that {c}. I want the {col} one.", "Correction: the {col} {c}.",
]
RELATION = [
    "Now segment the thing {dir} it.", "What's {dir} it? Mask that object.", "Show me the object {dir} it.",
    "And the one {dir} that? Highlight it.", "Select whatever is {dir} it.", "Next, the item {dir} it, please.",
    "Can you outline the object {dir} the previous one?", "Mark the shape {dir} it.",
]
RELATION_WORDS = {
    "left": ["to the left of", "left of", "on the left side of"],
    "right": ["to the right of", "right of", "on the right side of"],
    "above": ["above", "right above", "over"],
    "below": ["below", "under", "underneath"],
}
FILTER_COLOR = [
    "Highlight all the {col} things.", "Segment every {col} object.", "Show me all the {col} ones.",
    "Mask everything that is {col}.", "I want all {col} items selected.", "Select the {col} objects, all of them.",
]
FILTER_LARGEST = [
    "Which object is the biggest? Mask it.", "Segment the largest object.", "Show me the biggest thing in the picture.",
    "Highlight whatever takes up the most space.", "Mask the largest shape you see.",
]
FILTER_SMALLEST = [
    "Segment the smallest object.", "Which thing is the smallest? Mark it.", "Show me the tiniest object here.",
    "Mask the smallest item in the picture.",
]
ASK_COLOR = ["What colour is it?", "What color is that?", "Which colour does it have?", "Tell me its colour.",
             "What's the colour of it?"]
ASK_POSITION = ["Where is it in the picture?", "Where exactly is it?", "Which part of the image is it in?",
                "Where is that located?"]
ASK_TEXT = ["What does it say?", "What is written on it?", "Can you read the text on it?", "Which word is printed on it?"]
ASK_COUNT = ["How many {cs} are there?", "How many {cs} can you see?", "Count the {cs} for me.",
             "What's the number of {cs} in the image?"]
PRIST_OPENERS = [
    "What is the {t} for?", "Tell me something about the {t}.", "What can you say about the {t}?",
    "What does the {t} look like?", "Is the {t} easy to spot?", "Why might someone notice the {t} first?",
]
PRIST_FOLLOWUPS = {
    "color": ["What colour is it exactly?", "Which colour stands out on it?", "What is its main colour?"],
    "position": ["Where is it relative to the rest?", "In which part of the picture does it sit?",
                 "Where would I find it in the image?"],
    "size": ["How big is it compared to the rest?", "Does it take up much of the picture?", "Is it a large thing?"],
    "text": ["Is anything written on it?", "Does it carry any text?", "Can you read anything on it?"],
}
CLOSING = [
    "Please use the conversation above to produce a segmentation that matches the answers.",
    "Based on our dialogue, segment the object we have been discussing.",
    "Using the discussion above, create a segmentation that supports your answers.",
    "Now turn the conversation above into a segmentation of what we talked about.",
    "Segment the thing this conversation has been about, consistent with the answers.",
    "From everything said above, outline a segmentation that backs up the answers.",
    "Use the dialogue so far to give a segmentation that justifies the answers.",
    "Please segment what the conversation above refers to.",
    "Given the exchange above, produce the matching segmentation.",
    "Draw the segmentation that corresponds to the answers in this conversation.",
]
DISTRACTORS = [
    "I'm redecorating my kitchen.", "My sister sent me this picture.", "It's for a school project.",
    "I took this photo yesterday.", "Sorry, my internet is slow today.", "This is for a presentation.",
    "Just curious.", "I'm testing a new labelling tool.", "My cat keeps walking on the keyboard.",
    "We're sorting products at the shop.", "I love these colours.",
]
ANSWER_MASK = [
    "Here is {t}.", "Sure, I've segmented {t}.", "Done: {t} is highlighted.", "This is {t}.",
    "I've marked {t}.", "Here you go, {t}.",
]
ANSWER_CLOSING = ["Sure, here is the segmentation of {t}.", "Based on the conversation, this is {t}.",
                  "The segmentation is {t}.", "Here it is: {t}."]
PLURALS = {"mug": "mugs", "bottle": "bottles", "jar": "jars", "carton": "cartons", "sign": "signs",
           "circle": "circles", "oval": "ovals", "rectangle": "rectangles", "rounded box": "rounded boxes",
           "triangle": "triangles", "star": "stars"}
NUMBERS = ["no", "one", "two", "three", "four", "five", "six"]

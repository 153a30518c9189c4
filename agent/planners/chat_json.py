"""`ChatJSONPlanner`: the Planner logic shared by LLM backends (OpenAI-compatible endpoint, local model).

A backend only implements `_chat(messages, json_mode, image) -> str` (one completion) and `where`
(a short description for error messages). This class builds the prompts, parses and validates the
replies, and retries malformed ones with the validation error fed back to the model. After
`max_retries` failed retries it raises `PlannerError` with a one-line message.

`last_trace` records the last structured call: {"task", "attempts", "errors": [str], "raw": [str], "prompt": the
last user message sent}.
"""
from __future__ import annotations

import io
import re
from typing import Any, Callable, TypeVar

from PIL import Image

from agent.explain import MaskFacts
from agent.intent import INTENT_JSON_SCHEMA, Intent
from agent.json_types import JSONObject
from agent.planners.base import PlannerContext, PlannerError
from agent.planners.prompting import answer_messages, interpret_messages, retry_message, select_messages
from agent.planners.replies import ReplyFormatError, clean_answer, parse_intent, parse_selection
from agent.state import Candidate

T = TypeVar("T")
TASKS = ("interpret", "select", "answer")
IMAGE_MAX_SIDE = 768


def load_prompt_image(path: str | None, max_side: int = IMAGE_MAX_SIDE) -> Image.Image | None:
    """The image at `path` as an RGB PIL image no larger than max_side, or None (no path / unreadable)."""
    if not path:
        return None
    from tools.images import ImageError, downscale_for_model, load_image

    try:
        pixels, _ = downscale_for_model(load_image(path), max_side)
    except (ImageError, OSError):
        return None
    return Image.fromarray(pixels)


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


# a sentence that opens with a noun phrase ("Now the woman in the white shirt.", "And that one."), not with a
# statement about something ("That is great.", "This works.")
NAMED_THING = re.compile(r"^\s*(?:(?:now|and|then|also|next|okay|ok|instead|actually|no|what about|how about)\b,?\s*)*"
                         r"(?:the|a|an|that|this|those|these)\s+(?!(?:is|was|looks|seems|works|helps|makes)\b)[a-z]",
                         re.IGNORECASE)
CONVERSATION_WORDS = frozenset("conversation dialogue dialog discussion exchange chat answer segmentation".split())


def consistent_intent(intent: Intent, context: PlannerContext) -> Intent:
    """The intent, or ReplyFormatError (fed back to the model as a retry) when it contradicts the request: a mask
    target that names nothing visible ("the conversation": only CONVERSATION_WORDS), or no mask for
    a request that asks for one ("Mask the pink circle" read as a question; the rule planner's mask words,
    agent.planners.sentences.WANTS_MASK, decide what asks for one, and so does a request sentence that names a thing
    and asks no question: "Now the woman in the white shirt.", which qwen2.5-coder-0.5b read as answer_only)."""
    from agent.planners.focus import focus_tokens, is_closing_request
    from agent.planners.questions import QUESTION_START
    from agent.planners.sentences import WANTS_MASK, request_sentence

    if intent.wants_mask and intent.target and set(focus_tokens(intent.target)) <= CONVERSATION_WORDS:
        raise ReplyFormatError(f"target {intent.target!r} names no visible thing; name the object the dialogue was about")
    if is_closing_request(context.user_text):  # repaired without a retry (grounded_intent)
        return intent
    if intent.kind == "answer_only" and WANTS_MASK.search(context.user_text):
        found = WANTS_MASK.search(context.user_text).group(0)
        raise ReplyFormatError(f"the request asks for a mask ({found!r}), so kind cannot be answer_only")
    request = request_sentence(context.user_text.strip())
    if intent.kind == "answer_only" and NAMED_THING.search(request) and not (
            QUESTION_START.search(request) or request.rstrip().endswith("?")):
        raise ReplyFormatError(f"the request {request!r} names a thing and asks no question, so it asks for a mask;"
                               " kind cannot be answer_only")
    return intent


def grounded_intent(intent: Intent, context: PlannerContext) -> Intent:
    """Drop what a model invented: colours and a position no turn of the dialogue states (small models copy them
    from the worked examples), a closing-turn kind for a request that does not point at the conversation (the
    closing example is the last one before the request, and a 0.5B model leans to it), and references to a
    previous target when there is none (a correction or a part of nothing is a new target). A closing request
    ("use the conversation above to outline a segmentation") read as anything else becomes segment_from_dialogue
    with the model's target.

    A text cue is dropped when no turn and no text read in the image holds it, or when it merely repeats the
    whole target ("the purple star" read as read_text with the cue "purple star": qwen2.5-coder-0.5b does this to
    plain requests); read_text without a cue becomes new_target. Colours the target names and the dialogue states
    fill an empty colour list (the same model names "the black jar" and leaves colors empty)."""
    from dataclasses import replace

    from agent.planners.focus import CLOSING_PATTERN, is_closing_request
    from agent.planners.phrases import find_colors, find_position

    said = " ".join(str(m.get("content", "")) for m in context.dialogue)
    stated = set(find_colors(said))
    changes: dict[str, Any] = {}
    if intent.colors and not set(intent.colors) <= stated:
        changes["colors"] = [c for c in intent.colors if c in stated]
    elif not intent.colors and intent.wants_mask and intent.target:
        named = [c for c in find_colors(intent.target) if c in stated]
        if named:
            changes["colors"] = named
    if intent.text_cue and not grounded_text_cue(intent.text_cue, intent.target, said, context):
        changes["text_cue"] = None
        if intent.kind == "read_text":
            changes["kind"] = "new_target"
    if intent.position and find_position(said) is None:
        changes["position"] = None
    if intent.kind == "segment_from_dialogue" and (len(context.dialogue) < 2 or
                                                   not CLOSING_PATTERN.search(context.user_text)):
        changes["kind"] = "new_target"  # only a request that points at the conversation segments from it
    elif intent.kind != "segment_from_dialogue" and is_closing_request(context.user_text) and len(context.dialogue) > 1:
        changes.update(kind="segment_from_dialogue", wants_mask=True)  # "use the conversation above to segment ..."
    if not (context.memory or {}).get("current"):
        if intent.kind in ("correct", "refine_part"):
            changes.update(kind="new_target", exclude_previous=False)
        if intent.reference == "previous":
            changes["reference"] = None
    return replace(intent, **changes) if changes else intent


def _words(text: str) -> list[str]:
    """Lower-cased letter/digit runs without articles: "the Purple star" -> ["purple", "star"]."""
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in ("the", "a", "an")]


def grounded_text_cue(cue: str, target: str, said: str, context: PlannerContext) -> bool:
    """Whether a model's text cue is something to read: it occurs in the dialogue or in the text read in the image
    (agent.planners.prompting.visible_texts), and it is not just the target's own words."""
    from agent.planners.prompting import visible_texts

    read = " ".join(visible_texts(context.image_facts or {}))
    words = _words(cue)
    if not words:
        return False
    if " ".join(words) in " ".join(_words(read)):
        return True
    return " ".join(words) in " ".join(_words(said)) and words != _words(target)


class ChatJSONPlanner:
    """Base class; subclasses set `name`, `max_retries`, `vision` and implement `_chat` and `where`."""

    name = "llm"
    max_retries = 2
    vision = False
    few_shot: int | None = None  # interpret examples in the prompt (None = all); fewer = faster on CPU
    tasks: tuple[str, ...] = TASKS  # which of interpret/select/answer go to the model (the others: the agent's own)

    def __init__(self) -> None:
        self.last_trace: JSONObject = {}

    # -- backend hooks
    @property
    def where(self) -> str:
        raise NotImplementedError

    def _chat(self, messages: list[dict[str, str]], *, json_mode: bool, image: Image.Image | None,
              schema: JSONObject | None = None) -> str:
        """One completion. json_mode: the reply should be JSON (matching `schema` when given)."""
        raise NotImplementedError

    # -- shared logic
    def _image_for(self, context: PlannerContext) -> Image.Image | None:
        return load_prompt_image(context.image_path) if self.vision else None

    def _ask_structured(self, task: str, messages: list[dict[str, str]], parse: Callable[[str], T],
                        image: Image.Image | None, schema: JSONObject | None = None) -> T:
        conversation = list(messages)
        errors: list[str] = []
        raw: list[str] = []
        self.last_trace = {"task": task, "attempts": 0, "errors": errors, "raw": raw, "prompt": messages[-1]["content"]}
        for attempt in range(self.max_retries + 1):
            self.last_trace["attempts"] = attempt + 1
            reply = self._chat(conversation, json_mode=True, image=image, schema=schema)
            raw.append(reply)
            try:
                return parse(reply)
            except ReplyFormatError as exc:
                errors.append(str(exc))
                conversation = [*messages, {"role": "assistant", "content": reply[:800]}, retry_message(str(exc))]
        raise PlannerError(
            f"{self.name} planner at {self.where} gave no usable {task} reply after "
            f"{len(raw)} attempt(s): {errors[-1]}"
        )

    def interpret(self, context: PlannerContext) -> Intent:
        """The current user turn as a validated Intent (PlannerError after retries), checked against what the
        conversation really holds (grounded_intent)."""
        messages = interpret_messages(context, self.few_shot)
        intent = self._ask_structured("interpret", messages, lambda text: consistent_intent(parse_intent(text), context),
                                      self._image_for(context), schema=INTENT_JSON_SCHEMA)
        return grounded_intent(intent, context)

    def select(self, context: PlannerContext, intent: Intent, candidates: list[Candidate]) -> list[str] | None:
        """Candidate ids the model picks (all validated against the candidates), or None when it picks none."""
        if not candidates or "select" not in self.tasks:
            return None
        ids = [str(c.get("id")) for c in candidates]
        schema = {"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string", "enum": ids}}},
                  "required": ["ids"], "additionalProperties": False}
        return self._ask_structured("select", select_messages(context, intent, candidates),
                                    lambda text: parse_selection(text, ids), self._image_for(context), schema=schema)

    def answer(self, context: PlannerContext, intent: Intent, facts: MaskFacts) -> str | None:
        """One or two sentences grounded in `facts`, or None when the model returns nothing usable."""
        if "answer" not in self.tasks:
            return None
        reply = self._chat(answer_messages(context, intent, facts), json_mode=False, image=self._image_for(context))
        return clean_answer(reply)

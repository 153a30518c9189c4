"""The LangGraph state of one conversation (all JSON-safe: no arrays, no base64).

Persistent across turns (checkpointed per thread):
  messages   chat history (HumanMessage / AIMessage), appended
  image      {"path", "sha256", "width", "height"} or None (text-only session); a client may send only
             {"path"}: the graph fills in the rest (agent.nodes.attach_image)
  memory     intent memory {"current": TargetRecord | None, "history": [TargetRecord, ...]}; a node writes the
             one TargetRecord to remember
  results    one TurnRecord per finished turn, appended; masks as COCO RLE
  turn       number of finished turns
messages, results and memory are delta channels (agent.channels): each checkpoint stores only what its step
wrote, so a mask is stored only by the turn that made it (in its TurnRecord and its TargetRecord), never again
in a later checkpoint, and a thread's storage grows linearly.
Transient (rewritten every turn, cleared by `respond`):
  action        a click, recall or reference turn's input (Action), or None for a typed turn
  intent        Intent.to_record() of this turn
  candidates    candidate records [{"id", "box", "score", "label", "source", "text", "attributes", "rank"}]
  chosen        {"id", "box", "rle", "score", "evidence": [str], "confidence", "phrase", ...} or None
  answer        the text composed for this turn
  planner_fallback  one-line error when the configured planner failed and the rule planner stood in
Image facts (detections, proposals, their masks) live in the in-process `tools.vision_cache.VisionCache`, keyed by
image sha256; a mask made from the conversation travels in its candidate record as RLE.
"""
from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage

from agent.channels import append_messages, append_records, delta, merge_memory


class ImageRef(TypedDict):
    path: str | None
    sha256: str
    width: int
    height: int


class Candidate(TypedDict, total=False):
    """id: unique within the image; box [x0, y0, x1, y1] image pixels; score: ranking score (any scale,
    higher is better, not a probability); label/source: what found it ("person", "detector:nanodet");
    evidence: why it ranks where it does; group: candidates of one plural request share it (their masks are
    joined); low_confidence/tied/uncertain: flags the explanation and selection read; mask_score: the
    segmenter's predicted IoU once a box prompt has run; detector_score: the detector's confidence; rle: the
    candidate's own mask (COCO RLE) when the conversation made it (a part, a union, a remembered mask)."""

    id: str
    box: list[float]
    score: float
    label: str | None
    source: str | None
    text: str | None
    attributes: dict[str, Any]
    evidence: list[str]
    needs_mask: bool
    group: str | None
    low_confidence: bool
    tied: bool
    uncertain: bool
    mask_score: float
    detector_score: float
    rle: dict


class IntentRecord(TypedDict, total=False):
    """agent.intent.Intent.to_record(): what a turn asks for (see Intent for each field); a click turn's intent
    also carries its prompt: points [[x, y], ...], point_labels [1 | 0, ...], base_box [x0, y0, x1, y1]."""

    kind: str
    target: str
    wants_mask: bool
    category: str | None
    colors: list[str]
    position: str | None
    size: str | None
    shape: str | None
    depth: str | None
    garment: str | None
    pose: str | None
    facing: str | None
    text_cue: str | None
    part: str | None
    relation: str | None
    reference: str | None
    exclude_previous: bool
    question: str | None
    confidence: float
    notes: list[str]
    points: list[list[float]]
    point_labels: list[int]
    base_box: list[float] | None


class TargetRecord(TypedDict, total=False):
    """What a turn settled on: phrase, region id, box [x0, y0, x1, y1], mask RLE, attributes, cues."""

    turn: int
    kind: str
    phrase: str
    category: str | None
    region_id: str | None
    box: list[float] | None
    rle: dict | None
    attributes: dict[str, Any]
    text_cue: str | None
    part: str | None
    source: str | None
    text_read: str | None
    evidence: list[str]
    rejected: list[str]
    intent: IntentRecord


class Choice(TypedDict, total=False):
    """The mask a turn settled on (agent.choice.make_choice builds it): region id(s), box, mask RLE, scores,
    evidence; "answer_lead" when select already phrased the answer ("She is holding a book ...")."""

    id: str
    ids: list[str]
    box: list[float] | None
    rle: dict | None
    score: float
    confidence: float
    evidence: list[str]
    label: str | None
    source: str | None
    attributes: dict[str, Any]
    text: str | None
    low_confidence: bool
    answer_lead: str


class ClarifyOption(TypedDict):
    id: str
    position: str
    box: list[float]


class ClarifyingQuestion(TypedDict):
    """The payload select's `interrupt` carries: the question and the candidates it names, in order."""

    question: str
    options: list[ClarifyOption]


class Action(TypedDict, total=False):
    """A turn that is not typed text, sent as the graph input {"action": ...} (agent.clicks builds them):
    {"kind": "click", "points": [[x, y], ...] image pixels, "labels": [1 add | 0 remove, ...], "text": str?}
    {"kind": "recall", "turn": int (an earlier turn whose mask becomes the target again), "text": str?}
    {"kind": "given", "text": str, "answer": str}  evals' reference exchange, written without running it
    {"kind": "reference_answer", "answer": str}     evals' reference answer in place of the last one"""

    kind: str
    points: list[list[float]]
    labels: list[int]
    turn: int
    text: str | None
    answer: str


class TurnRecord(TypedDict, total=False):
    """One finished turn: user text, answer, intent, target, mask RLE, score, evidence, timings."""

    turn: int
    user: str
    answer: str
    intent: IntentRecord
    target: str | None
    rle: dict | None
    box: list[float] | None
    score: float | None
    confidence: float | None
    evidence: list[str]
    planner_fallback: str | None
    timings: dict[str, float]


def merge_timings(old: dict[str, float] | None, new: dict[str, float] | None) -> dict[str, float]:
    """Per-stage seconds of the current turn, merged stage by stage; a turn's first node starts a new dict by
    writing langgraph.types.Overwrite({...}) (interpret, segment_points, recall_mask)."""
    return {**(old or {}), **(new or {})}


class Memory(TypedDict):
    """The intent memory: the current target and every target so far, oldest first (agent.memory reads it)."""

    current: TargetRecord | None
    history: list[TargetRecord]


def empty_memory() -> Memory:
    return {"current": None, "history": []}


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], delta(append_messages)]
    image: ImageRef | None
    memory: Annotated[Memory, delta(merge_memory)]
    results: Annotated[list[TurnRecord], delta(append_records)]
    turn: int
    intent: IntentRecord | None
    candidates: list[Candidate]
    chosen: Choice | None
    action: Action | None
    answer: str | None
    planner_fallback: str | None
    timings: Annotated[dict[str, float], merge_timings]

"""The shapes of the MCP tools' structured results (pydantic models: the output schemas clients see)."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from agent.json_types import JSONObject


class CocoRle(BaseModel):
    size: list[int] = Field(description="[height, width]")
    counts: str = Field(description="COCO compressed RLE counts")


class TurnRecord(BaseModel):
    conversation_id: str = Field(description="pass it back to continue this conversation")
    turn: int = Field(description="turn number in the conversation, from 1")
    text: str = Field(description="the explanation (or the answer to a question)")
    target: str | None = Field(description="what the turn is about")
    box: list[float] | None = Field(description="[x0, y0, x1, y1] of the mask in image pixels")
    score: float | None = Field(description="confidence of the chosen region")
    evidence: list[str] = Field(description="why this region was chosen")
    mask: CocoRle | None = Field(description="the turn's binary mask as COCO RLE; null for an answer-only turn")
    mask_uri: str | None = Field(description="resource URI of the mask as a PNG")
    image_path: str | None
    seconds: float = Field(description="server-side time of the turn")


class TurnSummary(BaseModel):
    turn: int
    request: str | None
    text: str | None
    target: str | None
    box: list[float] | None
    score: float | None
    mask_uri: str | None


class Conversation(BaseModel):
    conversation_id: str
    image_path: str | None
    width: int | None
    height: int | None
    turns: list[TurnSummary]


class UndoResult(BaseModel):
    conversation_id: str
    undone: bool = Field(description="false when there was no turn to drop")
    turns: int = Field(description="turns left")


class SegmentBoxResult(BaseModel):
    rle: CocoRle
    area: int
    area_fraction: float
    bbox: list[int] | None
    score: float
    box_prompt: list[float]


class TextLines(BaseModel):
    lines: list[JSONObject] = Field(description="{'text', 'box', 'score'} per OCR line")


class Regions(BaseModel):
    regions: list[JSONObject] = Field(description="region records: id, box, score, label, source, text, "
                                                      "attributes (propose_regions adds 'rle')")


ImagePath = Annotated[str, Field(description="path of the image file on the server")]  # the tools' image argument

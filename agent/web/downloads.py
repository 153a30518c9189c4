"""Downloads: the mask on show as a PNG and as COCO RLE JSON, and the whole conversation as JSON with RLEs.

Files go to folder/<thread>/ and are rewritten when what they hold changes:
  <thread>_turn<N>_mask.png        0/255 PNG at image size
  <thread>_turn<N>_mask.rle.json   {"thread_id", "turn", "target", "image", "rle": {"size": [H, W], "counts"}, "box", "score"}
  <thread>_conversation.json       {"thread_id", "image", "turns": [TurnRecord with "rle", ...]}
"""
from __future__ import annotations

import json
from pathlib import Path

from agent.json_types import JSONObject
from agent.state import TurnRecord
from tools.masks import decode_rle, save_mask_png


def _write_json(path: Path, payload: JSONObject) -> Path:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(payload, indent=1, default=str))
    tmp.replace(path)
    return path


def mask_files(record: TurnRecord | None, thread_id: str, image: dict | None, folder: str | Path) -> tuple[str | None, str | None]:
    """(PNG path, RLE JSON path) of a turn record's mask; (None, None) when it has none."""
    if not record or not record.get("rle"):
        return None, None
    out = Path(folder) / thread_id
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{thread_id}_turn{int(record['turn']):02d}_mask"
    png = save_mask_png(decode_rle(record["rle"]), f"{stem}.png")  # rewritten: undo can reuse a turn number
    rle = _write_json(Path(f"{stem}.rle.json"), {
        "thread_id": thread_id, "turn": record.get("turn"), "target": record.get("target"), "image": image,
        "rle": record["rle"], "box": record.get("box"), "score": record.get("score")})
    return str(png), str(rle)


def conversation_file(history: list[TurnRecord], thread_id: str, image: dict | None, folder: str | Path) -> str:
    out = Path(folder) / thread_id
    out.mkdir(parents=True, exist_ok=True)
    return str(_write_json(out / f"{thread_id}_conversation.json",
                           {"thread_id": thread_id, "image": image, "turns": list(history)}))

"""The files a conversation's turns are saved as: one naming scheme for the CLI (--out, /save), `Session`'s
out_dir, and the web app's downloads.

Under folder/<thread>/, rewritten when what they hold changes (undo can reuse a turn number):
  <thread>_turn_NN_mask.png       0/255 PNG at image size
  <thread>_turn_NN_overlay.png    the mask over the photo, with the target's name
  <thread>_turn_NN_mask.rle.json  {"thread_id", "turn", "target", "image", "rle": {"size": [H, W], "counts"}, "box",
                                   "score"}
  <thread>_turn_NN.json           the TurnRecord (answer, intent, evidence, timings, ...) with the paths above
  <thread>_conversation.json      {"thread_id", "image", "turns": [TurnRecord, ...]}
The thread id is in every name so that files downloaded from several conversations never collide.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

import numpy as np

from agent.json_types import JSONObject
from agent.state import ImageRef, TurnRecord
from tools.masks import decode_rle, save_mask_png


class TurnFiles(TypedDict):
    """Paths written for one turn (None where the turn has no mask, or no photo to draw the overlay on)."""

    mask_path: str | None
    overlay_path: str | None
    rle_path: str | None
    record_path: str | None


def write_json(path: Path, payload: JSONObject) -> Path:
    """Write JSON through a temporary file, so a reader never sees half a file."""
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text(json.dumps(payload, indent=1, default=str))
    tmp.replace(path)
    return path


def thread_folder(folder: str | Path, thread_id: str) -> Path:
    out = Path(folder) / thread_id
    out.mkdir(parents=True, exist_ok=True)
    return out


def turn_stem(folder: str | Path, thread_id: str, turn: int) -> Path:
    """folder/<thread>/<thread>_turn_NN (the files add _mask.png, _overlay.png, .json, ...)."""
    return thread_folder(folder, thread_id) / f"{thread_id}_turn_{int(turn):02d}"


def write_turn_files(folder: str | Path, thread_id: str, record: TurnRecord, image: ImageRef | None = None,
                     pixels: np.ndarray | None = None, mask: np.ndarray | None = None, overlay: bool = True,
                     rle_json: bool = True, record_json: bool = True) -> TurnFiles:
    """The files of one finished turn. pixels: the photo (H, W, 3) uint8 for the overlay; mask: the turn's
    bool (H, W) mask when the caller has it decoded already (else decoded from record["rle"])."""
    files: TurnFiles = {"mask_path": None, "overlay_path": None, "rle_path": None, "record_path": None}
    stem = turn_stem(folder, thread_id, record["turn"])
    if record.get("rle"):
        mask = decode_rle(record["rle"]) if mask is None else mask
        files["mask_path"] = str(save_mask_png(mask, f"{stem}_mask.png"))
        if overlay and pixels is not None:
            from tools.overlay import save_overlay
            files["overlay_path"] = str(save_overlay(pixels, [mask], f"{stem}_overlay.png",
                                                     labels=[record.get("target") or ""]))
        if rle_json:
            files["rle_path"] = str(write_json(Path(f"{stem}_mask.rle.json"), {
                "thread_id": thread_id, "turn": record.get("turn"), "target": record.get("target"), "image": image,
                "rle": record["rle"], "box": record.get("box"), "score": record.get("score")}))
    if record_json:
        files["record_path"] = str(stem) + ".json"
        write_json(Path(files["record_path"]), {**record, **files})
    return files


def write_conversation(folder: str | Path, thread_id: str, image: ImageRef | None, records: list) -> Path:
    """folder/<thread>/<thread>_conversation.json: every turn record, oldest first."""
    return write_json(thread_folder(folder, thread_id) / f"{thread_id}_conversation.json",
                      {"thread_id": thread_id, "image": image, "turns": list(records)})

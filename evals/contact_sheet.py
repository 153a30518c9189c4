"""Contact sheet PNG of the worst and best scored turns: image | reference | prediction, with a caption
(record id, turn, IoU, the human text). Rows come from turns.jsonl (they carry image path, ref_rle, pred_rle).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tools.images import ImageError, load_image
from tools.masks import decode_rle
from tools.overlay import render_overlay

PANEL_H = 180
CAPTION_H = 46


def _font(size: int):
    try:
        from matplotlib import font_manager

        return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)
    except Exception:
        return ImageFont.load_default()


def _panel(pixels: np.ndarray, mask: np.ndarray | None) -> Image.Image:
    shown = pixels if mask is None else render_overlay(pixels, [mask])
    img = Image.fromarray(shown)
    scale = PANEL_H / img.height
    return img.resize((max(1, round(img.width * scale)), PANEL_H), Image.BILINEAR)


def _tile(row: dict, font) -> Image.Image | None:
    try:
        pixels = load_image(row["image"]).pixels
    except (ImageError, KeyError, TypeError):
        return None
    ref = decode_rle(row["ref_rle"]) if row.get("ref_rle") else None
    pred = decode_rle(row["pred_rle"]) if row.get("pred_rle") else np.zeros(pixels.shape[:2], bool)
    panels = [_panel(pixels, None), _panel(pixels, ref), _panel(pixels, pred)]
    width = sum(p.width for p in panels) + 8
    tile = Image.new("RGB", (width, PANEL_H + CAPTION_H), (255, 255, 255))
    x = 0
    for panel in panels:
        tile.paste(panel, (x, 0))
        x += panel.width + 4
    draw = ImageDraw.Draw(tile)
    head = f"{row['record']} turn {row['turn'] + 1}  IoU {row['iou']:.2f}" + ("  (no mask)" if row.get("empty_prediction") else "")
    draw.text((4, PANEL_H + 2), head, fill=(0, 0, 0), font=font)
    human = textwrap.shorten(row.get("human") or "", width=max(20, width // 7), placeholder="...")
    draw.text((4, PANEL_H + 22), human, fill=(60, 60, 60), font=font)
    return tile


def write_contact_sheet(rows: list[dict], path: str | Path, count: int = 6) -> Path | None:
    """Worst `count` and best `count` scored turns (by IoU) stacked vertically; None if no scored turn has an image."""
    scored = [r for r in rows if r.get("kind") == "turn" and r.get("scored") and r.get("image") and r.get("ref_rle")]
    if not scored:
        return None
    ordered = sorted(scored, key=lambda r: (r["iou"], r["record"], r["turn"]))
    worst = ordered[:count]
    best = [r for r in reversed(ordered[-count:]) if r not in worst]
    font, title_font = _font(13), _font(18)
    sections = []
    for title, chosen in (("worst turns", worst), ("best turns", best)):
        tiles = [t for t in (_tile(r, font) for r in chosen) if t is not None]
        if tiles:
            sections.append((title, tiles))
    if not sections:
        return None
    width = max(t.width for _, tiles in sections for t in tiles)
    height = sum(28 + sum(t.height + 6 for t in tiles) for _, tiles in sections)
    sheet = Image.new("RGB", (width, height), (235, 235, 235))
    draw = ImageDraw.Draw(sheet)
    y = 0
    for title, tiles in sections:
        draw.text((6, y + 4), f"{title}: image | reference | prediction", fill=(0, 0, 0), font=title_font)
        y += 28
        for tile in tiles:
            sheet.paste(tile, (0, y))
            y += tile.height + 6
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path

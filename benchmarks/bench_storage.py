"""Conversation storage against conversation length (prints figures; not a test).

    python benchmarks/bench_storage.py [--turns 10,40,160] [--real IMAGE]

One fresh thread per length, each in its own SQLite file, fed a fixed cycle of 8 turns (new target, question,
text cue, relation, size, correction, part). After the thread is closed it prints, per length: the file size in
bytes (WAL folded in), bytes per turn, checkpoint rows and the largest checkpoint row. Linear storage means a
flat bytes-per-turn column; the goal is 40 turns under 2 MB.

Default backends are cheap stand-ins so that 160 turns take seconds: a drawn 480x320 scene of flat shapes, a
segmenter that returns the drawn pixels inside the prompt box, region proposals = connected components of each
flat colour (with the real descriptors), OCR that reads a fixed word. `--real IMAGE` runs the embedded stack
(MobileSAM, OCR, proposals) on a photo instead: real mask RLEs, minutes instead of seconds.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.session import Session  # noqa: E402
from tools.grounders.descriptors import add_area_ranks, describe  # noqa: E402
from tools.images import load_image  # noqa: E402
from tools.regions import Region  # noqa: E402
from tools.segmenters.base import ImageEmbedding, SegmentResult  # noqa: E402

TURNS = ["segment the red circle", "what colour is it?", "the sign that says EXIT", "what is under the blue square",
         "the smallest red one", "no, the other one", "the biggest", "only its left half"]
SHAPES = {  # name: (colour, (y0, y1, x0, x1), round?)
    "red circle": ((220, 30, 30), (110, 220, 40, 150), True),
    "blue square": ((30, 60, 220), (100, 200, 220, 320), False),
    "small red square": ((220, 30, 30), (150, 190, 400, 440), False),
    "yellow bar": ((240, 210, 30), (240, 280, 200, 340), False),
    "green sign": ((40, 170, 60), (20, 80, 330, 470), False),
}
EXIT_BOX = [348.0, 32.0, 440.0, 70.0]


def scene() -> np.ndarray:
    """(320, 480, 3) uint8: flat shapes on a light grey background."""
    pixels = np.full((320, 480, 3), 245, np.uint8)
    yy, xx = np.mgrid[:320, :480]
    for colour, (y0, y1, x0, x1), rounded in SHAPES.values():
        inside = (yy >= y0) & (yy < y1) & (xx >= x0) & (xx < x1)
        if rounded:
            cy, cx, r = (y0 + y1) / 2, (x0 + x1) / 2, (y1 - y0) / 2
            inside &= (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        pixels[inside] = colour
    return pixels


class FillSegmenter:
    """Box prompt -> the non-background pixels inside the box."""

    name = "fill"

    def embed(self, image):
        img = load_image(image)
        return ImageEmbedding(features=img.pixels, original_size=(img.height, img.width),
                              input_size=(img.height, img.width), image_sha256=img.sha256)

    def segment(self, embedding, boxes=None, points=None, point_labels=None, mask_prompts=None, multimask=True):
        pix = embedding.features
        fg = np.abs(pix.astype(int) - pix[0, 0].astype(int)).sum(axis=2) > 30
        masks = []
        for x0, y0, x1, y1 in np.asarray(boxes, int):
            m = np.zeros(fg.shape, bool)
            m[y0:y1, x0:x1] = fg[y0:y1, x0:x1]
            masks.append(m)
        return SegmentResult(masks=np.stack(masks)[:, None], scores=np.full((len(masks), 1), 0.9))


class ColourProposals:
    """Region proposals: the connected parts of each flat colour, described by the real descriptors."""

    name = "proposals"

    def regions(self, image):
        import cv2

        pix = load_image(image).pixels
        regions = []
        for colour in np.unique(pix.reshape(-1, 3), axis=0):
            n, labels = cv2.connectedComponents(np.all(pix == colour, axis=2).astype(np.uint8))
            for k in range(1, n):
                mask = labels == k
                if mask.sum() >= 200:
                    attrs = describe(mask, pix)
                    regions.append(Region(box=attrs["box"], score=0.9, source="proposals", mask=mask, attributes=attrs))
        regions.sort(key=lambda r: -r.attributes["area"])
        add_area_ranks([r.attributes for r in regions])
        for i, r in enumerate(regions):
            r.id = f"r{i}"
            r.attributes["background"] = r.attributes["area_fraction"] > 0.6
        return regions


class FixedOcr:
    name = "ocr"

    def ground(self, image, query):
        return [Region(box=EXIT_BOX, score=0.99, label="text: EXIT", source="ocr", text="EXIT", id="o0")]


def measure(turns: int, folder: Path, real: str | None) -> dict:
    db = folder / f"t{turns}.sqlite"
    if real:
        session = Session(real, db_path=db)
    else:
        session = Session(scene(), segmenter=FillSegmenter(), grounders=[ColourProposals(), FixedOcr()], db_path=db)
    t0 = time.perf_counter()
    masks = sum(session.ask(TURNS[i % len(TURNS)]).mask is not None for i in range(turns))
    seconds = time.perf_counter() - t0
    session.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows, largest = conn.execute("SELECT count(*), max(length(checkpoint)) FROM checkpoints").fetchone()
    size = db.stat().st_size
    return {"turns": turns, "bytes": size, "bytes_per_turn": size // turns, "masks": masks,
            "checkpoints": rows, "largest_checkpoint": largest, "seconds": round(seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", default="10,40,160", help="comma-separated conversation lengths")
    ap.add_argument("--real", metavar="IMAGE", help="use the embedded stack on this photo instead of stand-ins")
    args = ap.parse_args()
    print(f"backends: {'embedded stack on ' + args.real if args.real else 'stand-ins on a drawn scene'}")
    header = ("turns", 6), ("bytes", 10), ("bytes/turn", 10), ("masks", 6), ("checkpoints", 11), ("largest ckpt", 12)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'s':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(t) for t in args.turns.split(",")):
            r = measure(n, Path(tmp), args.real)
            print(f"{r['turns']:>6} {r['bytes']:>10} {r['bytes_per_turn']:>10} {r['masks']:>6} {r['checkpoints']:>11} "
                  f"{r['largest_checkpoint']:>12} {r['seconds']:>6}", flush=True)


if __name__ == "__main__":
    main()

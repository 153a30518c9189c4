"""`python -m miras.chat IMAGE --checkpoint DIR [--turn TEXT ...] [--out DIR] [--json] [--device D]`

With --turn (repeatable) the turns run in order and the program exits; without, a REPL reads turns from stdin
(empty line or "quit" ends). IMAGE may be "-" or "none" for a text-only conversation. --out writes per turn a
mask PNG and an overlay PNG; --json prints one JSON object per turn. Errors are one line on stderr (exit 2).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.images import ImageError, load_image
from tools.masks import save_mask_png
from tools.overlay import save_overlay

from miras.checkpoint import CheckpointError
from tools.weights import MissingWeightsError

from miras.config import ConfigError


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m miras.chat", description="Talk to a MIRAS checkpoint about an image.")
    p.add_argument("image", help="image path, or '-' / 'none' for text-only")
    p.add_argument("--checkpoint", required=True, help="checkpoint folder (from python -m miras.train)")
    p.add_argument("--turn", action="append", default=[], help="a user turn (repeatable); none -> interactive")
    p.add_argument("--out", help="folder for mask and overlay PNGs")
    p.add_argument("--json", action="store_true", help="print one JSON object per turn")
    p.add_argument("--device", default=None)
    p.add_argument("--max-new-tokens", type=int, default=None)
    return p.parse_args(argv)


def _report(i: int, text: str, result, loaded, out: Path | None, as_json: bool) -> None:
    files = {}
    if out is not None and result.mask is not None:
        out.mkdir(parents=True, exist_ok=True)
        files["mask"] = str(save_mask_png(result.mask, out / f"turn{i}_mask.png"))
        files["overlay"] = str(save_overlay(loaded.pixels, [result.mask], out / f"turn{i}_overlay.png",
                                            labels=[result.target or "target"]))
    if as_json:
        row = {"turn": i, "user": text, "text": result.text, "target": result.target, "score": result.score,
               "mask_area": int(result.mask.sum()) if result.mask is not None else None,
               "timings": result.timings, "files": files}
        print(json.dumps(row), flush=True)
        return
    area = f", mask {int(result.mask.sum())} px" if result.mask is not None else ""
    target = f" [target: {result.target}{area}]" if result.target or area else ""
    print(f"miras> {result.text}{target}", flush=True)
    for kind, path in files.items():
        print(f"       {kind}: {path}")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        from miras.system import MirasSystem

        loaded = None if args.image in ("-", "none") else load_image(args.image)
        system = MirasSystem(checkpoint=args.checkpoint, device=args.device, max_new_tokens=args.max_new_tokens)
        conv = system.start(loaded)
        out = Path(args.out) if args.out else None
        turns = iter(args.turn) if args.turn else None
        i = 0
        while True:
            if turns is not None:
                text = next(turns, None)
            else:
                try:
                    text = input("you> ")
                except EOFError:
                    text = None
            if text is None or text.strip().lower() in ("", "quit", "exit"):
                break
            i += 1
            _report(i, text, conv.ask(text), loaded, out, args.json)
    except (ImageError, CheckpointError, ConfigError, MissingWeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

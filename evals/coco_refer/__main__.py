"""`python -m evals.coco_refer --coco ../shared/data/coco_tiny --out runs/coco_refer [--split val2017]`"""
from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from evals.coco_refer.build import write_benchmark


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.coco_refer",
                                description="Write the COCO referring benchmark (dialogue-records format).")
    p.add_argument("--coco", required=True, help="COCO folder with annotations/instances_<split>.json and <split>/")
    p.add_argument("--out", required=True)
    p.add_argument("--split", default="val2017")
    args = p.parse_args(argv)
    bar = tqdm(desc="coco_refer", unit="rec", file=sys.stderr)
    try:
        counts = write_benchmark(args.coco, args.out, args.split,
                                 progress=lambda i, n: (setattr(bar, "total", n), bar.update(1)))
    except (FileNotFoundError, OSError) as exc:
        bar.close()
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    bar.close()
    print(f"wrote {counts['records']} records to {args.out}: {counts['single']} single-instance "
          f"({counts['synonym']} of them with an everyday name), {counts['position']} position")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

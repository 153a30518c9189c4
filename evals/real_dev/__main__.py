"""python -m evals.real_dev --coco ../shared/data/coco_tiny --out runs/real_dev [--spec FILE]"""
from __future__ import annotations

import argparse
import sys

from evals.real_dev.build import write_dev_set
from evals.real_dev.spec import SPEC_PATH, SpecError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.real_dev", description=__doc__)
    parser.add_argument("--coco", required=True, help="COCO root with annotations/ and the split folders (coco_tiny)")
    parser.add_argument("--out", default="runs/real_dev", help="dataset folder to write")
    parser.add_argument("--spec", default=str(SPEC_PATH), help="the hand-written spec (default: the project's)")
    args = parser.parse_args(argv)
    try:
        counts = write_dev_set(args.coco, args.out, args.spec,
                               progress=lambda i, n: print(f"\r{i}/{n} dialogues", end="", file=sys.stderr))
    except (SpecError, FileNotFoundError) as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    print(f"\nwrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

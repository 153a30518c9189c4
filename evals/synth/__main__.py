"""`python -m evals.synth --out DIR --n N --seed S --split train|val|test [--check-against DIR ...]`"""
from __future__ import annotations

import argparse
import sys
import time

from tqdm import tqdm

from evals.errors import EvalError
from evals.synth.writer import SPLIT_INDEX, check_disjoint, write_split


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.synth", description="Write a synthetic multi-turn split (format 2).")
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split", choices=tuple(SPLIT_INDEX), default="test")
    p.add_argument("--check-against", nargs="*", default=[], help="other split folders that must share no scene")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.n < 1:
        print("error: --n must be at least 1", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    bar = tqdm(total=args.n, desc=f"synth {args.split}", unit="rec", file=sys.stderr, disable=args.quiet)
    try:
        write_split(args.out, args.n, args.seed, args.split, progress=lambda i: bar.update(1))
        bar.close()
        if args.check_against:
            check_disjoint([args.out, *args.check_against])
    except EvalError as exc:
        bar.close()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.n} dialogues to {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

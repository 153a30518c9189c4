"""Benchmark a MIRAS checkpoint: load time, seconds per turn, mask IoU on format-2 dialogues, peak memory.

    python benchmarks/bench_miras.py --checkpoint runs/miras-small-cpu2/run/checkpoint --data runs/synth_train --n 5

Prints one JSON object. IoU is per mask turn against the reference PNG (0 when the model produced no mask).
For the full side-by-side evaluation use `python -m evals.run --system miras --checkpoint DIR --data DIR`.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True, help="format-2 dialogues folder")
    p.add_argument("--n", type=int, default=5, help="dialogues to run")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-new-tokens", type=int, default=None)
    args = p.parse_args(argv)

    import torch

    from miras.data.samples import read_dialogues
    from miras.system import MirasSystem
    from tools.masks import iou

    torch.set_num_threads(args.threads)
    t = time.perf_counter()
    system = MirasSystem(checkpoint=args.checkpoint, max_new_tokens=args.max_new_tokens)
    load_s = time.perf_counter() - t
    turn_s, ious, named = [], [], 0
    samples = read_dialogues(args.data)[: args.n]
    for s in samples:
        conv = system.start(str(s.image))
        for (human, _, mask), target in zip(s.turns, s.targets):
            r = conv.ask(human)
            turn_s.append(r.timings["total"])
            if mask is not None:
                ref = mask.load()
                ious.append(iou(r.mask, ref) if r.mask is not None else 0.0)
                named += int(r.target is not None)
    out = {
        "checkpoint": str(args.checkpoint), "dialogues": len(samples), "turns": len(turn_s),
        "load_seconds": round(load_s, 2),
        "seconds_per_turn_median": round(statistics.median(turn_s), 3) if turn_s else None,
        "mask_turns": len(ious), "mean_iou": round(sum(ious) / len(ious), 4) if ious else None,
        "target_named_rate": round(named / len(ious), 3) if ious else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

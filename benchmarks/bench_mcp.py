"""An MCP turn's overhead over `Session.ask` on the same turn (prints figures; not a test).

    python benchmarks/bench_mcp.py [--image PHOTO] [--first "segment the man on the left"] [--turns T1 T2 ...]

Embedded stack on a coco_tiny photo. Two passes over the same conversation, one after the other (never at once):
  session  agent.session.Session in this process: the first turn warms the models and the image, then each
           follow-up turn's `Session.ask` is timed once;
  mcp      `python -m agent.mcp` spawned over stdio and called with the SDK's ClientSession: the same first
           turn (untimed), then each follow-up's `call_tool("segment_chat")` timed once on the client (the
           server's own turn time from the record alongside).
The overhead is what MCP adds: rendering and PNG-encoding the overlay, base64, the JSON-RPC round trip over the
pipes, pydantic validation of the result against its outputSchema, and the worker-thread hop.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]
PHOTO = REPO.parent / "shared" / "data" / "coco_tiny" / "val2017" / "000000491008.jpg"
FIRST = "segment the man on the left"
TURNS = ["no, the other one", "what colour is it?", "the man on the left", "how many people are there?"]


def session_pass(image: str, first: str, turns: list[str], db: str) -> list[float]:
    import torch

    torch.set_num_threads(2)
    from agent.chat import build_backends, build_parser
    from agent.session import Session

    segmenter, grounders = build_backends(build_parser().parse_args([]))
    with Session(image, segmenter=segmenter, grounders=grounders, db_path=db) as s:
        s.ask(first)
        times = []
        for text in turns:
            t = time.perf_counter()
            s.ask(text)
            times.append(time.perf_counter() - t)
    return times


def mcp_pass(image: str, first: str, turns: list[str], db: str) -> list[tuple[float, float]]:
    import anyio
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = {k: v for k, v in os.environ.items() if k.startswith("PIXELRIST_")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "agent.mcp", "--db", db], cwd=str(REPO),
                                   env=env)

    async def main() -> list[tuple[float, float]]:
        async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
            await session.initialize()
            await session.list_tools()  # the client caches output schemas here, as a host does at start
            res = await session.call_tool("segment_chat", {"image_path": image, "request": first})
            if res.is_error:
                raise SystemExit(res.content[0].text)
            cid = res.structured_content["conversation_id"]
            out = []
            for text in turns:
                t = time.perf_counter()
                res = await session.call_tool("segment_chat", {"image_path": image, "request": text,
                                                               "conversation_id": cid})
                out.append((time.perf_counter() - t, res.structured_content["seconds"]))
            return out

    return anyio.run(main)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", default=str(PHOTO), help="photo to talk about (default: coco_tiny 000000491008.jpg)")
    p.add_argument("--first", default=FIRST, help="the warm-up turn (not timed)")
    p.add_argument("--turns", nargs="+", default=TURNS, help="follow-up turns, each timed once")
    args = p.parse_args(argv)
    if not Path(args.image).is_file():
        print(f"error: {args.image}: no such file (../shared/data or --image)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as tmp:
        ask = session_pass(args.image, args.first, args.turns, str(Path(tmp) / "session.sqlite"))
        calls = mcp_pass(args.image, args.first, args.turns, str(Path(tmp) / "mcp.sqlite"))
    print(f"{'turn':40s} {'Session.ask ms':>15s} {'MCP call ms':>12s} {'server ms':>10s} {'overhead ms':>12s} {'ratio':>6s}")
    for text, a, (c, server) in zip(args.turns, ask, calls):
        print(f"{text[:40]:40s} {1000 * a:15.1f} {1000 * c:12.1f} {1000 * server:10.1f} {1000 * (c - a):12.1f} "
              f"{c / a:6.2f}")
    total_a, total_c = sum(ask), sum(c for c, _ in calls)
    print(f"{'all follow-ups':40s} {1000 * total_a:15.1f} {1000 * total_c:12.1f} "
          f"{1000 * sum(s for _, s in calls):10.1f} {1000 * (total_c - total_a):12.1f} {total_c / total_a:6.2f}")
    print(f"MCP overhead per follow-up turn: mean {1000 * (total_c - total_a) / len(ask):.1f} ms, "
          f"ratio {total_c / total_a:.2f}x Session.ask")
    return 0


if __name__ == "__main__":
    sys.exit(main())

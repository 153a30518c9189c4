"""The web app's overhead per turn over `Session.ask` (prints figures; not a test).

    python benchmarks/bench_web.py [--image PHOTO] [--turns "the pizza" "the man on the left" ...] [--no-http]

Embedded stack (MobileSAM, NanoDet, OCR, proposals, Haar) on a coco_tiny photo (the drawn desk scene without
../shared/data). Per turn it prints the seconds `Session.ask` took (timed around the method itself) and, at two
levels, the seconds the whole turn took and their difference, the UI overhead:
  handler  the page's event function in-process (agent.web.handlers.Handlers.on_send, consumed to the end):
           the controller, turn reference parsing, overlay, turn strip, downloads, Gradio component values;
  http     a real server on a loopback port called with gradio_client (queue, SSE, Gradio's postprocessing:
           the overlay PNG, the strip thumbnails and download files copied into its cache), the browser's path
           minus the drawing.
The goal is an overhead <= 0.3 s per turn on the project's 2-core CPU; the last line says whether it held.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_S = 0.3
TURNS = ["segment the pizza", "the man on the left", "what colour is it?", "the mask from turn 1",
         "no, the other one", "only his head", "the man on the right", "how many people are there?"]
PHOTO = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco_tiny" / "val2017" / "000000491008.jpg"


class AskClock:
    """Wraps Session.ask to record how long each call took (a "turn N" recall is web-side work: it counts as UI)."""

    def __init__(self):
        from agent import session as session_module

        self.calls: list[float] = []
        self._orig = session_module.Session.ask

        def timed(s, text):
            t = time.perf_counter()
            try:
                return self._orig(s, text)
            finally:
                self.calls.append(time.perf_counter() - t)

        session_module.Session.ask = timed

    def take(self) -> float:
        total, self.calls = sum(self.calls), []
        return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _row(level: str, i: int, text: str, total: float, ask: float) -> float:
    print(f"{level:8s} {i:>4d}  {ask:9.3f}  {total:9.3f}  {total - ask:9.3f}  {text}")
    return total - ask


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", help="photo to talk about (default: coco_tiny 000000491008.jpg)")
    p.add_argument("--turns", nargs="+", default=TURNS)
    p.add_argument("--no-http", action="store_true", help="in-process handler only")
    args = p.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import torch

    torch.set_num_threads(2)
    from agent.web.cli import build_parser, launch, make_app
    from agent.web.handlers import Handlers

    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    image = args.image or (str(PHOTO) if PHOTO.exists() else None)
    if image is None:
        from PIL import Image

        from agent.demo import render_desk

        image = str(work / "desk.png")
        Image.fromarray(render_desk()).save(image)
        args.turns = ["the sign that says EXIT", "what is under it?", "the red mug on the left", "only its handle",
                      "what colour is the mug?", "the mask from turn 1"]
    web_args = build_parser().parse_args(["--port", str(_free_port()), "--db", str(work / "c.sqlite"),
                                          "--work-dir", str(work / "web")])
    app, chat = make_app(web_args)
    clock = AskClock()
    handlers = Handlers(chat)
    t = time.perf_counter()
    *_, opened = handlers.on_upload(image, None)
    key = opened[0]
    print(f"image {image}: models + upload + encoding {time.perf_counter() - t:.1f} s ({opened[1]})")
    print(f"{'level':8s} {'turn':>4s}  {'ask s':>9s}  {'turn s':>9s}  {'UI s':>9s}  request")
    overhead: dict[str, list[float]] = {"handler": [], "http": []}
    for i, text in enumerate(args.turns, 1):
        clock.take()
        t = time.perf_counter()
        *_, final = handlers.on_send(text, key)
        total = time.perf_counter() - t
        if str(final[1]).startswith("error"):
            print(f"  turn {i} failed: {final[1]}")
        overhead["handler"].append(_row("handler", i, text, total, clock.take()))
    if not args.no_http:
        from gradio_client import Client, handle_file

        _, url = launch(app, chat, web_args, block=False)
        client = Client(url, verbose=False, download_files=False)  # a browser fetches images itself
        client.predict(handle_file(image), api_name="/open_upload")
        for i, text in enumerate(args.turns, 1):
            clock.take()
            t = time.perf_counter()
            client.predict(text, api_name="/send")
            total = time.perf_counter() - t
            overhead["http"].append(_row("http", i, text, total, clock.take()))
        app.close()
    chat.close()
    ok = True
    for level, values in overhead.items():
        if values:
            worst = max(values)
            ok &= worst <= GOAL_S
            print(f"{level}: UI overhead per turn mean {statistics.mean(values):.3f} s, median "
                  f"{statistics.median(values):.3f} s, max {worst:.3f} s over {len(values)} turns")
    print(f"goal <= {GOAL_S} s per turn: {'held' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

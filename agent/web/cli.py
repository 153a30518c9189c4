"""`python -m agent.web [IMAGE] [--host 127.0.0.1] [--port 7860] [agent.chat's planner / segmenter / grounder /
--db flags]`: serve the chat page, on loopback unless --host says otherwise.

    python -m agent.web                       # http://127.0.0.1:7860: upload an image or pick a demo one
    python -m agent.web photo.jpg --port 8080 --grounder detector --grounder ocr
    python -m agent.web --planner openai --planner-url http://127.0.0.1:8000/v1 --planner-model Qwen2.5-VL-7B-Instruct

Models load in the background while the page is already up (it shows their progress). Uploads are limited to
--max-upload-mb (default 20) and 40 MP. Expected failures before the server starts (a missing IMAGE, gradio not
installed) print one line `error: ...` and exit with status 2.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

SHARED_FLAGS = ("planner", "planner_url", "planner_model", "planner_path", "segmenter", "segmenter_path",
                "segmenter_runtime", "grounder", "grounder_path", "db")


def build_parser() -> argparse.ArgumentParser:
    from agent.chat import build_parser as chat_parser

    p = argparse.ArgumentParser(prog="python -m agent.web", description="Multi-turn pixel-grounded chat in the browser.")
    p.add_argument("image", nargs="?", help="an image every new browser tab starts with (optional)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--max-upload-mb", type=float, default=20.0, help="upload size limit in MB (default 20)")
    p.add_argument("--work-dir", help="thumbnails and downloads (default: a fresh temporary folder)")
    for action in chat_parser()._actions:  # agent.chat's own flags, so both commands take the same ones
        if action.dest in SHARED_FLAGS:
            p._add_action(action)
    return p


def make_app(args: argparse.Namespace, loader=None):
    """(gr.Blocks, WebChat) for parsed arguments; the models start loading in the background."""
    from agent.web import uploads
    from agent.web.controller import WebChat
    from agent.web.layout import build_app
    from agent.web.loader import ModelLoader

    uploads.MAX_UPLOAD_BYTES = int(args.max_upload_mb * 1024 * 1024)
    loader = (loader or ModelLoader(args)).start()
    work = args.work_dir or tempfile.mkdtemp(prefix="pixelrist-web-")
    chat = WebChat(loader, db_path=args.db, work_dir=work)
    return build_app(chat, args.image), chat


def launch(app, chat, args: argparse.Namespace, block: bool = True):
    """Serve `app` on args.host:args.port; returns (app, local url) when block is False."""
    from agent.web import uploads
    from agent.web.layout import CSS

    _, url, _ = app.launch(server_name=args.host, server_port=args.port, ssr_mode=False, share=False,
                           max_file_size=uploads.MAX_UPLOAD_BYTES, allowed_paths=[str(chat.work)],
                           prevent_thread_lock=not block, quiet=not block, footer_links=[], show_error=False,
                           css=CSS)
    return app, url


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if args.image is not None and not Path(args.image).is_file():
        print(f"error: {args.image}: no such file", file=sys.stderr)
        return 2
    try:
        import gradio  # noqa: F401
    except ImportError:
        print("error: the web app needs gradio: pip install -e '.[web]'", file=sys.stderr)
        return 2
    app, chat = make_app(args)
    print(f"pixelrist web app on http://{args.host}:{args.port} (models loading in the background)", file=sys.stderr)
    try:
        launch(app, chat, args, block=True)
    except KeyboardInterrupt:
        pass
    finally:
        chat.close()
    return 0

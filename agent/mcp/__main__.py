"""`python -m agent.mcp [--http [--host 127.0.0.1] [--port 8765]] [--allow-dir DIR ...] [agent.chat's planner /
segmenter / grounder / --db flags]`: serve the agent over MCP (stdio unless --http).

    python -m agent.mcp                                    # stdio: an agent host spawns it and talks over the pipes
    python -m agent.mcp --http --port 8765                 # streamable HTTP at http://127.0.0.1:8765/mcp
    python -m agent.mcp --allow-dir ~/photos --db runs/mcp.sqlite

Models start loading in the background when the server starts (--no-preload: on the first call); the first
segment_chat waits for them and reports progress. Expected failures before serving (a missing --allow-dir folder)
print one line `error: ...` and exit with status 2. Logs go to stderr, never to stdout (the stdio wire).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

SHARED_FLAGS = ("planner", "planner_url", "planner_model", "planner_path", "segmenter", "segmenter_path",
                "segmenter_runtime", "grounder", "grounder_path", "db")


def build_parser() -> argparse.ArgumentParser:
    from agent.chat import build_parser as chat_parser

    p = argparse.ArgumentParser(prog="python -m agent.mcp",
                                description="Multi-turn pixel-grounded segmentation as an MCP server (stdio or HTTP).")
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1", help="with --http: address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="with --http: port (default 8765); the endpoint is /mcp")
    p.add_argument("--allow-dir", action="append", default=[], metavar="DIR",
                   help="image paths must resolve (symlinks followed) inside this folder (repeatable; "
                        "default: any readable path)")
    p.add_argument("--no-preload", action="store_true", help="load the models on the first call, not at start")
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    for action in chat_parser()._actions:  # agent.chat's own flags, so the commands take the same ones
        if action.dest in SHARED_FLAGS:
            p._add_action(action)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for folder in args.allow_dir:
        if not Path(folder).expanduser().is_dir():
            print(f"error: --allow-dir {folder}: no such folder", file=sys.stderr)
            return 2
    from agent.mcp.server import build_server
    from agent.mcp.tools import PixelTools

    tools = PixelTools(args, allowed_dirs=args.allow_dir or None, db_path=args.db)
    server = build_server(tools, preload=not args.no_preload, log_level=args.log_level)
    try:
        if args.http:
            print(f"pixelrist MCP server on http://{args.host}:{args.port}/mcp", file=sys.stderr, flush=True)
            server.run("streamable-http", host=args.host, port=args.port)
        else:
            server.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

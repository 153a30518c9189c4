"""Chat with an image from the terminal: `python -m agent.chat IMAGE [options]`.

    python -m agent.chat photo.jpg                                   # interactive (REPL)
    python -m agent.chat photo.jpg --turn "the red mug" --turn "only its handle" --json --out runs/chat
    python -m agent.chat --thread 3f2a...                            # continue a stored conversation
    python -m agent.chat photo.jpg --thread kitchen-1                # start one under that id (or continue it)

REPL commands: /undo, /reset, /save [DIR], /history, /help, /quit (history in ~/.cache/pixelrist/chat_history).
Scripted mode (--turn, repeatable) prints each answer; with --json one JSON line per turn:
{"turn", "text", "target", "rle", "bbox", "score", "timings", "mask_path", "overlay_path", "thread_id",
"planner_fallback"}. --out DIR writes per turn a mask PNG, an overlay PNG and a JSON record
(DIR/<thread>/<thread>_turn_NN*, agent.turn_files). Progress goes to stderr. Expected failures (bad image, missing weights,
planner endpoint down, unknown thread, a thread id that is not a plain name) print one line `error: ...`
to stderr and exit with status 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from agent.errors import expected_errors
from agent.json_types import JSONObject

if TYPE_CHECKING:
    from agent.session import SessionOptions

HISTORY_FILE = Path.home() / ".cache" / "pixelrist" / "chat_history"
HELP = """commands:
  /undo         drop the last turn          /reset       start a new conversation about the same image
  /save [DIR]   write masks, overlays and the conversation JSON to DIR
  /history      list the turns so far       /help        this text          /quit  leave
anything else is a request or a question about the image"""


def build_parser() -> argparse.ArgumentParser:
    from tools.segmenters.runtime import RUNTIME_OPTION, RUNTIMES

    p = argparse.ArgumentParser(prog="python -m agent.chat", description="Multi-turn pixel-grounded chat about an image.")
    p.add_argument("image", nargs="?", help="image file (may be omitted with --thread)")
    p.add_argument("--turn", action="append", default=[], metavar="TEXT", help="scripted turn (repeatable); no REPL")
    p.add_argument("--thread", help="continue the stored conversation with this id; with IMAGE, start it if it is new "
                                    "(letters, digits, '-', '_', '.')")
    p.add_argument("--out", help="write per-turn mask PNG, overlay PNG and JSON record under this folder")
    p.add_argument("--json", action="store_true", help="print one JSON line per turn")
    p.add_argument("--planner", default="rule", choices=["rule", "openai", "local"])
    p.add_argument("--planner-url", help="OpenAI-compatible base URL (else $PIXELRIST_PLANNER_URL)")
    p.add_argument("--planner-model", help="model name at that endpoint (else $PIXELRIST_PLANNER_MODEL)")
    p.add_argument("--planner-path", help="for --planner local: a model folder, a .gguf file, or an embedded LLM name "
                                             "(qwen2.5-coder-0.5b, qwen2.5-coder-1.5b; `python -m tools.weights fetch NAME`)")
    p.add_argument("--segmenter", default="mobile_sam", choices=["mobile_sam", "sam", "sam2", "sam_pth"])
    p.add_argument("--segmenter-path", help="weights folder/file for sam, sam2, sam_pth (or another mobile_sam .pt)")
    p.add_argument("--" + RUNTIME_OPTION.replace("_", "-"), choices=RUNTIMES, default=None,
                   help="mobile_sam on ONNX Runtime or torch (default auto: ONNX Runtime on CPU, torch on CUDA)")
    p.add_argument("--grounder", action="append", default=[], metavar="NAME",
                   help="grounder (repeatable): detector, ocr, proposals, haar, grounding_dino, owlv2 (default: detector ocr proposals haar)")
    p.add_argument("--grounder-path", help="local model folder for grounding_dino / owlv2")
    p.add_argument("--db", help="conversation database (default ~/.cache/pixelrist/conversations.sqlite)")
    return p


def build_planner_from_args(args: argparse.Namespace, progress: Callable[[str], None]) -> Any:
    """"rule" (a name the Session resolves) or a ready planner object for openai / local."""
    if args.planner == "openai":
        from agent.planners.openai_compatible import OpenAICompatiblePlanner

        planner = OpenAICompatiblePlanner(base_url=args.planner_url, model=args.planner_model)
        planner.check()
        progress(f"planner: {planner.model} at {planner.base_url}")
        return planner
    if args.planner == "local":
        if not args.planner_path:
            from agent.planners import PlannerError

            raise PlannerError("--planner local needs --planner-path (a local model folder or .gguf file)")
        from agent.planners.local_transformers import LocalTransformersPlanner

        return LocalTransformersPlanner(args.planner_path, progress=progress)
    return "rule"


def build_backends(args: argparse.Namespace) -> tuple[Any, tuple]:
    """(segmenter object, grounder objects) from the command line, through the registry (tools.backends)."""
    from tools import backends
    from tools.segmenters.runtime import RUNTIME_OPTION, segmenter_options

    runtime = segmenter_options(args.segmenter, getattr(args, RUNTIME_OPTION, None))
    segmenter = backends.segmenter(args.segmenter, path=args.segmenter_path, **runtime)
    names = args.grounder or list(backends.DEFAULT_GROUNDERS)
    return segmenter, tuple(backends.grounders(names, segmenter, path=args.grounder_path))


def turn_record(result: Any, thread_id: str) -> JSONObject:
    """The JSON line printed for one turn."""
    extra = result.extra or {}
    return {"turn": extra.get("turn"), "text": result.text, "target": result.target, "rle": extra.get("rle"),
            "bbox": extra.get("box"), "score": result.score, "timings": result.timings,
            "mask_path": extra.get("mask_path"), "overlay_path": extra.get("overlay_path"), "thread_id": thread_id,
            "planner_fallback": extra.get("planner_fallback")}


def print_turn(result: Any, session: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(turn_record(result, session.thread_id), default=str), flush=True)
        return
    extra = result.extra or {}
    print(f"[{extra.get('turn', '?')}] {result.text}")
    details = []
    if extra.get("box"):
        details.append("box " + ",".join(str(round(v)) for v in extra["box"]))
    if result.score is not None:
        details.append(f"score {result.score:.2f}")
    if extra.get("overlay_path"):
        details.append(f"overlay {extra['overlay_path']}")
    if extra.get("planner_fallback"):
        details.append(f"planner fallback: {extra['planner_fallback']}")
    if details:
        print("    (" + "; ".join(details) + ")")
    sys.stdout.flush()


def save_conversation(session: Any, folder: str | Path) -> Path:
    """Write every turn's files and the conversation JSON under folder/<thread>/ (agent.turn_files)."""
    from agent.turn_files import write_conversation, write_turn_files

    pixels = session.image.pixels if session.image is not None else None
    rows = [{**record, **write_turn_files(folder, session.thread_id, record, session.image_ref, pixels)}
            for record in session.history()]
    return write_conversation(folder, session.thread_id, session.image_ref, rows)


def _setup_readline() -> None:
    try:
        import atexit
        import readline
    except ImportError:
        return
    try:
        HISTORY_FILE.parent.mkdir(parents=True, exist_ok=True)
        if HISTORY_FILE.exists():
            readline.read_history_file(str(HISTORY_FILE))
        readline.set_history_length(1000)
        atexit.register(readline.write_history_file, str(HISTORY_FILE))
    except OSError:
        pass


def repl(session: Any, args: argparse.Namespace, errors: tuple[type[BaseException], ...]) -> int:
    """Read requests from stdin until /quit or end of input."""
    interactive = sys.stdin.isatty()
    if interactive:
        _setup_readline()
        session.prepare()  # the image is encoded (then its regions found) while the first request is typed
        print(f"conversation {session.thread_id}; /help for commands", file=sys.stderr)
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            print(file=sys.stderr)
            break
        text = line.strip()
        if not text:
            continue
        command, _, rest = text.partition(" ")
        if command in ("/quit", "/exit", "/q"):
            break
        if command == "/help":
            print(HELP)
        elif command == "/undo":
            print("undone" if session.undo() else "nothing to undo")
        elif command == "/reset":
            session.reset()
            print(f"new conversation {session.thread_id}")
        elif command == "/history":
            for record in session.history():
                print(f"[{record.get('turn')}] you: {record.get('user')}\n    -> {record.get('answer')}")
        elif command == "/save":
            folder = rest.strip() or args.out or f"pixelrist_{session.thread_id[:8]}"
            print(f"saved {save_conversation(session, folder)}")
        elif command.startswith("/"):
            print(f"unknown command {command}; /help lists them")
        else:
            try:
                print_turn(session.ask(text), session, args.json)
            except errors as exc:
                print(f"error: {_one_line(exc)}", file=sys.stderr)
            if interactive:
                session.prepare()  # what a turn stopped goes on while the next request is typed
        sys.stdout.flush()
    print(f"thread: {session.thread_id} (continue with --thread {session.thread_id})", file=sys.stderr)
    return 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:400]


def _check_thread(args: argparse.Namespace) -> bool:
    """Validate --thread before any model loads; True when it names a conversation not stored yet."""
    from agent.session import SessionError, thread_exists

    if thread_exists(args.thread, args.db):
        return False
    if args.image is None:
        raise SessionError(f"no stored conversation with thread id {args.thread!r} (give an IMAGE to start one)")
    return True


def open_session(args: argparse.Namespace, kw: SessionOptions, new: bool) -> Any:
    """A new Session (under --thread's id when given) or the stored one --thread names."""
    from agent.session import Session

    if not new:
        return Session.resume(args.thread, **({"image": args.image} if args.image is not None else {}), **kw)
    return Session(args.image, thread_id=args.thread, **kw)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    progress = (lambda msg: print(msg, file=sys.stderr, flush=True))
    errors = expected_errors()
    try:
        if args.image is None and not args.thread:
            print("error: give an IMAGE (or --thread ID to continue a stored conversation)", file=sys.stderr)
            return 2
        new = _check_thread(args) if args.thread else True
        planner = build_planner_from_args(args, progress)
        segmenter, grounders = build_backends(args)
        kw = dict(planner=planner, segmenter=segmenter, grounders=grounders, db_path=args.db, out_dir=args.out,
                  progress=progress)
        session = open_session(args, kw, new)
        if not args.turn:
            return repl(session, args, errors)
        for text in args.turn:
            print_turn(session.ask(text), session, args.json)
        progress(f"thread: {session.thread_id}")
        return 0
    except errors as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

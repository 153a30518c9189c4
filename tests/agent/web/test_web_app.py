"""The Gradio side without a browser: the command line (loopback by default), the event functions (progress
lines, then the page; failures as one status line), and the served app called over HTTP with gradio_client."""
from __future__ import annotations

import socket
import time
import urllib.request

import pytest
from web_fakes import loader, require, scene_file

from agent.web.controller import WebChat


@pytest.fixture(autouse=True)
def _gradio():
    require("gradio")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_command_line_defaults_to_loopback_and_takes_agent_chat_flags():
    from agent.web.cli import build_parser

    args = build_parser().parse_args([])
    assert (args.host, args.port, args.max_upload_mb, args.image) == ("127.0.0.1", 7860, 20.0, None)
    args = build_parser().parse_args(["photo.jpg", "--grounder", "detector", "--grounder", "ocr", "--planner", "openai",
                                      "--planner-url", "http://127.0.0.1:8000/v1", "--segmenter", "sam", "--db", "x.db"])
    assert args.grounder == ["detector", "ocr"] and args.planner_url.endswith("/v1") and args.segmenter == "sam"


def test_missing_image_is_one_line(capsys):
    from agent.web.cli import main

    assert main(["/no/such/photo.jpg"]) == 2
    assert capsys.readouterr().err == "error: /no/such/photo.jpg: no such file\n"


def test_handlers_stream_progress_then_the_page(tmp_path, monkeypatch):
    from agent.web import handlers as handlers_module
    from agent.web.handlers import N_OUTPUTS, Handlers

    path, _ = scene_file(tmp_path)
    chat = WebChat(loader(), db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work")
    h = Handlers(chat)
    monkeypatch.setattr(handlers_module, "QUIET", 0.0)
    real = chat._encode

    def slow_encode(session, say):
        real(session, say)
        time.sleep(0.6)

    monkeypatch.setattr(chat, "_encode", slow_encode)
    out = list(h.on_upload(str(path), None))
    assert all(len(o) == N_OUTPUTS for o in out)
    assert any(str(o[1]).startswith("encoding the image... ") for o in out[:-1])
    key = out[-1][0]
    assert out[-1][1].startswith("opened shapes_x1.png")
    final = list(h.on_send("segment the red circle", key))[-1]
    assert final[1].startswith("turn 1 done in") and "I segmented the red circle" in final[4] and final[-1] == ""
    assert final[3][-1]["role"] == "assistant" and final[3][-1]["content"].startswith("[turn 1]")
    failed = list(h.on_send("the blue square", "unknown-key"))[-1]
    assert failed[1] == "error: open an image first: upload one, pick a demo image, or reopen a thread id"
    bad = list(h.on_resume("../../etc", key))[-1]
    assert bad[1].startswith("error: thread id '../../etc' is not a plain name") and bad[0] == key
    chat.close()


def test_the_status_line_follows_the_model_load(tmp_path):
    import threading

    from agent.web.handlers import Handlers
    from agent.web.loader import ModelLoader
    from web_fakes import backends

    gate = threading.Event()

    def load(say):
        say("loading the segmenter and grounders")
        gate.wait(10)
        return backends()

    chat = WebChat(ModelLoader(load=load).start(), db_path=tmp_path / "c.sqlite", work_dir=tmp_path / "work")
    h = Handlers(chat)
    status, timer = h.on_tick()
    assert status.startswith("loading the segmenter and grounders... ") and timer.active
    first = list(h.on_load(None))[-1]
    assert first[1].endswith("— upload or drop an image, or pick a demo image")
    gate.set()
    chat.loader.ready()
    status, timer = h.on_tick()
    assert status.startswith("models ready (loaded in ") and timer.active is False
    chat.close()


def test_served_app_over_http(tmp_path):
    require("gradio_client", "gradio")
    from gradio_client import Client, handle_file

    from agent.web.cli import build_parser, launch, make_app

    path, _ = scene_file(tmp_path)
    args = build_parser().parse_args(["--port", str(_free_port()), "--db", str(tmp_path / "c.sqlite"),
                                      "--work-dir", str(tmp_path / "work"), "--max-upload-mb", "2"])
    app, chat = make_app(args, loader=loader())
    _, url = launch(app, chat, args, block=False)
    try:
        assert url.startswith("http://127.0.0.1:") and app.max_file_size == 2 * 1024 * 1024
        assert urllib.request.urlopen(url, timeout=10).status == 200
        client = Client(url, verbose=False, download_files=False)
        opened = client.predict(handle_file(str(path)), api_name="/open_upload")
        assert opened[0].startswith("opened shapes_x1.png")
        answer = client.predict("segment the red circle", api_name="/send")
        assert answer[0].startswith("turn 1 done") and "I segmented the red circle" in answer[3]
        undone = client.predict(api_name="/undo")
        assert undone[0] == "undid the last turn"
        bad = client.predict("../x", api_name="/resume")
        assert bad[0].startswith("error: thread id '../x' is not a plain name") and "Traceback" not in str(bad)
    finally:
        app.close()
        chat.close()

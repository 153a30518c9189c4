"""OpenAICompatiblePlanner against (1) a scripted loopback HTTP server, (2) a dead port and
(3) a real `transformers serve` running SmolLM2-135M-Instruct (slow)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from agent.intent import INTENT_KINDS, Intent
from agent.planners.base import PlannerContext, PlannerError
from agent.planners.openai_compatible import OpenAICompatiblePlanner, guess_vision, normalize_base_url

CTX = PlannerContext(dialogue=[{"role": "user", "content": "segment the red car on the left"}])
GOOD = '{"kind": "new_target", "target": "the red car", "wants_mask": true, "colors": ["red"], "position": "left"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def completion(content: str) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "fake",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}


class FakeServer:
    """Loopback OpenAI-style server answering chat requests from a script of (status, body|str, delay)."""

    def __init__(self, script):
        self.script, self.requests = list(script), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, str) else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model", "created": 0,
                                                             "owned_by": "test"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                status, reply, delay = outer.script.pop(0) if len(outer.script) > 1 else outer.script[0]
                time.sleep(delay)
                self._send(status, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    servers = []

    def make(*script):
        server = FakeServer(script)
        servers.append(server)
        return server

    yield make
    for s in servers:
        s.close()


def test_url_normalisation_and_vision_guess():
    assert normalize_base_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/v1"
    assert normalize_base_url("http://h:1/api/v1/") == "http://h:1/api/v1"
    with pytest.raises(PlannerError):
        normalize_base_url("localhost:8000")
    assert guess_vision("Qwen/Qwen2.5-VL-3B-Instruct") and not guess_vision("SmolLM2-135M-Instruct")


def test_settings_from_environment(fake, monkeypatch):
    server = fake((200, completion(GOOD), 0))
    monkeypatch.setenv("PIXELRIST_PLANNER_URL", server.url)
    monkeypatch.setenv("PIXELRIST_PLANNER_MODEL", "env-model")
    planner = OpenAICompatiblePlanner()
    assert planner.interpret(CTX).colors == ["red"]
    assert server.requests[0]["model"] == "env-model"
    monkeypatch.delenv("PIXELRIST_PLANNER_URL")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(PlannerError, match="PIXELRIST_PLANNER_URL"):
        OpenAICompatiblePlanner()


def test_valid_reply_and_model_from_listing(fake):
    server = fake((200, completion("Here you go:\n```json\n" + GOOD + "\n```"), 0))
    planner = OpenAICompatiblePlanner(base_url=server.url.removesuffix("/v1"))
    assert planner.model == "fake-model"
    intent = planner.interpret(CTX)
    assert (intent.kind, intent.target, intent.position) == ("new_target", "the red car", "left")
    request = server.requests[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["stop"] == ["}"] and request["messages"][-1]["content"].endswith("segment the red car on the left")


def test_malformed_then_valid_feeds_the_error_back(fake):
    server = fake((200, completion('{"kind": "teleport", "target": "car"}'), 0), (200, completion(GOOD), 0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m", max_retries=2)
    intent = planner.interpret(CTX)
    assert intent.target == "the red car" and planner.last_trace["attempts"] == 2
    feedback = server.requests[1]["messages"][-1]["content"]
    assert "unknown intent kind 'teleport'" in feedback
    assert server.requests[1]["messages"][-2] == {"role": "assistant", "content": '{"kind": "teleport", "target": "car"}'}


@pytest.mark.parametrize("reply", [completion("I like turtles."), completion(""), "<html>oops</html>"])
def test_junk_after_retries_is_a_one_line_planner_error(fake, reply):
    server = fake((200, reply, 0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m", max_retries=2)
    with pytest.raises(PlannerError) as info:
        planner.interpret(CTX)
    message = str(info.value)
    assert server.url in message and "\n" not in message
    if isinstance(reply, dict):
        assert len(server.requests) == 3 and "after 3 attempt(s)" in message


def test_response_format_fallback_chain(fake):
    rejected = {"error": {"message": "response_format is not supported", "type": "invalid_request_error"}}
    server = fake((400, rejected, 0), (400, rejected, 0), (200, completion(GOOD), 0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m")
    assert planner.interpret(CTX).target == "the red car"
    sent = [r.get("response_format", {}).get("type") for r in server.requests]
    assert sent == ["json_schema", "json_object", None] and planner.format_mode == "prompt"


def test_http_error_names_the_status(fake):
    server = fake((500, {"error": {"message": "boom"}}, 0))
    with pytest.raises(PlannerError, match="HTTP 500"):
        OpenAICompatiblePlanner(base_url=server.url, model="m").interpret(CTX)


def test_timeout_is_a_planner_error(fake):
    server = fake((200, completion(GOOD), 3.0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m", timeout=0.5)
    t0 = time.perf_counter()
    with pytest.raises(PlannerError, match="timed out"):
        planner.interpret(CTX)
    assert time.perf_counter() - t0 < 2.5


def test_nothing_listening_fails_fast_with_the_url():
    url = f"http://127.0.0.1:{free_port()}/v1"
    t0 = time.perf_counter()
    with pytest.raises(PlannerError) as info:
        OpenAICompatiblePlanner(base_url=url, model="m").interpret(CTX)
    assert time.perf_counter() - t0 < 5 and url in str(info.value) and "unreachable" in str(info.value)
    with pytest.raises(PlannerError, match="unreachable"):
        OpenAICompatiblePlanner(base_url=url)  # model listing fails too


def test_vision_sends_the_image_as_a_data_url(fake, tmp_path):
    path = tmp_path / "img.png"
    Image.fromarray(np.full((40, 60, 3), 200, np.uint8)).save(path)
    server = fake((200, completion(GOOD), 0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m", vision=True)
    planner.interpret(PlannerContext(dialogue=CTX.dialogue, image_path=str(path)))
    content = server.requests[0]["messages"][-1]["content"]
    assert content[0]["type"] == "text" and content[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_select_validates_ids_and_answer_returns_text(fake):
    candidates = [{"id": "r1", "label": "car", "box": [0, 0, 9, 9]}, {"id": "r2", "label": "car", "box": [20, 0, 29, 9]}]
    server = fake((200, completion('{"ids": ["r7"]}'), 0), (200, completion('{"ids": ["r2"]}'), 0),
                  (200, completion("The car on the right is blue."), 0))
    planner = OpenAICompatiblePlanner(base_url=server.url, model="m")
    assert planner.select(CTX, Intent(target="car"), candidates) == ["r2"]
    assert "unknown candidate ids ['r7']" in server.requests[1]["messages"][-1]["content"]
    assert server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["ids"]["items"]["enum"] == ["r1", "r2"]
    assert planner.answer(CTX, Intent(target="car"), {"colors": ["blue"]}) == "The car on the right is blue."
    assert "response_format" not in server.requests[2] and "stop" not in server.requests[2]


# ------------------------------------------------------------------ real server (transformers serve)
@pytest.fixture(scope="module")
def served_qwen05(tmp_path_factory, qwen05_folder):
    """`transformers serve` with the embedded Qwen2.5-Coder-0.5B folder on a free loopback port; stopped by
    process group id afterwards."""
    folder = qwen05_folder
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    cli = Path(sys.executable).with_name("transformers")
    with open(log, "w") as out:
        proc = subprocess.Popen([str(cli), "serve", str(folder), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"transformers serve did not start: {log.read_text()[-800:]}")
                time.sleep(0.5)
        yield url, str(folder)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.mark.slow
def test_real_qwen_server_plans_the_request(served_qwen05):
    """The embedded 0.5B model behind a real OpenAI-compatible server: the planner discovers the model, sends the
    few-shot prompt, and gets a validated Intent that reads the request right."""
    url, folder = served_qwen05
    planner = OpenAICompatiblePlanner(base_url=url, timeout=300, max_retries=1, max_tokens=80)
    assert planner.model == folder  # discovered from /v1/models
    t0 = time.perf_counter()
    intent = planner.interpret(CTX)
    seconds = time.perf_counter() - t0
    print(f"\nQwen2.5-Coder-0.5B via transformers serve: {seconds:.1f} s, raw {planner.last_trace['raw']}")
    assert intent.kind == "new_target" and "car" in intent.target
    assert intent.colors == ["red"] or "red" in intent.target
    closing = PlannerContext(dialogue=[
        {"role": "user", "content": "What is written on the blue mug by the window?"},
        {"role": "assistant", "content": "The blue mug reads 'Best Dad'."},
        {"role": "user", "content": "Please use the conversation above to outline a segmentation that aligns "
                                    "with the answers provided."}])
    intent = planner.interpret(closing)
    assert intent.kind == "segment_from_dialogue" and "mug" in intent.target


def test_busy_server_is_retried_with_backoff(fake, monkeypatch):
    import agent.planners.request_pool as pool
    waits = []
    monkeypatch.setattr(pool, "_sleep", waits.append)
    busy = {"error": {"message": "slow down"}}
    server = fake((429, busy, 0), (503, busy, 0), (200, completion(GOOD), 0))
    assert OpenAICompatiblePlanner(base_url=server.url, model="m").interpret(CTX).colors == ["red"]
    assert len(server.requests) == 3 and len(waits) == 2 and 0 < waits[0] < waits[1] <= 20


def test_busy_server_gives_up_after_its_retries(fake, monkeypatch):
    import agent.planners.request_pool as pool
    monkeypatch.setattr(pool, "_sleep", lambda s: None)
    server = fake((429, {"error": {"message": "slow down"}}, 0))
    with pytest.raises(PlannerError, match="HTTP 429"):
        OpenAICompatiblePlanner(base_url=server.url, model="m", busy_retries=2).interpret(CTX)
    assert len(server.requests) == 3


def test_requests_in_flight_are_bounded(monkeypatch):
    import agent.planners.request_pool as pool
    monkeypatch.setenv(pool.CONCURRENCY_ENV, "2")
    monkeypatch.setattr(pool, "_POOL", None)
    inside, peak, lock = [0], [0], threading.Lock()

    def request():
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        time.sleep(0.05)
        with lock:
            inside[0] -= 1
        return 1

    threads = [threading.Thread(target=pool.send, args=(request, lambda e: (None, None))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2
    monkeypatch.setattr(pool, "_POOL", None)

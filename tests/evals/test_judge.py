"""LLM judge against a loopback OpenAI-compatible server: parsing, caching, endpoint down."""
import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from evals.errors import JudgeError
from evals.judge import Judge, VerdictParseError, judge_rows, parse_verdict

REPO = Path(__file__).resolve().parents[2]
GOOD = {"progressive_reasoning": 4, "logical_coherence": "5", "content_consistency": 3.0, "target_relevance": 2,
        "versus_reference": "Tie", "rationale": "fine"}


class _Server:
    def __init__(self, replies):
        self.replies, self.requests = list(replies), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, body))
                content = outer.replies.pop(0) if len(outer.replies) > 1 else outer.replies[0]
                data = json.dumps({"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                                   "choices": [{"index": 0, "finish_reason": "stop",
                                                "message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server(["Sure! Here it is:\n```json\n" + json.dumps(GOOD) + "\n```"])
    yield s
    s.close()


ROWS = [{"kind": "turn", "record": "a", "turn": 0, "human": "what is it?", "reference": "a mug", "answer": "a cup",
         "focus": "the mug", "closing": False},
        {"kind": "turn", "record": "a", "turn": 1, "human": "segment it", "reference": "[SEG]", "answer": "here",
         "target": "the cup", "closing": True, "focus": "the mug"}]


def test_parse_verdict_robust():
    assert parse_verdict("noise {\"a\": 1} then " + json.dumps(GOOD))["logical_coherence"] == 5
    with pytest.raises(VerdictParseError):
        parse_verdict("__import__('os').system('echo hi')")
    with pytest.raises(VerdictParseError):
        parse_verdict(json.dumps(dict(GOOD, target_relevance=9)))
    with pytest.raises(VerdictParseError):
        parse_verdict(json.dumps(dict(GOOD, versus_reference="maybe")))


def test_judge_scores_and_caches(server, tmp_path):
    judge = Judge(server.url, model="canned", cache_dir=tmp_path / "cache")
    result = judge_rows(ROWS, judge)
    verdict = result["verdicts"]["a"]
    assert verdict["logical_coherence"] == 5 and verdict["content_consistency"] == 3
    assert verdict["versus_reference"] == "tie"
    assert result["summary"]["tie_rate"] == 1.0 and result["summary"]["progressive_reasoning"] == 4
    path, body = server.requests[0]
    assert path == "/v1/chat/completions" and body["model"] == "canned"
    assert "progressive_reasoning" in body["messages"][0]["content"]       # the rubric is the system prompt
    assert "CANDIDATE: a cup" in body["messages"][1]["content"] and "the cup" in body["messages"][1]["content"]
    again = Judge(server.url, model="canned", cache_dir=tmp_path / "cache")
    assert judge_rows(ROWS, again)["verdicts"]["a"] == verdict
    assert len(server.requests) == 1 and again.requests == 0               # second run: no request
    changed = [dict(ROWS[0], answer="a different answer"), ROWS[1]]
    judge_rows(changed, again)
    assert len(server.requests) == 2                                       # different answers: new key


def test_junk_then_retry(tmp_path):
    s = _Server(["I think it is good", json.dumps(GOOD)])
    try:
        judge = Judge(s.url, model="m", cache_dir=None)
        assert judge_rows(ROWS, judge)["verdicts"]["a"]["target_relevance"] == 2
        assert len(s.requests) == 2
    finally:
        s.close()


def test_endpoint_down(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    judge = Judge(f"http://127.0.0.1:{port}", model="m", cache_dir=tmp_path / "c", timeout=5)
    with pytest.raises(JudgeError, match="unreachable"):
        judge_rows(ROWS, judge)


def test_cli_judge_down_still_writes_report(tmp_path, records_dir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "evals.run", "--system", "center-blob", "--data", str(records_dir),
                           "--out", str(out), "--no-meteor", "--quiet", "--judge", f"http://127.0.0.1:{port}/v1",
                           "--judge-model", "m"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "judge: judge endpoint" in done.stderr
    report = json.loads((out / "report.json").read_text())
    assert any("LLM judge unavailable" in n for n in report["notes"]) and "judge" not in report

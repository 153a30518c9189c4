"""The graph served the way langgraph.json promises: `langgraph dev` on a free loopback port, a thread created
over HTTP, two turns on a coco_tiny photo with the embedded stack, a mask (COCO RLE) for each. The server runs in
a temporary folder (it writes .langgraph_api/ there) and is stopped by its process id, pass or fail."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import under_ci
from tools.masks import decode_rle

ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).with_name("langgraph")
PHOTO = "000000329219.jpg"  # a dog and a person in a living room


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _absolute_config(folder: Path) -> Path:
    """The repository's langgraph.json with its paths made absolute (the server resolves them from its cwd)."""
    config = json.loads((ROOT / "langgraph.json").read_text())
    config["dependencies"] = [str((ROOT / d).resolve()) for d in config["dependencies"]]
    config["graphs"] = {name: str((ROOT / spec.split(":")[0]).resolve()) + ":" + spec.split(":")[1]
                        for name, spec in config["graphs"].items()}
    path = folder / "langgraph.json"
    path.write_text(json.dumps(config))
    return path


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (it was started in its own session), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    """Base URL of a running `langgraph dev` (stopped afterwards, whatever happened)."""
    if not LANGGRAPH.is_file():
        message = f"langgraph CLI not installed at {LANGGRAPH} (pip install -e '.[dev]')"
        if under_ci():
            pytest.fail(message)
        pytest.skip(message)
    import httpx

    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(LANGGRAPH), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
                                 "--port", str(port), "--config", str(_absolute_config(tmp_path))],
                                cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "LANGSMITH_TRACING": "false"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"langgraph dev exited with {proc.returncode}: {log.read_text()[-1500:]}")
            try:
                if httpx.get(f"{base}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"langgraph dev did not answer on {base}: {log.read_text()[-1500:]}")
            time.sleep(0.5)
        yield base
    finally:
        _stop(proc)
    assert "BlockingError" not in log.read_text()


@pytest.mark.slow
def test_two_turns_over_http_each_get_a_mask(server, coco_tiny):
    import httpx

    photo = coco_tiny / "val2017" / PHOTO
    with httpx.Client(base_url=server, timeout=300) as client:
        thread_id = client.post("/threads", json={}).json()["thread_id"]
        masks = []
        for turn, payload in enumerate([
            {"image": {"path": str(photo)}, "messages": [{"role": "user", "content": "segment the dog"}]},
            {"messages": [{"role": "user", "content": "now the person"}]},  # the image stays in the thread
        ], start=1):
            reply = client.post(f"/threads/{thread_id}/runs/wait",
                                json={"assistant_id": "pixelrist_agent", "input": payload})
            assert reply.status_code == 200, reply.text[:500]
            state = reply.json()
            assert "__error__" not in state, state
            record = state["results"][-1]
            assert record["turn"] == turn and record["rle"], record["answer"]
            masks.append(decode_rle(record["rle"]))
        assert state["image"]["sha256"] and (state["image"]["width"], state["image"]["height"]) == (640, 427)
        assert [r["target"] for r in state["results"]] == ["the dog", "the person"]
        assert len(state["messages"]) == 4 and len(state["memory"]["history"]) == 2
        assert masks[0].shape == masks[1].shape == (427, 640) and masks[0].sum() and masks[1].sum()
        assert (masks[0] & masks[1]).sum() < 0.5 * masks[0].sum()  # two different objects
        stored = client.get(f"/threads/{thread_id}/state").json()["values"]
        assert stored["turn"] == 2 and stored["results"][0]["rle"] == state["results"][0]["rle"]

        # A client that sends a complete reference hashed from the file's bytes still gets a mask.
        import hashlib
        file_hash = hashlib.sha256(photo.read_bytes()).hexdigest()
        other = client.post("/threads", json={}).json()["thread_id"]
        reply = client.post(f"/threads/{other}/runs/wait", json={"assistant_id": "pixelrist_agent", "input": {
            "image": {"path": str(photo), "sha256": file_hash, "width": 640, "height": 427},
            "messages": [{"role": "user", "content": "segment the dog"}]}})
        assert reply.status_code == 200, reply.text[:500]
        recomputed = reply.json()
        assert recomputed["image"]["sha256"] == state["image"]["sha256"] != file_hash
        assert recomputed["results"][-1]["rle"], recomputed["results"][-1]["answer"]

        # Progress reaches a streaming client as "custom" events from the nodes' stream writer.
        streamed = client.post(f"/threads/{other}/runs/stream", json={
            "assistant_id": "pixelrist_agent", "stream_mode": ["custom"],
            "input": {"messages": [{"role": "user", "content": "now the person"}]}})
        assert streamed.status_code == 200, streamed.text[:500]
        events = [line for line in streamed.text.splitlines() if line.startswith("data:") and "progress" in line]
        assert any("intent: new_target" in line for line in events), streamed.text[:800]

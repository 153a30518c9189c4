"""The built wheel works outside the checkout: console scripts, package data, one chat turn, the MCP server.

The wheel is built from a copy of the sources (so the checkout gets no build/ folder) with the project venv's
setuptools (`pip wheel --no-deps --no-build-isolation`), and installed without its dependencies into a fresh
virtualenv made with `--system-site-packages` by the project venv's Python. That flag reaches the base
interpreter's packages, not the project venv's, so a .pth line in the fresh venv adds the project venv's
site-packages after the venv's own (a plain path line: the checkout's editable-install hook there is not run),
and the dependencies come from the existing venv with no downloads while `agent` comes from the wheel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import anyio
import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "tools", "agent", "graphs", "evals", "miras")


def _run(cmd: list[str], cwd: Path, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{cmd[:3]} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_a_turn_and_serves_mcp(coco_tiny, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = REPO / name
        (shutil.copytree(path, src / name, ignore=ignore) if path.is_dir() else shutil.copy2(path, src / name))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
          "-w", str(dist), str(src)], cwd=tmp_path)
    wheel = next(dist.glob("pixelrist-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    for data in ("evals/real_dev/dialogues/20_people.json", "evals/judge_rubric.md", "agent/web/layout.py",
                 "agent/mcp/__main__.py", "agent/mcp/server.py", "agent/mcp/tools.py"):
        assert data in names, data
    for script in ("pixelrist-chat = agent.chat:main", "pixelrist-web = agent.web.cli:main",
                   "pixelrist-mcp = agent.mcp.__main__:main"):
        assert script in entry_points

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], cwd=tmp_path)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    (site / "_pixelrist_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
          str(wheel)], cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    where = _run([str(python), "-c", "import agent, evals.real_dev.spec as s, evals.judge as j; print(agent.__file__); "
                  "print(len(list(s.SPEC_PATH.glob('*.json'))), j.RUBRIC_PATH.is_file())"], cwd=tmp_path, env=env)
    agent_file, data = where.stdout.split("\n")[:2]
    assert Path(agent_file).resolve().is_relative_to(venv.resolve()), agent_file
    assert data == f"{len(list((REPO / 'evals' / 'real_dev' / 'dialogues').glob('*.json')))} True"
    for script in ("pixelrist-web", "pixelrist-mcp"):
        assert "usage:" in _run([str(bin_dir / script), "--help"], cwd=tmp_path, env=env).stdout

    photo = coco_tiny / "val2017" / "000000491008.jpg"
    chat = _run([str(bin_dir / "pixelrist-chat"), str(photo), "--turn", "segment the person on the left", "--json",
                 "--db", str(tmp_path / "c.sqlite")], cwd=tmp_path, env=env)
    turn = json.loads(chat.stdout.strip().splitlines()[-1])
    print("\npixelrist-chat:", turn["text"])
    assert turn["turn"] == 1 and turn["rle"]["size"] == [427, 640] and turn["bbox"][2] < 350

    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(bin_dir / "pixelrist-mcp"), cwd=str(tmp_path),
                                   args=["--no-preload", "--db", str(tmp_path / "c.sqlite")])

    async def list_tools():
        with anyio.fail_after(180):
            async with stdio_client(params) as (r, w), ClientSession(r, w) as session:
                await session.initialize()
                return [t.name for t in (await session.list_tools()).tools]

    tools = anyio.run(list_tools)
    print("pixelrist-mcp tools:", tools)
    assert {"segment_chat", "list_conversation", "undo", "get_mask", "segment_box"} <= set(tools)

"""Thread ids are names, not paths: Session, the chat CLI and the LangChain tool refuse traversal ids and
absolute paths with one line; the tool's allowed_image_dirs keeps image_path inside given folders."""
from __future__ import annotations

import os

import pytest
from agent_scenes import FakeProposals, FakeSegmenter, shapes_scene
from PIL import Image

from agent.chat import main
from agent.langchain_tool import PixelChatTool
from agent.session import Session
from agent.thread_ids import MAX_THREAD_ID_CHARS, ThreadIdError, validate_thread_id

BAD_IDS = ["../../escaped", "..", ".hidden", "/tmp/abs", "a/b", "a\\b", "", "x" * (MAX_THREAD_ID_CHARS + 1),
           "new\nline", "sp ace", "c:drive", "é"]
GOOD_IDS = ["c1", "3f2a9c", "kitchen-1_v2.0", "A" * MAX_THREAD_ID_CHARS, "_x", "-x"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_raise_one_line(bad):
    with pytest.raises(ThreadIdError) as err:
        validate_thread_id(bad)
    assert "\n" not in str(err.value) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("good", GOOD_IDS)
def test_plain_names_pass_unchanged(good):
    assert validate_thread_id(good) == good


def test_non_strings_are_refused():
    for bad in (None, 3, b"c1"):
        with pytest.raises(ThreadIdError):
            validate_thread_id(bad)


@pytest.fixture
def image_file(tmp_path):
    path = tmp_path / "images" / "scene.png"
    path.parent.mkdir()
    Image.fromarray(shapes_scene().pixels).save(path)
    return path


def _kwargs(tmp_path):
    return {"segmenter": FakeSegmenter(), "grounders": [FakeProposals()], "db_path": str(tmp_path / "c.sqlite"),
            "out_dir": str(tmp_path / "deep" / "er" / "out")}


def test_session_refuses_traversal_and_absolute_ids(image_file, tmp_path):
    for bad in ("../../escaped", str(tmp_path / "abs")):
        with pytest.raises(ThreadIdError):
            Session(image_file, thread_id=bad, **_kwargs(tmp_path))
        with pytest.raises(ThreadIdError):
            Session.resume(bad, db_path=tmp_path / "c.sqlite")
    assert not (tmp_path / "deep" / "escaped").exists() and not (tmp_path / "abs").exists()


def test_tool_refuses_a_traversal_conversation_id(image_file, tmp_path):
    tool = PixelChatTool(session_kwargs=_kwargs(tmp_path))
    content, artifact = tool._run(str(image_file), "segment the red circle", "../../escaped")
    assert content.startswith("error: ") and "not a plain name" in content and "\n" not in content
    assert artifact["error"] and not (tmp_path / "deep" / "escaped").exists()
    content, artifact = tool._run(str(image_file), "segment the red circle", "c-1")  # a plain new id works
    assert artifact["conversation_id"] == "c-1" and artifact["masks"]
    assert (tmp_path / "deep" / "er" / "out" / "c-1" / "c-1_turn_01_mask.png").is_file()
    tool.close()


def test_tool_allowed_image_dirs_resolve_paths_and_symlinks(image_file, tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    inside = allowed / "in.png"
    inside.write_bytes(image_file.read_bytes())
    os.symlink(image_file, allowed / "link.png")  # inside the folder by name, outside once resolved
    tool = PixelChatTool(session_kwargs=_kwargs(tmp_path), allowed_image_dirs=[str(allowed)])
    for path in (str(image_file), str(allowed / "link.png"), str(allowed / ".." / "images" / "scene.png")):
        content, artifact = tool._run(path, "segment the red circle")
        assert content.startswith("error: ") and "outside the folders" in content, path
    content, artifact = tool._run(str(inside), "segment the red circle")
    assert artifact["masks"] and artifact["turn"] == 1
    tool.close()


def test_cli_refuses_a_bad_thread_id_before_loading_models(image_file, tmp_path, capsys):
    assert main([str(image_file), "--thread", "../../escaped", "--turn", "x", "--db", str(tmp_path / "c.sqlite"),
                 "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: thread id") and "not a plain name" in err[-1]
    assert not (tmp_path / "escaped").exists()

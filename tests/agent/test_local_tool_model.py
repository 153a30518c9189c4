"""Parsing a chat model's tool calls (agent.local_tool_model): tagged blocks, a bare or fenced call object, junk."""
from agent.local_tool_model import chat_messages, parse_tool_calls
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

NAMES = {"pixel_chat"}


def test_tagged_blocks_become_calls_and_the_rest_stays_content():
    reply = ('Sure.\n<tool_call>\n{"name": "pixel_chat", "arguments": {"image_path": "a.png", "request": "the dog"}}'
             '\n</tool_call>\n<tool_call>\n{"name": "unknown", "arguments": {}}\n</tool_call>')
    content, calls = parse_tool_calls(reply, NAMES)
    assert [c["args"] for c in calls] == [{"image_path": "a.png", "request": "the dog"}]
    assert content.startswith("Sure.") and "unknown" in content  # an unknown tool is not called


def test_a_fenced_call_object_is_one_call_and_nulls_are_dropped():
    reply = '```json\n{"name": "pixel_chat", "arguments": {"image_path": "a.png", "request": "x", "conversation_id": null}}\n```'
    content, calls = parse_tool_calls(reply, NAMES)
    assert content == "" and calls[0]["args"] == {"image_path": "a.png", "request": "x"}
    assert parse_tool_calls("I cannot help with that.", NAMES) == ("I cannot help with that.", [])
    assert parse_tool_calls('{"name": "pixel_chat", "arguments": "not json"}', NAMES)[1] == []


def test_langchain_messages_render_as_chat_template_dicts():
    call = {"name": "pixel_chat", "args": {"request": "x"}, "id": "c1", "type": "tool_call"}
    out = chat_messages([HumanMessage(content="hi"), AIMessage(content="", tool_calls=[call]),
                         ToolMessage(content="done", tool_call_id="c1")])
    assert [m["role"] for m in out] == ["user", "assistant", "tool"]
    assert out[1]["tool_calls"][0]["function"] == {"name": "pixel_chat", "arguments": {"request": "x"}}

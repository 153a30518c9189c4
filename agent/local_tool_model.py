"""A LangGraph model node backed by a local transformers chat model whose chat template can call tools
(Qwen2.5 instruct models: the embedded "qwen2.5-coder-0.5b" included), for tool loops without any server.

    model = LocalToolModel("qwen2.5-coder-0.5b", tools=[PixelChatTool()])
    graph.add_node("model", model)          # state {"messages": [...]} -> {"messages": [AIMessage]}

The conversation (LangChain messages) is rendered with the template's `tools=` argument (OpenAI function
schemas from langchain_core), generated greedily, and every `<tool_call>{"name", "arguments"}</tool_call>`
block of the reply becomes an AIMessage tool call; the text outside the blocks is the message content. A reply
without such blocks that is one {"name", "arguments"} object (small models sometimes fence it as ```json) is
that one call. A block that does not parse, or names an unknown tool, is left in the content (no call is invented).
"""
from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any, Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.json_types import JSONObject
from agent.planners.local_transformers import LocalTransformersPlanner
from agent.planners.reply_json import ReplyFormatError, extract_json

if TYPE_CHECKING:
    from langgraph.graph import MessagesState

TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


def chat_messages(messages: Sequence[BaseMessage]) -> list[JSONObject]:
    """LangChain messages -> chat-template dicts (assistant tool calls as OpenAI function calls)."""
    out: list[JSONObject] = []
    for m in messages:
        if isinstance(m, SystemMessage):
            out.append({"role": "system", "content": str(m.content)})
        elif isinstance(m, HumanMessage):
            out.append({"role": "user", "content": str(m.content)})
        elif isinstance(m, ToolMessage):
            out.append({"role": "tool", "content": str(m.content), "tool_call_id": m.tool_call_id})
        elif isinstance(m, AIMessage):
            calls = [{"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["args"]}}
                     for c in m.tool_calls]
            out.append({"role": "assistant", "content": str(m.content or ""), **({"tool_calls": calls} if calls else {})})
    return out


def _as_call(text: str, tool_names: set[str]) -> JSONObject | None:
    """One {"name", "arguments"} JSON object naming a known tool -> a LangChain ToolCall dict, else None."""
    try:
        record = extract_json(text)
    except ReplyFormatError:
        return None
    name, args = record.get("name"), record.get("arguments", record.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return None
    if name not in tool_names or not isinstance(args, dict):
        return None
    args = {k: v for k, v in args.items() if v is not None}  # "conversation_id": null means "none yet"
    return {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def parse_tool_calls(reply: str, tool_names: set[str]) -> tuple[str, list[JSONObject]]:
    """(content, tool_calls) from a reply with <tool_call> blocks (or one bare call object); calls are LangChain
    ToolCall dicts."""
    calls: list[JSONObject] = []
    kept: list[str] = []
    last = 0
    for match in TOOL_CALL.finditer(reply):
        call = _as_call(match.group(1), tool_names)
        if call is None:
            continue
        kept.append(reply[last:match.start()])
        last = match.end()
        calls.append(call)
    kept.append(reply[last:])
    if not calls and '"name"' in reply:
        call = _as_call(reply, tool_names)
        if call is not None:
            return "", [call]
    return "".join(kept).strip(), calls


class LocalToolModel:
    """Callable model node: {"messages": [...]} -> {"messages": [AIMessage with .tool_calls]}."""

    def __init__(self, path: str, tools: Sequence[Any], max_new_tokens: int = 160, **planner_kw: Any) -> None:
        self.llm = LocalTransformersPlanner(path, max_new_tokens=max_new_tokens, tasks=(), **planner_kw)
        self.tools = [convert_to_openai_tool(t) for t in tools]
        self.tool_names = {t["function"]["name"] for t in self.tools}
        self.last_reply = ""

    def __call__(self, state: MessagesState) -> dict[str, list[AIMessage]]:
        import torch

        llm = self.llm
        inputs = llm.tokenizer.apply_chat_template(chat_messages(state["messages"]), tools=self.tools,
                                                   add_generation_prompt=True, tokenize=True, return_dict=True,
                                                   return_tensors="pt")
        inputs = {k: v.to(llm.device) for k, v in inputs.items()}
        with torch.inference_mode():
            output = llm.model.generate(**inputs, max_new_tokens=llm.max_new_tokens, do_sample=False,
                                        pad_token_id=llm.tokenizer.eos_token_id)
        self.last_reply = llm.tokenizer.decode(output[0, inputs["input_ids"].shape[-1]:], skip_special_tokens=True)
        content, calls = parse_tool_calls(self.last_reply, self.tool_names)
        return {"messages": [AIMessage(content=content, tool_calls=calls)]}

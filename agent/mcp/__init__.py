"""The agent as an MCP server (Model Context Protocol, the official `mcp` SDK 2.x): `python -m agent.mcp`.

    python -m agent.mcp                                   # stdio, for an agent host that spawns it
    python -m agent.mcp --http --port 8765                # streamable HTTP on http://127.0.0.1:8765/mcp
    python -m agent.mcp --allow-dir /data/photos          # image paths must resolve inside these folders

Tools: segment_chat (one turn of a stored conversation: explanation text, overlay PNG, the turn record as
structuredContent with the mask as COCO RLE), list_conversation, undo, get_mask (a turn's mask as a PNG image),
and the single-step vision tools of tools.langchain_tools (segment_box, read_text, find_text, propose_regions).
Resource: pixelrist://conversations/{conversation_id}/turns/{turn}/mask.png.

One idea per module:
  tools.py     the tool functions in plain Python (no MCP): checks, conversations, the models loaded once
  encoding.py  what results are made of: plain JSON values, PNG bytes, mask URIs
  results.py   the structured results' pydantic models (the output schemas clients see)
  server.py    the MCPServer: results as MCP content, progress notifications, one-line tool errors
  __main__.py  the command line (agent.chat's planner / segmenter / grounder / --db flags)
"""

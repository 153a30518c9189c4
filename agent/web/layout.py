"""The page: overlay (click to refine), click mode, undo / reset, the turn strip, the chat, the turn's details,
image sources (upload, demo images, reopen by thread id) and downloads. `build_app(chat, image)` -> gr.Blocks.

Element ids (the browser test finds the page by them): status, overlay, click-mode, undo, reset, strip, chat,
chat-input, send, turn-info, upload, demo, thread-id, open-thread, dl-mask-png, dl-mask-rle, dl-conversation.
"""
from __future__ import annotations

import gradio as gr

from agent.web.controller import WebChat
from agent.web.handlers import Handlers
from agent.web.uploads import IMAGE_SUFFIXES

CSS = """
#status { min-height: 1.6em; font-family: ui-monospace, monospace; font-size: 0.9em; }
#turn-info { font-size: 0.92em; }
#strip .caption-label { font-size: 0.8em; }
"""
TITLE = "pixelrist: talk about an image, get pixel masks"


def build_app(chat: WebChat, image: str | None = None) -> gr.Blocks:
    h = Handlers(chat, image)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        key = gr.State(None)
        gr.Markdown(f"### {TITLE}")
        status = gr.Markdown(chat.loader.status(), elem_id="status")
        with gr.Row():
            with gr.Column(scale=3):
                overlay = gr.Image(label="Mask overlay (click to add a point to the current target)", type="numpy",
                                   interactive=False, format="png", elem_id="overlay", buttons=[], height=520)
                with gr.Row():
                    mode = gr.Radio(["add (+)", "remove (-)"], value="add (+)", label="a click will",
                                    elem_id="click-mode", scale=3)
                    undo = gr.Button("Undo last turn", elem_id="undo", scale=1)
                    reset = gr.Button("New conversation", elem_id="reset", scale=1)
                strip = gr.Gallery(label="Turns (click one to show it)", elem_id="strip", columns=8, rows=1,
                                   height=150, allow_preview=False, object_fit="contain", interactive=False,
                                   fit_columns=False)
            with gr.Column(scale=2):
                chatbox = gr.Chatbot(label="Conversation", elem_id="chat", height=360, feedback_options=None,
                                     buttons=[])
                with gr.Row():
                    text = gr.Textbox(placeholder="e.g. the man on the left / only his head / what colour is it? / "
                                                  "the mask from turn 2", show_label=False, elem_id="chat-input",
                                      scale=5, max_length=10_000)
                    send = gr.Button("Send", variant="primary", elem_id="send", scale=1, min_width=60)
                info = gr.Markdown("", elem_id="turn-info")
                with gr.Accordion("Image and conversation", open=True):
                    upload = gr.File(label="Upload or drop an image", file_types=list(IMAGE_SUFFIXES),
                                     type="filepath", elem_id="upload", height=90)
                    demo = gr.Dropdown(choices=list(chat.demos()), value=None, label="or a demo image",
                                       elem_id="demo")
                    with gr.Row():
                        thread = gr.Textbox(label="thread id", elem_id="thread-id", scale=4)
                        open_thread = gr.Button("Reopen", elem_id="open-thread", scale=1, min_width=60)
                    with gr.Row():
                        dl_png = gr.DownloadButton("Mask PNG", elem_id="dl-mask-png", interactive=False, size="sm")
                        dl_rle = gr.DownloadButton("Mask RLE JSON", elem_id="dl-mask-rle", interactive=False, size="sm")
                        dl_conv = gr.DownloadButton("Conversation JSON", elem_id="dl-conversation", interactive=False,
                                                    size="sm")
        outputs = [key, status, overlay, chatbox, info, strip, dl_png, dl_rle, dl_conv, thread, text]
        timer = gr.Timer(1.0, active=chat.loader.loading)
        timer.tick(h.on_tick, None, [status, timer], show_progress="hidden", queue=False, api_visibility="private")
        app.load(h.on_load, [key], outputs, show_progress="hidden", api_name="load")
        upload.upload(h.on_upload, [upload, key], outputs, show_progress="minimal", api_name="open_upload")
        demo.input(h.on_demo, [demo, key], outputs, show_progress="minimal", api_name="open_demo")
        send.click(h.on_send, [text, key], outputs, show_progress="minimal", api_name="send")
        text.submit(h.on_send, [text, key], outputs, show_progress="minimal", api_visibility="private")
        overlay.select(h.on_click, [key, mode], outputs, show_progress="minimal", api_visibility="private")
        strip.select(h.on_select_turn, [key], outputs, show_progress="hidden", api_visibility="private")
        undo.click(h.on_undo, [key], outputs, show_progress="hidden", api_name="undo")
        reset.click(h.on_reset, [key], outputs, show_progress="hidden", api_name="reset")
        open_thread.click(h.on_resume, [thread, key], outputs, show_progress="minimal", api_name="resume")
        thread.submit(h.on_resume, [thread, key], outputs, show_progress="minimal", api_visibility="private")
    app.queue(default_concurrency_limit=1)
    return app

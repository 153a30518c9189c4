"""Gradio event functions: each runs one WebChat action and turns the resulting Page into component values.

Long actions (opening an image, a turn, a click) are generators: the action runs in a worker thread and the
status line shows the engine's progress ("loading the segmenter and grounders... 12 s", "encoding the image...
3 s") until the final values arrive. Any failure becomes one status line (agent.web.errors.one_line) and the
page is redrawn from the conversation as stored, which the failure left intact.

Output order (layout.py wires the components in this order): key, status, overlay, chat, info, strip,
mask PNG, mask RLE JSON, conversation JSON, thread id, chat input.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterator

import gradio as gr

from agent.web.controller import Page, WebChat
from agent.web.errors import one_line

N_OUTPUTS = 11
TICK = 0.25  # seconds between progress updates
QUIET = 0.75  # no progress line for actions shorter than this (each line is one more message to the page)


def page_values(page: Page, chat_input: Any = "") -> tuple:
    view = page.view
    return (page.key, page.status, None if view is None else view.overlay, page.messages,
            "" if view is None else view.info, gr.Gallery(value=page.strip or None, selected_index=None),
            gr.DownloadButton(value=page.mask_png, interactive=bool(page.mask_png)),
            gr.DownloadButton(value=page.mask_rle, interactive=bool(page.mask_rle)),
            gr.DownloadButton(value=page.conversation, interactive=bool(page.conversation)),
            page.thread_id or "", chat_input)


def status_only(text: str) -> tuple:
    return (gr.skip(), text, *[gr.skip()] * (N_OUTPUTS - 2))


class Handlers:
    def __init__(self, chat: WebChat, image: str | None = None):
        self.chat = chat
        self.image = image  # opened for every new tab when given on the command line

    # ---- helpers -----------------------------------------------------------------------------------
    def _failed(self, key: str | None, exc: BaseException, chat_input: Any = gr.skip()) -> tuple:
        line = one_line(exc)
        try:
            page = self.chat.page(key, line)
        except Exception:  # even the redraw failed: the status line alone
            return status_only(line)
        if page.key is None:
            return status_only(line)
        return page_values(page, chat_input)

    def _stream(self, key: str | None, action: Callable[[Callable[[str], None]], Page],
                chat_input: Any = "") -> Iterator[tuple]:
        """Run action(say) in a worker thread; yield status lines while it runs, then the page."""
        messages: queue.Queue[str] = queue.Queue()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["page"] = action(messages.put)
            except BaseException as exc:  # reported below as one line
                box["error"] = exc

        worker = threading.Thread(target=work, name="pixelrist-web-action", daemon=True)
        t0 = time.monotonic()
        worker.start()
        last, shown = "", ""
        while True:
            worker.join(TICK)
            while not messages.empty():
                last = messages.get_nowait()
            if not worker.is_alive():
                break
            elapsed = time.monotonic() - t0
            line = f"{last or 'working'}... {elapsed:.0f} s"
            if elapsed >= QUIET and line != shown:
                shown = line
                yield status_only(line)
        if "error" in box:
            yield self._failed(key, box["error"], gr.skip() if chat_input == "" else chat_input)
        else:
            yield page_values(box["page"], chat_input)

    def _quick(self, key: str | None, action: Callable[[], Page]) -> tuple:
        try:
            return page_values(action(), gr.skip())
        except Exception as exc:
            return self._failed(key, exc)

    # ---- events ------------------------------------------------------------------------------------
    def on_load(self, key: str | None) -> Iterator[tuple]:
        if key:
            yield self._quick(key, lambda: self.chat.page(key, self.chat.loader.status()))
        elif self.image:
            yield from self._stream(None, lambda say: self.chat.open_image(self.image, None, say))
        else:
            yield status_only(self.chat.loader.status() + " — upload or drop an image, or pick a demo image")

    def on_tick(self) -> tuple:
        loader = self.chat.loader
        if loader.loading:
            return loader.status(), gr.Timer(active=True)
        return loader.status(), gr.Timer(active=False)  # "models ready (...)" or the one-line error, once

    def on_upload(self, path: str | None, key: str | None) -> Iterator[tuple]:
        if not path:
            yield status_only("no file arrived")
            return
        yield from self._stream(key, lambda say: self.chat.open_image(path, key, say))

    def on_demo(self, name: str | None, key: str | None) -> Iterator[tuple]:
        if not name:
            return
        yield from self._stream(key, lambda say: self.chat.open_demo(name, key, say))

    def on_send(self, text: str, key: str | None) -> Iterator[tuple]:
        yield from self._stream(key, lambda say: self.chat.ask(key, text, say), chat_input="")

    def on_click(self, key: str | None, mode: str, evt: gr.SelectData) -> Iterator[tuple]:
        index = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
        if index is None:
            yield status_only("error: the click carried no image position")
            return
        positive = not str(mode or "").lower().startswith("remove")
        x, y = float(index[0]), float(index[1])
        yield from self._stream(key, lambda say: self.chat.click(key, x, y, positive, say))

    def on_select_turn(self, key: str | None, evt: gr.SelectData) -> tuple:
        return self._quick(key, lambda: self.chat.select(key, int(evt.index)))

    def on_undo(self, key: str | None) -> tuple:
        return self._quick(key, lambda: self.chat.undo(key))

    def on_reset(self, key: str | None) -> tuple:
        return self._quick(key, lambda: self.chat.reset(key))

    def on_resume(self, thread_id: str, key: str | None) -> Iterator[tuple]:
        yield from self._stream(key, lambda say: self.chat.resume(thread_id, key, say))

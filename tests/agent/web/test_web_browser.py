"""The web app in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by selenium
against the app served on a free loopback port, with the REAL embedded stack on a coco_tiny photo.

Upload the photo, send two turns (overlay and explanation appear), click a point (the mask changes), undo
(the click turn goes), download the mask (PNG, RLE JSON) and the conversation, with a screenshot of each step under the test's temporary folder (and copied to
$PIXELRIST_WEB_SCREENSHOTS when set: that is how docs/images/web_*.png were made).
Skipped with one line naming what is missing (gradio, selenium, chromium, chromedriver); under CI=true a
missing piece fails instead.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import under_ci

pytestmark = pytest.mark.slow
PHOTO = "000000491008.jpg"  # two people at a table with a pizza
WAIT = 240  # seconds: the first turn loads the models and encodes the photo on a 2-core CPU


def _missing() -> str | None:
    for module, package in (("gradio", "gradio"), ("selenium", "selenium")):
        if importlib.util.find_spec(module) is None:
            return f"python package {package} is not installed (pip install -e '.[web]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium is not installed (apt-get install chromium)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def _require_browser() -> None:
    reason = _missing()
    if reason:
        if under_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def served(tmp_path, coco_tiny):
    _require_browser()
    import torch

    from agent.web.cli import build_parser, launch, make_app

    torch.set_num_threads(2)
    port = _free_port()
    args = build_parser().parse_args(["--port", str(port), "--db", str(tmp_path / "conversations.sqlite"),
                                      "--work-dir", str(tmp_path / "work")])
    app, chat = make_app(args)
    _, url = launch(app, chat, args, block=False)
    assert url.startswith("http://127.0.0.1:")
    yield url, chat, coco_tiny / "val2017" / PHOTO
    app.close()
    chat.close()


@pytest.fixture()
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1500,1150", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


class Steps:
    """Screenshots numbered in order under the test's folder (and $PIXELRIST_WEB_SCREENSHOTS)."""

    def __init__(self, driver, folder: Path):
        self.driver, self.folder, self.n = driver, folder, 0
        self.folder.mkdir(parents=True, exist_ok=True)
        self.copy_to = os.environ.get("PIXELRIST_WEB_SCREENSHOTS")

    def shot(self, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}_{name}.png"
        self.driver.save_screenshot(str(path))
        if self.copy_to:  # a small palette PNG for the README
            from PIL import Image

            Path(self.copy_to).mkdir(parents=True, exist_ok=True)
            with Image.open(path) as img:
                small = img.convert("RGB").resize((1000, round(img.height * 1000 / img.width)), Image.LANCZOS)
                small.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(
                    Path(self.copy_to) / f"web_{path.name}", optimize=True)
        return path


def _text(driver, css: str) -> str:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0].text if found else ""


def _wait(driver, condition, what: str, timeout: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: condition(d))
    except Exception:
        raise AssertionError(f"timed out waiting for {what}; status line: {_text(driver, '#status')!r}") from None


def _overlay_src(driver) -> str:
    from selenium.webdriver.common.by import By

    imgs = driver.find_elements(By.CSS_SELECTOR, "#overlay img")
    return imgs[0].get_attribute("src") or "" if imgs else ""


def _send(driver, text: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, "#chat-input textarea")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, "#send").click()


def _strip_count(driver) -> int:
    from selenium.webdriver.common.by import By

    return len(driver.find_elements(By.CSS_SELECTOR, "#strip img"))


def _history_thread(chat) -> str:
    (conv,) = list(chat._open.values())
    return conv.session.thread_id


def _history(chat) -> list[dict]:
    (conv,) = list(chat._open.values())
    return conv.session.history()


def test_upload_two_turns_click_and_undo_in_chromium(served, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from tools.masks import decode_rle, iou, load_mask_png

    url, chat, photo = served
    steps = Steps(browser, tmp_path / "screenshots")
    t0 = time.perf_counter()
    browser.get(url)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#upload input[type=file]"), "the upload field", 60)
    assert "127.0.0.1" in browser.current_url
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(photo))
    _wait(browser, lambda d: "opened" in _text(d, "#status") and _overlay_src(d), "the uploaded photo")
    assert "Traceback" not in browser.page_source
    steps.shot("uploaded")

    _send(browser, "segment the pizza")
    _wait(browser, lambda d: "Turn 1" in _text(d, "#turn-info"), "the first answer")
    info = _text(browser, "#turn-info")
    assert "I segmented the pizza" in info and "Detector" in info and "pizza (detector" in info and "Timing" in info
    first_src = _overlay_src(browser)
    assert first_src
    steps.shot("turn1_pizza")

    t_send = time.perf_counter()
    _send(browser, "the woman on the left")
    _wait(browser, lambda d: "Turn 2" in _text(d, "#turn-info"), "the second answer", WAIT)
    in_browser = time.perf_counter() - t_send
    assert "I segmented the woman" in _text(browser, "#turn-info")
    engine = float(_text(browser, "#status").split(" done in ")[1].split(" s")[0])
    print(f"turn 2: {in_browser:.2f} s from Send to the answer on the page, {engine:.2f} s of it in the agent")
    assert _overlay_src(browser) != first_src
    _wait(browser, lambda d: _strip_count(d) == 2, "two turns in the strip", 30)
    chat_text = _text(browser, "#chat")
    assert "[turn 1]" in chat_text and "[turn 2]" in chat_text
    steps.shot("turn2_woman_left")
    before = decode_rle(_history(chat)[-1]["rle"])

    # a click on the pizza she holds: a positive point for the current target
    img = browser.find_element(By.CSS_SELECTOR, "#overlay img")
    nat_w, nat_h = browser.execute_script("return [arguments[0].naturalWidth, arguments[0].naturalHeight]", img)
    scale = min(img.size["width"] / nat_w, img.size["height"] / nat_h, 1.0)  # object-fit: contain, centred
    x, y = 350, 318
    dx, dy = (x - nat_w / 2) * scale, (y - nat_h / 2) * scale
    src_before = _overlay_src(browser)
    ActionChains(browser).move_to_element_with_offset(img, round(dx), round(dy)).click().perform()
    # (selenium clicks the element's centre plus the offset; the page maps it back to image pixels)
    _wait(browser, lambda d: "Turn 3" in _text(d, "#turn-info"), "the click turn")
    assert "add click" in _text(browser, "#turn-info")
    _wait(browser, lambda d: _overlay_src(d) != src_before, "the overlay after the click", 30)
    history = _history(chat)
    assert len(history) == 3 and history[-1]["user"].startswith("[click] add (")
    px, py = history[-1]["intent"]["points"][-1]
    assert abs(px - x) <= 3 and abs(py - y) <= 3  # the browser click landed where we aimed
    after = decode_rle(history[-1]["rle"])
    assert iou(before, after) < 0.95 and after[int(py), int(px)]
    steps.shot("click_refined")

    browser.find_element(By.CSS_SELECTOR, "#undo").click()
    _wait(browser, lambda d: "undid the last turn" in _text(d, "#status"), "undo")
    _wait(browser, lambda d: _strip_count(d) == 2 and "Turn 2" in _text(d, "#turn-info"), "the strip after undo", 30)
    assert len(_history(chat)) == 2
    assert np.array_equal(decode_rle(_history(chat)[-1]["rle"]), before)
    steps.shot("undone")
    assert "Traceback" not in browser.page_source

    for button in ("dl-mask-png", "dl-mask-rle", "dl-conversation"):  # the turn on show, and the conversation
        browser.find_element(By.CSS_SELECTOR, f"#{button}").click()
    tid = _history_thread(chat)
    names = {f"{tid}_turn_02_mask.png", f"{tid}_turn_02_mask.rle.json", f"{tid}_conversation.json"}
    _wait(browser, lambda d: names <= {p.name for p in (tmp_path / "downloads").glob("*")}, "the downloads", 30)
    assert np.array_equal(load_mask_png(tmp_path / "downloads" / f"{tid}_turn_02_mask.png"), before)
    rle = json.loads((tmp_path / "downloads" / f"{tid}_turn_02_mask.rle.json").read_text())
    assert np.array_equal(decode_rle(rle["rle"]), before)
    turns = json.loads((tmp_path / "downloads" / f"{tid}_conversation.json").read_text())["turns"]
    assert [t["turn"] for t in turns] == [1, 2] and all(t["rle"]["counts"] for t in turns)
    shots = sorted((tmp_path / "screenshots").glob("*.png"))
    assert len(shots) == 5 and all(p.stat().st_size > 10_000 for p in shots)
    print(f"browser conversation took {time.perf_counter() - t0:.1f} s")

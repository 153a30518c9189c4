"""Fast stand-ins for the web app's tests: a segmenter that answers point prompts on flat drawn scenes, the
drawn shapes scene as a PNG file, a ModelLoader over stand-ins, and the skip-or-fail rule for optional packages."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.agent.agent_scenes import FakeOcr, FakeProposals, shapes_scene
from tests.conftest import under_ci
from tools.images import load_image
from tools.segmenters.base import ImageEmbedding, SegmentResult

EXIT_BOX = [348, 32, 440, 70]


def require(module: str, package: str | None = None) -> None:
    """Skip (fail under CI=true) with one line when a Python package is missing."""
    if importlib.util.find_spec(module) is None:
        reason = f"python package {package or module} is not installed (pip install -e '.[web]')"
        if under_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


class PointSegmenter:
    """Box prompt -> drawn pixels inside the box; point prompts -> the flat-colour components under the positive
    points minus those under the negative ones (clipped to the box when one is given)."""

    name = "fake-points"

    def __init__(self):
        self.fail = False

    def embed(self, image):
        img = load_image(image)
        return ImageEmbedding(features=img.pixels, original_size=(img.height, img.width),
                              input_size=(img.height, img.width), image_sha256=img.sha256)

    @staticmethod
    def _component(pix: np.ndarray, x: float, y: float) -> np.ndarray:
        same = np.all(pix == pix[int(y), int(x)], axis=2).astype(np.uint8)
        _, labels = cv2.connectedComponents(same, connectivity=4)
        return labels == labels[int(y), int(x)]

    def segment(self, embedding, boxes=None, points=None, point_labels=None, mask_prompts=None, multimask=True):
        if self.fail:
            raise RuntimeError("segmenter exploded")
        pix = embedding.features
        fg = np.abs(pix.astype(int) - pix[0, 0].astype(int)).sum(axis=2) > 30
        n = len(boxes) if boxes is not None else len(points)
        out = []
        for i in range(n):
            box_mask = None
            if boxes is not None:
                x0, y0, x1, y1 = np.asarray(boxes, float)[i if len(boxes) > 1 else 0].astype(int)
                box_mask = np.zeros(fg.shape, bool)
                box_mask[y0:y1 + 1, x0:x1 + 1] = True
            if points is None:
                out.append(fg & box_mask)
                continue
            pts, labs = np.asarray(points)[i], np.asarray(point_labels)[i]
            m = np.zeros(fg.shape, bool)
            for (x, y), lab in zip(pts, labs):
                if lab == 1 and fg[int(y), int(x)]:
                    m |= self._component(pix, x, y)
            for (x, y), lab in zip(pts, labs):
                if lab == 0:
                    m &= ~self._component(pix, x, y)
            out.append(m if box_mask is None else m & box_mask)
        return SegmentResult(masks=np.stack(out)[:, None], scores=np.full((n, 1), 0.9))


def backends() -> dict:
    return {"planner": "rule", "segmenter": PointSegmenter(), "grounders": [FakeProposals(), FakeOcr({"EXIT": EXIT_BOX})]}


def scene_file(folder: Path, scale: int = 1) -> tuple[Path, object]:
    scene = shapes_scene()
    pixels = scene.pixels if scale == 1 else cv2.resize(scene.pixels, None, fx=scale, fy=scale,
                                                         interpolation=cv2.INTER_NEAREST)
    path = Path(folder) / f"shapes_x{scale}.png"
    Image.fromarray(pixels).save(path)
    return path, scene


def loader(kwargs: dict | None = None, error: BaseException | None = None):
    from agent.web.loader import ModelLoader

    def load(say):
        say("loading stand-ins")
        if error is not None:
            raise error
        return kwargs or backends()

    return ModelLoader(load=load).start()

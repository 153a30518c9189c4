"""tools.vision_cache: one ImageVision per pixel hash, bounded, reloaded from a reference's path when evicted."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tools.images import ImageError, load_image
from tools.vision_cache import VisionCache


def _photo(path, value: int):
    Image.fromarray(np.full((8, 12, 3), value, np.uint8)).save(path)
    return load_image(str(path))


def test_one_vision_per_image_and_the_oldest_dropped(tmp_path):
    cache = VisionCache(capacity=2)
    a, b, c = (_photo(tmp_path / f"{n}.png", v) for n, v in (("a", 10), ("b", 20), ("c", 30)))
    va = cache.register(a)
    va.masks["p0"] = np.ones((8, 12), bool)
    assert cache.register(a) is va and cache.get({"sha256": a.sha256}) is va
    cache.register(b)
    cache.register(c)
    assert not cache.holds(a.sha256) and cache.holds(b.sha256) and cache.holds(c.sha256)
    again = cache.get({"path": str(tmp_path / "a.png"), "sha256": a.sha256})  # reloaded, facts recomputed later
    assert again is not va and again.image.sha256 == a.sha256 and again.masks == {}


def test_a_changed_or_unreachable_image_is_one_line_error(tmp_path):
    cache = VisionCache(capacity=1)
    a = _photo(tmp_path / "a.png", 10)
    _photo(tmp_path / "a.png", 99)  # the file changed after the conversation began
    with pytest.raises(ImageError, match="changed since this conversation began"):
        cache.get({"path": str(tmp_path / "a.png"), "sha256": a.sha256})
    with pytest.raises(ImageError, match="no path"):
        cache.get({"sha256": "f" * 64})
    assert cache.get(None) is None

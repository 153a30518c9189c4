"""agent.candidates.background: the part of the photo behind its nearest detected things, less what lies on them."""
import numpy as np

from agent.candidates.background import background_mask
from tools.regions import Region


def region(box, score=0.8, label="person"):
    return Region(box=list(map(float, box)), score=score, label=label)


def test_above_the_nearest_feet_less_the_near_things_boxes():
    near = region([300, 100, 400, 340])       # stands in front (feet at 340 of 400: the line at 280)
    on_him = region([350, 150, 390, 220], label="backpack")
    far = region([50, 180, 80, 240], label="horse")
    mask = background_mask([near, on_him, far], 640, 400)
    line = 280
    assert mask[: line - 1, :300].all() and not mask[line + 1:].any()
    assert not mask[150:220, 350:390].any()   # what lies on the near person is not background
    assert mask[180:240, 50:80].all()         # the far horse is


def test_without_confident_detections_the_upper_half():
    mask = background_mask([region([0, 0, 10, 390], score=0.1)], 100, 200)
    assert mask[:100].all() and not mask[100:].any()


def test_the_line_stays_in_its_band():
    mask = background_mask([region([0, 0, 10, 20])], 100, 200)  # nearest feet near the top: line at 30%
    assert mask[:60, 20:].all() and not mask[61:].any()

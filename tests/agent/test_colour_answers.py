"""A colour question about a mostly gray thing names its hue too: "The stove is mostly gray, with some green (18%
of it)." Facts come from explain.mask_facts, as the respond node makes them."""
from __future__ import annotations

import numpy as np

from agent.explain import answer_question, mask_facts


def _stove() -> tuple[np.ndarray, np.ndarray]:
    pixels = np.full((100, 100, 3), 128, np.uint8)
    pixels[:10, :20] = 255
    pixels[60:78, :] = (40, 150, 60)
    return pixels, np.ones((100, 100), bool)


def test_a_hue_on_a_gray_thing_is_said_with_its_share():
    pixels, mask = _stove()
    said = answer_question("color", "the stove", mask_facts(mask, pixels))
    assert said.startswith("The stove is mostly gray, with some green (18% of it).")


def test_a_plain_colour_answer_has_no_accent():
    pixels, mask = _stove()
    pixels[60:78, :] = 128
    said = answer_question("color", "the stove", mask_facts(mask, pixels))
    assert said.startswith("The stove is mostly gray.") and "with some" not in said

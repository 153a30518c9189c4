import numpy as np

from tools.overlay import color_for, render_overlay, save_overlay


def test_overlay_tints_inside_and_outlines_edges(tmp_path):
    img = np.full((60, 80, 3), 128, np.uint8)
    a = np.zeros((60, 80), bool)
    a[10:40, 10:40] = True
    b = np.zeros((60, 80), bool)
    b[20:50, 50:75] = True
    out = render_overlay(img, [a, b], labels=["first", "second"])
    assert out.shape == img.shape
    assert tuple(out[30, 30]) != (128, 128, 128)        # tinted inside a
    assert tuple(out[55, 5]) == (128, 128, 128)         # untouched outside
    assert tuple(out[25, 10]) == color_for(0)            # left outline of a in its colour
    assert not np.array_equal(out[35, 60], out[30, 30])  # b in another colour
    path = save_overlay(img, [a], tmp_path / "o.png")
    assert path.stat().st_size > 0

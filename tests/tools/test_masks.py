import numpy as np
import pytest

from tools import masks as M


def _rect(h, w, x0, y0, x1, y1):
    m = np.zeros((h, w), bool)
    m[y0:y1, x0:x1] = True
    return m


def test_rle_round_trip_and_json_safe():
    m = _rect(37, 53, 5, 7, 20, 30)
    m[0, 0] = True
    rle = M.encode_rle(m)
    assert rle["size"] == [37, 53] and isinstance(rle["counts"], str)
    assert np.array_equal(M.decode_rle(rle), m)


def test_uncompressed_rle_decodes():
    # column-major runs for a 3x2 mask: 2 zeros, 3 ones, 1 zero
    m = M.decode_rle({"size": [3, 2], "counts": [2, 3, 1]})
    assert m.tolist() == [[False, True], [False, True], [True, False]]


def test_iou_hand_computed():
    a = _rect(10, 10, 0, 0, 4, 5)   # 20 px
    b = _rect(10, 10, 2, 0, 6, 5)   # 20 px, overlap 10
    assert M.intersection_union(a, b) == (10, 30)
    assert M.iou(a, b) == pytest.approx(1 / 3)
    empty = np.zeros((10, 10), bool)
    assert M.iou(empty, empty) == 1.0 and M.iou(a, empty) == 0.0
    with pytest.raises(M.MaskError, match="shapes differ"):
        M.iou(a, np.zeros((5, 5), bool))


def test_bbox_area_centroid():
    m = _rect(20, 30, 3, 4, 10, 12)
    assert M.bbox(m) == [3, 4, 10, 12] and M.area(m) == 56
    assert M.centroid(m) == pytest.approx((6.0, 7.5))
    assert M.bbox(np.zeros((5, 5), bool)) is None


def test_png_round_trip(tmp_path):
    m = _rect(12, 9, 1, 2, 5, 6)
    path = M.save_mask_png(m, tmp_path / "sub" / "m.png")
    assert np.array_equal(M.load_mask_png(path), m)
    with pytest.raises(M.MaskError, match="not found"):
        M.load_mask_png(tmp_path / "missing.png")


def test_polygons_to_mask():
    m = M.polygons_to_mask([[10, 10, 30, 10, 30, 20, 10, 20]], 40, 40)
    assert 190 <= m.sum() <= 231 and m[15, 20] and not m[5, 5]


def test_position_and_size_words():
    assert M.position_words([0, 0, 10, 10], 300, 300) == "top left"
    assert M.position_words([140, 140, 160, 160], 300, 300) == "center"
    assert M.position_words([250, 140, 290, 160], 300, 300) == "right"
    assert M.position_words([140, 260, 160, 290], 300, 300) == "bottom"
    assert M.size_words(0.005) == "tiny" and M.size_words(0.3) == "large" and M.size_words(0.7) == "most of the image"


def test_box_iou():
    assert M.box_iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(50 / 150)


def test_centre_inside_a_box_and_within_a_margin_of_it():
    sign = [100, 100, 200, 150]
    assert M.centre_inside(sign, [120, 110, 180, 130])  # a line on the sign
    assert not M.centre_inside(sign, [190, 110, 250, 130])  # centre at x 220, past the right edge
    assert M.centre_inside(sign, [190, 110, 250, 130], margin=0.35)  # within 35 px beside it


def test_the_part_of_the_photo_a_position_names():
    from tools.masks import photo_part_box

    assert photo_part_box("left", 500, 300) == [0.0, 0.0, 200.0, 300.0]
    assert photo_part_box("top right", 500, 300) == [300.0, 0.0, 500.0, 120.0]
    assert photo_part_box("center", 500, 300) == [150.0, 90.0, 350.0, 210.0]
    assert photo_part_box("bottom", 500, 300) == [0.0, 180.0, 500.0, 300.0]


def test_box_area_intersection_and_the_share_of_a_box_inside_another():
    from tools.masks import box_area, box_intersection, inside_share

    assert box_area([10, 20, 30, 60]) == 800.0 and box_area([30, 20, 10, 60]) == 0.0
    assert box_intersection([0, 0, 10, 10], [5, 5, 20, 20]) == 25.0 and box_intersection([0, 0, 1, 1], [2, 2, 3, 3]) == 0.0
    assert inside_share([5, 5, 15, 15], [0, 0, 10, 10]) == 0.25 and inside_share([2, 2, 4, 4], [0, 0, 10, 10]) == 1.0

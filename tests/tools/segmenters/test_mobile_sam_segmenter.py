"""MobileSamSegmenter behind the Segmenter protocol, on real photos and odd inputs (real weights)."""
import time

import numpy as np
import pytest

from tools.images import ImageError, load_image
from tools.masks import box_iou
from tools.segmenters import PromptError, Segmenter, build_segmenter
from tests.tools.segmenters.conftest import ann_mask, coco_image_path, coco_instances


@pytest.fixture(scope="module")
def photo(coco_val):
    info, anns = next(coco_instances(coco_val, n_images=1, per_image=3))
    return load_image(coco_image_path(info)), info, anns


@pytest.fixture(scope="module")
def photo_emb(mobile_sam, photo):
    return mobile_sam.embed(photo[0])


def _box(a):
    x, y, w, h = a["bbox"]
    return [x, y, x + w, y + h]


def test_protocol_and_cache_hit(mobile_sam, photo, photo_emb):
    assert isinstance(mobile_sam, Segmenter)
    assert photo_emb.features.shape == (1, 256, 64, 64) and photo_emb.seconds > 0
    t0 = time.perf_counter()
    again = mobile_sam.embed(photo[0])
    assert time.perf_counter() - t0 < 0.01 and again.seconds == 0.0
    assert again.features is photo_emb.features
    copy = load_image(photo[0].pixels.copy())  # same pixels, new object: same cache entry
    assert mobile_sam.embed(copy).seconds == 0.0


def test_several_boxes_one_call_matches_single_calls(mobile_sam, photo, photo_emb):
    img, info, anns = photo
    boxes = np.array([_box(a) for a in anns])
    res = mobile_sam.segment(photo_emb, boxes=boxes)
    assert res.masks.shape == (len(anns), 3, img.height, img.width) and res.masks.dtype == bool
    assert np.all(np.diff(res.scores, axis=1) <= 0)  # best first
    assert res.low_res_logits.shape == (len(anns), 3, 256, 256)
    single = mobile_sam.segment(photo_emb, boxes=boxes[1])
    assert np.array_equal(single.masks[0, 0], res.masks[1, 0]) or (single.masks[0, 0] ^ res.masks[1, 0]).mean() < 1e-4
    best, _ = res.best()
    for mask, ann in zip(best, anns):
        gt = ann_mask(ann, img.height, img.width)
        assert (mask & gt).sum() / (mask | gt).sum() > 0.5


def test_point_and_mask_prompts(mobile_sam, photo, photo_emb):
    img, info, anns = photo
    gt = ann_mask(anns[0], img.height, img.width)
    ys, xs = np.nonzero(gt)
    k = np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2)  # an interior pixel near the centroid
    click = [float(xs[k]), float(ys[k])]
    res = mobile_sam.segment(photo_emb, points=[click], multimask=True)
    assert res.masks.shape == (1, 3, img.height, img.width)
    assert res.masks[0, 0][int(click[1]), int(click[0])]  # the clicked pixel is inside the best mask
    refined = mobile_sam.segment(photo_emb, points=[click], mask_prompts=res.low_res_logits[:, 0], multimask=False)
    assert refined.masks.shape == (1, 1, img.height, img.width)
    bg = mobile_sam.segment(photo_emb, points=[[click, [1.0, 1.0]]], point_labels=[[1, 0]], multimask=False)
    assert not bg.masks[0, 0][1, 1]
    in_input = mobile_sam.segment(photo_emb, boxes=np.array(_box(anns[0])) * photo_emb.input_size[1] / img.width,
                                  coords="input", multimask=False)
    in_orig = mobile_sam.segment(photo_emb, boxes=_box(anns[0]), multimask=False)
    assert (in_input.masks ^ in_orig.masks).mean() < 1e-3


def test_bad_prompts_raise_prompt_error(mobile_sam, photo_emb):
    with pytest.raises(PromptError):
        mobile_sam.segment(photo_emb)
    with pytest.raises(PromptError, match="boxes"):
        mobile_sam.segment(photo_emb, boxes=[1, 2, 3])
    with pytest.raises(PromptError, match="NaN"):
        mobile_sam.segment(photo_emb, points=[[np.nan, 3]])
    with pytest.raises(PromptError, match="differ"):
        mobile_sam.segment(photo_emb, boxes=[[0, 0, 5, 5], [1, 1, 9, 9]], points=np.zeros((3, 1, 2)))


@pytest.mark.parametrize("kind", ["gray", "rgba", "tall", "huge"])
def test_odd_images_give_original_size_masks(mobile_sam, kind):
    rng = np.random.default_rng(3)
    if kind == "gray":
        arr = np.zeros((200, 300), np.uint8); arr[50:150, 100:200] = 220
    elif kind == "rgba":
        arr = np.zeros((240, 320, 4), np.uint8); arr[..., 3] = 255; arr[60:180, 80:240, :3] = (200, 30, 30)
    elif kind == "tall":
        arr = (rng.random((500, 90, 3)) * 40).astype(np.uint8); arr[100:300, 20:70] = 230
    else:
        arr = np.zeros((3000, 4000, 3), np.uint8); arr[1000:2000, 1000:3000] = (30, 200, 60)
    img = load_image(arr)
    emb = mobile_sam.embed(img)
    h, w = img.height, img.width
    box = {"gray": [100, 50, 200, 150], "rgba": [80, 60, 240, 180], "tall": [20, 100, 70, 300], "huge": [1000, 1000, 3000, 2000]}[kind]
    res = mobile_sam.segment(emb, boxes=box, multimask=False)
    assert res.masks.shape == (1, 1, h, w)
    ys, xs = np.nonzero(res.masks[0, 0])
    assert box_iou([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], box) > 0.8


def test_bad_image_raises_image_error(mobile_sam, tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(ImageError):
        mobile_sam.embed(bad)


def test_unknown_backend_and_missing_folder():
    from tools.segmenters import UnknownSegmenterError

    with pytest.raises(UnknownSegmenterError, match="known: mobile_sam"):
        build_segmenter("nope")


@pytest.mark.slow
def test_propose_on_real_photo(mobile_sam, photo):
    img, info, anns = photo
    t0 = time.perf_counter()
    props = mobile_sam.propose(img, points_per_side=8)  # 16x16 is timed in benchmarks/bench_segmenter.py
    secs = time.perf_counter() - t0
    print(f"\npropose 8x8: {len(props)} proposals in {secs:.1f} s (embedding cached)")
    assert 3 <= len(props) <= 3 * 64
    scores = [p.predicted_iou for p in props]
    assert scores == sorted(scores, reverse=True) and min(scores) > 0.8
    for p in props:
        assert p.mask.shape == (img.height, img.width) and p.area >= 0.001 * img.height * img.width
        assert p.stability > 0.9
    # the largest annotated object is found by some proposal
    gt = ann_mask(anns[0], img.height, img.width)
    best = max((p.mask & gt).sum() / (p.mask | gt).sum() for p in props)
    assert best > 0.6

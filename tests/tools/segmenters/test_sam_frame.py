"""tools.segmenters.sam_frame against the code it replaced, bit for bit (copied below as `old_*`, or its output kept
as a constant); the frame's behaviour pinned directly; `ranked_result` (sort by predicted IoU, then upsample)."""
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from tools.segmenters.base import ranked_result
from tools.segmenters.sam_frame import (IMAGENET_MEAN, IMAGENET_STD, frame_size, lowres_to_original, mask_to_lowres,
                                        normalised_pixels, resize_logits, sam_frame)

RNG = np.random.default_rng(0)
IMAGES = [(RNG.random(shape) * 255).astype(np.uint8)
          for shape in [(90, 120, 3), (301, 157, 3), (64, 64, 3), (256, 100, 3)]]


# ---- the replaced code, verbatim but for names ------------------------------------------------------------------
def old_mobile_sam_preprocess(pixels, image_size=1024):  # tools/segmenters/mobile_sam.py sam_preprocess
    h0, w0 = pixels.shape[:2]
    scale = image_size / max(h0, w0)
    h, w = int(h0 * scale + 0.5), int(w0 * scale + 0.5)
    if (h, w) != pixels.shape[:2]:
        pixels = np.asarray(Image.fromarray(pixels).resize((w, h), Image.BILINEAR))
    x = torch.from_numpy(np.array(pixels, dtype=np.float32)).permute(2, 0, 1)
    mean, std = torch.tensor((123.675, 116.28, 103.53)), torch.tensor((58.395, 57.12, 57.375))
    x = (x - mean.view(3, 1, 1)) / std.view(3, 1, 1)
    out = torch.zeros(1, 3, image_size, image_size)
    out[0, :, :h, :w] = x
    return out, (h, w)


def old_miras_sam_frame(pixels, side):  # miras/seg_frame.py sam_frame
    scale = side / max(pixels.shape[0], pixels.shape[1])
    h, w = int(pixels.shape[0] * scale + 0.5), int(pixels.shape[1] * scale + 0.5)
    resized = np.asarray(Image.fromarray(pixels).resize((w, h), Image.BILINEAR), dtype=np.float32)
    norm = (resized - np.array([123.675, 116.28, 103.53], np.float32)) / np.array([58.395, 57.12, 57.375], np.float32)
    out = torch.zeros(1, 3, side, side)
    out[0, :, :h, :w] = torch.from_numpy(norm).permute(2, 0, 1)
    return out, (h, w)


def old_hf_normalise_pixels(pixels, size_hw, mean, std):  # tools/segmenters/hf_sam.py normalise_pixels
    if tuple(pixels.shape[:2]) != tuple(size_hw):
        pixels = np.asarray(Image.fromarray(pixels).resize((size_hw[1], size_hw[0]), Image.BILINEAR))
    x = torch.from_numpy(np.array(pixels, dtype=np.float32) / 255.0).permute(2, 0, 1)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x[None]


def old_hf_sam_encode_input(pixels, image_size, pad_size):  # HfSamSegmenter._encode before the encoder
    h, w = pixels.shape[:2]
    scale = image_size / max(h, w)
    input_size = (int(h * scale + 0.5), int(w * scale + 0.5))
    x = old_hf_normalise_pixels(pixels, input_size, IMAGENET_MEAN, IMAGENET_STD)
    return F.pad(x, (0, pad_size - input_size[1], 0, pad_size - input_size[0])), input_size


def old_postprocess(low, input_size, original_size, image_size):  # SamPromptDecoder.postprocess / HfSam.upsample
    lead = low.shape[:-2]
    x = low.reshape(-1, 1, *low.shape[-2:]).float()
    x = F.interpolate(x, (image_size, image_size), mode="bilinear", align_corners=False)
    x = x[..., : input_size[0], : input_size[1]]
    x = F.interpolate(x, tuple(original_size), mode="bilinear", align_corners=False)
    return x.view(*lead, *x.shape[-2:])


def old_sam2_upsample(low, original_size):  # HfSam2Segmenter.upsample
    lead = low.shape[:-2]
    x = F.interpolate(low.reshape(-1, 1, *low.shape[-2:]).float(), tuple(original_size), mode="bilinear",
                      align_corners=False)
    return x.view(*lead, *x.shape[-2:])


# mask_to_lowres(mask below, frame_size(6, 9, 16) = (11, 16), 16, 4) as miras/seg_frame.py computed it (float32)
OLD_LOWRES = [[0.06392045319080353, 0.5454545617103577, 0.5454545617103577, 0.06392045319080353],
              [0.09854402393102646, 0.8409090042114258, 0.8409090042114258, 0.09854402393102646],
              [0.19886371493339539, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]


# ---- identical to the old code ----------------------------------------------------------------------------------
@pytest.mark.parametrize("side", [1024, 256])
@pytest.mark.parametrize("k", range(len(IMAGES)))
def test_sam_frame_matches_mobile_sam_and_miras(k, side):
    new, size = sam_frame(IMAGES[k], side)
    for old, old_size in (old_mobile_sam_preprocess(IMAGES[k], side), old_miras_sam_frame(IMAGES[k], side)):
        assert size == old_size and torch.equal(new, old)


@pytest.mark.parametrize("pad", [1024, 1100])
@pytest.mark.parametrize("k", range(len(IMAGES)))
def test_sam_frame_matches_hf_sam(k, pad):
    new, size = sam_frame(IMAGES[k], 1024, IMAGENET_MEAN, IMAGENET_STD, scale=255.0, pad=pad)
    old, old_size = old_hf_sam_encode_input(IMAGES[k], 1024, pad)
    assert size == old_size and torch.equal(new, old)


@pytest.mark.parametrize("k", range(len(IMAGES)))
def test_square_resize_matches_hf_sam2(k):
    new = normalised_pixels(IMAGES[k], (64, 64), IMAGENET_MEAN, IMAGENET_STD, scale=255.0)
    assert torch.equal(new, old_hf_normalise_pixels(IMAGES[k], (64, 64), IMAGENET_MEAN, IMAGENET_STD))


@pytest.mark.parametrize("original", [(90, 120), (301, 157), (1024, 1024), (40, 2000)])
def test_lowres_to_original_matches_old_upsampling(original):
    low = torch.randn(2, 3, 256, 256, generator=torch.Generator().manual_seed(1))
    for side in (1024, 512):
        input_size = frame_size(*original, side)
        assert torch.equal(lowres_to_original(low, input_size, side, original),
                           old_postprocess(low, input_size, original, side))
    assert torch.equal(resize_logits(low, original), old_sam2_upsample(low, original))
    assert torch.equal(resize_logits(low[0, 0], original), old_sam2_upsample(low[0, 0], original))


def test_mask_to_lowres_matches_old():
    mask = np.zeros((6, 9), bool)
    mask[1:4, 2:7] = True
    mask[5, 0] = True
    assert torch.equal(mask_to_lowres(mask, frame_size(6, 9, 16), 16, 4), torch.tensor(OLD_LOWRES))


# ---- behaviour pinned directly ----------------------------------------------------------------------------------
def test_frame_size_rounds_like_sam():
    assert frame_size(300, 600, 1024) == (512, 1024)
    assert frame_size(90, 120, 1024) == (768, 1024)
    assert frame_size(301, 157, 1024) == (1024, 534)
    assert frame_size(2000, 40, 1024) == (1024, 20)


def test_sam_frame_pads_and_normalises():
    pixels = np.full((300, 600, 3), 128, np.uint8)
    x, size = sam_frame(pixels)
    assert x.shape == (1, 3, 1024, 1024) and size == (512, 1024)
    assert torch.all(x[0, :, 512:] == 0) and abs(float(x[0, 0, 0, 0]) - (128 - 123.675) / 58.395) < 1e-5


def test_sam_frame_rejects_non_uint8_pixels():
    with pytest.raises(ValueError, match="uint8"):
        sam_frame(np.zeros((10, 10, 3), np.float32))


def test_lowres_to_original_crops_and_resizes():
    low = torch.zeros(2, 3, 256, 256)
    low[..., :64, :32] = 5.0  # top-left of the 1024 frame: 256 x 128 input px
    out = lowres_to_original(low, (512, 1024), 1024, (300, 600))
    assert out.shape == (2, 3, 300, 600)
    mask = out[0, 0] > 0
    assert mask[:140, :70].all() and not mask[160:, :].any() and not mask[:, 80:].any()


def test_ranked_result_sorts_by_predicted_iou_then_upsamples():
    scores = torch.tensor([[0.1, 0.9, 0.5], [0.7, 0.2, 0.8]])
    low = torch.arange(6.0).view(2, 3, 1, 1).expand(2, 3, 4, 4) - 2.5  # candidate c of prompt n: 3n + c - 2.5
    res = ranked_result(low, scores, lambda l: resize_logits(l, (6, 8)), time.perf_counter())
    assert np.allclose(res.scores, [[0.9, 0.5, 0.1], [0.8, 0.7, 0.2]])
    assert res.low_res_logits[:, :, 0, 0].tolist() == [[-1.5, -0.5, -2.5], [2.5, 0.5, 1.5]]
    assert res.masks.shape == (2, 3, 6, 8) and res.masks.dtype == bool
    assert res.masks[:, :, 0, 0].tolist() == [[False, False, False], [True, True, True]] and res.seconds >= 0

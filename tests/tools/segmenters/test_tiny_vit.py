"""TinyViT encoder: strict load of the real MobileSAM image_encoder.* weights and the output shape."""
import pytest
import torch

from tools.segmenters.mobile_sam import build_mobile_sam_image_encoder, load_checkpoint, sam_preprocess
from tools.segmenters.tiny_vit import TinyViT


def test_random_encoder_output_shape():
    torch.manual_seed(0)
    enc = TinyViT().eval()
    with torch.inference_mode():
        out = enc(torch.randn(1, 3, 1024, 1024))
    assert out.shape == (1, 256, 64, 64) and torch.isfinite(out).all()


def test_strict_load_of_real_weights():
    from tools.weights import MissingWeightsError, weight_path

    try:
        sd = load_checkpoint(weight_path("mobile_sam"))
    except MissingWeightsError as exc:
        pytest.skip(str(exc))
    assert len(sd) == 439
    enc = build_mobile_sam_image_encoder(sd)  # raises on any missing/unexpected key
    n_enc = sum(1 for k in sd if k.startswith("image_encoder."))
    assert len(enc.state_dict()) == n_enc
    with pytest.raises(RuntimeError):
        build_mobile_sam_image_encoder({k: v for k, v in sd.items() if "neck.0" not in k})


def test_sam_preprocess_pads_and_normalises():
    import numpy as np

    pixels = np.full((300, 600, 3), 128, np.uint8)
    x, size = sam_preprocess(pixels)
    assert x.shape == (1, 3, 1024, 1024) and size == (512, 1024)
    assert torch.all(x[0, :, 512:] == 0) and abs(float(x[0, 0, 0, 0]) - (128 - 123.675) / 58.395) < 1e-5

"""TinyViT encoder: strict load of the real MobileSAM image_encoder.* weights and the output shape."""
import pytest
import torch

from tools.segmenters.mobile_sam import build_mobile_sam_image_encoder, load_checkpoint
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

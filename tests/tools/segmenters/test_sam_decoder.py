"""SamPromptDecoder: shapes for every prompt kind (tiny random) and an exact numerical
match with transformers' SAM prompt encoder + mask decoder on the real MobileSAM weights."""
import pytest
import torch

from tools.segmenters.sam_decoder import load_sam_prompt_decoder, tiny_sam_prompt_decoder


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return tiny_sam_prompt_decoder()


def test_tiny_decoder_shapes(tiny):
    emb = torch.randn(2, 32, 16, 16)
    boxes = torch.rand(2, 3, 4) * 256
    low, iou = tiny(emb, boxes=boxes)
    assert low.shape == (2, 3, 1, 64, 64) and iou.shape == (2, 3, 1)
    low, iou = tiny(emb, points=torch.rand(2, 3, 2, 2) * 256, point_labels=torch.ones(2, 3, 2, dtype=torch.long), multimask=True)
    assert low.shape == (2, 3, 3, 64, 64) and iou.shape == (2, 3, 3)
    low, _ = tiny(emb, boxes=boxes, mask_inputs=torch.randn(2, 3, 1, 64, 64))
    assert low.shape == (2, 3, 1, 64, 64)
    extra = torch.randn(2, 4, 1, 32)
    low, iou = tiny(emb, sparse_embeddings=extra, multimask=True)  # MIRAS [SEG] tokens alone
    assert low.shape == (2, 4, 3, 64, 64)
    low2, _ = tiny(emb, sparse_embeddings=extra * 2, multimask=True)
    assert not torch.allclose(low, low2)  # the extra tokens are used


def test_prompts_are_independent_across_batch(tiny):
    emb = torch.randn(1, 32, 16, 16)
    boxes = torch.tensor([[[10.0, 10, 100, 120], [50, 60, 200, 250]]])
    both, _ = tiny(emb, boxes=boxes)
    one, _ = tiny(emb, boxes=boxes[:, 1:])
    assert torch.allclose(both[:, 1:], one, atol=1e-5)


def test_gradients_flow_for_training(tiny):
    tiny.train()
    emb = torch.randn(1, 32, 16, 16, requires_grad=True)
    extra = torch.randn(1, 1, 1, 32, requires_grad=True)
    low, iou = tiny(emb, sparse_embeddings=extra)
    (low.mean() + iou.mean()).backward()
    assert extra.grad is not None and emb.grad is not None
    tiny.eval()


def test_load_requires_decoder_keys():
    with pytest.raises(KeyError):
        load_sam_prompt_decoder({"image_encoder.x": torch.zeros(1)})


@pytest.mark.slow
def test_matches_transformers_sam_decoder_on_mobile_sam_weights():
    from transformers import SamConfig, SamModel

    from tools.segmenters.mobile_sam import load_checkpoint
    from tools.segmenters.sam_checkpoint import _RULES, _rename
    from tools.weights import MissingWeightsError, weight_path

    try:
        sd = load_checkpoint(weight_path("mobile_sam"))
    except MissingWeightsError as exc:
        pytest.skip(str(exc))
    ours = load_sam_prompt_decoder(sd)
    cfg = SamConfig(vision_config=dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, global_attn_indexes=[0],
                                       mlp_dim=64, window_size=4), mask_decoder_config=dict(layer_norm_eps=1e-5))
    ref = SamModel(cfg).eval()
    hf = {_rename(k, _RULES): v for k, v in sd.items() if not k.startswith("image_encoder")}
    hf["shared_image_embedding.positional_embedding"] = hf["prompt_encoder.shared_embedding.positional_embedding"]
    missing, unexpected = ref.load_state_dict(hf, strict=False)
    assert not unexpected and all(k.startswith("vision_encoder") for k in missing)
    torch.manual_seed(0)
    feats = torch.randn(1, 256, 64, 64) * 0.3
    boxes = torch.tensor([[[100.0, 200, 600, 700], [0, 0, 500, 300]]])
    pts, lab = torch.tensor([[[[300.0, 400], [500, 100]]]]), torch.tensor([[[1, 0]]])
    with torch.inference_mode():
        a, s = ours(feats, boxes=boxes, multimask=True)
        o = ref(image_embeddings=feats, input_boxes=boxes, multimask_output=True)
        assert torch.allclose(a, o.pred_masks, atol=1e-3) and torch.allclose(s, o.iou_scores, atol=1e-5)
        mi = torch.randn(1, 1, 1, 256, 256)
        a, s = ours(feats, points=pts, point_labels=lab, mask_inputs=mi)
        o = ref(image_embeddings=feats, input_points=pts, input_labels=lab, input_masks=mi[0], multimask_output=False)
        assert torch.allclose(a, o.pred_masks, atol=1e-3) and torch.allclose(s, o.iou_scores, atol=1e-5)

"""transformers backends on tiny random configs built in code (no hub): SamModel, Sam2Model, and the
original-.pth conversion (inverse-map a tiny SamModel, convert back, strict load, identical outputs)."""
import numpy as np
import pytest
import torch

from tools.segmenters import build_segmenter
from tools.segmenters.embedding_cache import EmbeddingCache
from tools.segmenters.hf_sam import ModelFolderError
from tools.segmenters.sam_checkpoint import (CheckpointError, convert_sam_checkpoint, hf_to_original,
                                             sam_config_from_state_dict)

IMG = (np.random.default_rng(0).random((90, 120, 3)) * 255).astype(np.uint8)


def tiny_sam_config():
    from transformers import SamConfig

    return SamConfig(
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64, window_size=4,
                           global_attn_indexes=[1], output_channels=32, num_pos_feats=16),
        prompt_encoder_config=dict(hidden_size=32, mask_input_channels=8),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_attention_heads=8, iou_head_hidden_dim=32),
    )


@pytest.fixture(scope="module")
def tiny_sam_folder(tmp_path_factory):
    from transformers import SamModel

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny_sam")
    SamModel(tiny_sam_config()).save_pretrained(folder)
    return folder


def test_hf_sam_box_prompt_end_to_end(tiny_sam_folder):
    seg = build_segmenter("sam", path=tiny_sam_folder, cache=EmbeddingCache())
    emb = seg.embed(IMG)
    assert emb.original_size == (90, 120) and emb.input_size == (768, 1024)
    res = seg.segment(emb, boxes=[[10, 10, 60, 50], [0, 0, 120, 90]])
    assert res.masks.shape == (2, 3, 90, 120) and res.masks.dtype == bool
    assert res.scores.shape == (2, 3) and np.all(np.diff(res.scores, axis=1) <= 0)
    pts = seg.segment(emb, points=[[30, 40], [50, 20]], point_labels=[1, 0], multimask=False)
    assert pts.masks.shape == (1, 1, 90, 120)
    withmask = seg.segment(emb, points=[[30, 40]], mask_prompts=res.low_res_logits[:, 0], multimask=False)
    assert withmask.masks.shape == (2, 1, 90, 120)
    assert seg.embed(IMG).seconds == 0.0  # cached


def test_hf_sam_propose_with_seed_boxes(tiny_sam_folder):
    seg = build_segmenter("sam", path=tiny_sam_folder, cache=EmbeddingCache())
    # a random model's scores are noise: accept every mask so the wiring shows (thresholds below any score)
    props = seg.propose(IMG, points_per_side=2, seed_boxes=[[10, 10, 60, 50]], max_prompts=2,
                        pred_iou_thresh=-1e9, stability_thresh=-1.0, nms_thresh=1.0, min_area_frac=0.0)
    assert props and all(p.mask.shape == (90, 120) for p in props)
    assert (35.0, 30.0) in {p.point for p in props}  # the seed box's centre, in original pixels
    assert len({p.point for p in props}) <= 3  # the seed and at most 2 grid points


def test_hf_sam_missing_folder_is_one_line_error(tmp_path):
    with pytest.raises(ModelFolderError, match="no config.json"):
        build_segmenter("sam", path=tmp_path)


def test_pth_conversion_round_trip_identical_outputs(tmp_path):
    from transformers import SamModel

    torch.manual_seed(1)
    model = SamModel(tiny_sam_config()).eval()
    original = hf_to_original(model.state_dict())
    assert any(k.startswith("image_encoder.blocks.0.norm1") for k in original)
    assert "mask_decoder.output_hypernetworks_mlps.0.layers.2.weight" in original
    path = tmp_path / "tiny_sam.pth"
    torch.save(original, path)
    seg = build_segmenter("sam_pth", path=path, cache=EmbeddingCache())
    config = sam_config_from_state_dict(original)
    assert config.vision_config.global_attn_indexes == [1] and config.vision_config.num_attention_heads == 2
    converted = convert_sam_checkpoint(original)
    assert set(converted) == set(model.state_dict())
    for k, v in model.state_dict().items():
        assert torch.equal(converted[k], v), k
    x = torch.randn(1, 3, 1024, 1024)
    boxes = torch.tensor([[[100.0, 100.0, 500.0, 600.0]]])
    with torch.inference_mode():
        model.config.mask_decoder_config.layer_norm_eps = 1e-5
        a = SamModel(model.config).eval()
        a.load_state_dict(model.state_dict())
        out_a = a(pixel_values=x, input_boxes=boxes)
        out_b = seg.model(pixel_values=x, input_boxes=boxes)
    assert torch.allclose(out_a.pred_masks, out_b.pred_masks, atol=1e-5)
    assert seg.segment(seg.embed(IMG), boxes=[5, 5, 50, 50]).masks.shape == (1, 3, 90, 120)


def test_pth_conversion_rejects_mobile_sam_layout():
    with pytest.raises(CheckpointError):
        convert_sam_checkpoint({"image_encoder.patch_embed.seq.0.c.weight": torch.zeros(1)})


def test_hf_sam2_box_prompt_end_to_end(tmp_path):
    from transformers import Sam2Config, Sam2Model

    torch.manual_seed(0)
    config = Sam2Config(
        vision_config=dict(
            backbone_config=dict(model_type="sam2_hiera_det_model", hidden_size=8, blocks_per_stage=[1, 1, 2, 1], embed_dim_per_stage=[8, 16, 32, 64],
                                 num_attention_heads_per_stage=[1, 1, 1, 1], global_attention_blocks=[3]),
            backbone_channel_list=[64, 32, 16, 8], fpn_hidden_size=32),
        prompt_encoder_config=dict(hidden_size=32, mask_input_channels=8),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_attention_heads=2, iou_head_hidden_dim=32),
    )
    Sam2Model(config).save_pretrained(tmp_path)
    seg = build_segmenter("sam2", path=tmp_path, cache=EmbeddingCache())
    emb = seg.embed(IMG)
    res = seg.segment(emb, boxes=[[10, 10, 60, 50], [0, 0, 120, 90]])
    assert res.masks.shape == (2, 3, 90, 120) and res.scores.shape == (2, 3)
    pts = seg.segment(emb, points=[[30, 40]], multimask=False)
    assert pts.masks.shape[0] == 1 and pts.masks.shape[-2:] == (90, 120)

"""Original segment-anything checkpoints (.pth, ViT-B/L/H) <-> transformers `SamModel` state dicts.

`convert_sam_checkpoint(pth_state_dict) -> dict` renames keys to the SamModel layout (and duplicates the
shared positional matrix); `sam_config_from_state_dict(sd)` infers the `SamConfig` (vit_b/l/h or any size)
from tensor shapes; `hf_to_original(sd)` is the inverse mapping (for tests and export).
"""
from __future__ import annotations

import re

import torch

# (original regex, transformers replacement); applied in order, first match wins.
_RULES: list[tuple[str, str]] = [
    (r"^image_encoder\.pos_embed$", "vision_encoder.pos_embed"),
    (r"^image_encoder\.patch_embed\.proj\.", "vision_encoder.patch_embed.projection."),
    (r"^image_encoder\.blocks\.(\d+)\.norm(\d)\.", r"vision_encoder.layers.\1.layer_norm\2."),
    (r"^image_encoder\.blocks\.(\d+)\.", r"vision_encoder.layers.\1."),
    (r"^image_encoder\.neck\.0\.", "vision_encoder.neck.conv1."),
    (r"^image_encoder\.neck\.1\.", "vision_encoder.neck.layer_norm1."),
    (r"^image_encoder\.neck\.2\.", "vision_encoder.neck.conv2."),
    (r"^image_encoder\.neck\.3\.", "vision_encoder.neck.layer_norm2."),
    (r"^prompt_encoder\.pe_layer\.positional_encoding_gaussian_matrix$", "prompt_encoder.shared_embedding.positional_embedding"),
    (r"^prompt_encoder\.mask_downscaling\.0\.", "prompt_encoder.mask_embed.conv1."),
    (r"^prompt_encoder\.mask_downscaling\.1\.", "prompt_encoder.mask_embed.layer_norm1."),
    (r"^prompt_encoder\.mask_downscaling\.3\.", "prompt_encoder.mask_embed.conv2."),
    (r"^prompt_encoder\.mask_downscaling\.4\.", "prompt_encoder.mask_embed.layer_norm2."),
    (r"^prompt_encoder\.mask_downscaling\.6\.", "prompt_encoder.mask_embed.conv3."),
    (r"^prompt_encoder\.point_embeddings\.(\d)\.", r"prompt_encoder.point_embed.\1."),
    (r"^mask_decoder\.transformer\.layers\.(\d+)\.norm(\d)\.", r"mask_decoder.transformer.layers.\1.layer_norm\2."),
    (r"^mask_decoder\.transformer\.norm_final_attn\.", "mask_decoder.transformer.layer_norm_final_attn."),
    (r"^mask_decoder\.output_upscaling\.0\.", "mask_decoder.upscale_conv1."),
    (r"^mask_decoder\.output_upscaling\.1\.", "mask_decoder.upscale_layer_norm."),
    (r"^mask_decoder\.output_upscaling\.3\.", "mask_decoder.upscale_conv2."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.layers\.0\.", r"\1.proj_in."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.layers\.1\.", r"\1.layers.0."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.layers\.2\.", r"\1.proj_out."),
]

_INVERSE: list[tuple[str, str]] = [
    (r"^vision_encoder\.pos_embed$", "image_encoder.pos_embed"),
    (r"^vision_encoder\.patch_embed\.projection\.", "image_encoder.patch_embed.proj."),
    (r"^vision_encoder\.layers\.(\d+)\.layer_norm(\d)\.", r"image_encoder.blocks.\1.norm\2."),
    (r"^vision_encoder\.layers\.(\d+)\.", r"image_encoder.blocks.\1."),
    (r"^vision_encoder\.neck\.conv1\.", "image_encoder.neck.0."),
    (r"^vision_encoder\.neck\.layer_norm1\.", "image_encoder.neck.1."),
    (r"^vision_encoder\.neck\.conv2\.", "image_encoder.neck.2."),
    (r"^vision_encoder\.neck\.layer_norm2\.", "image_encoder.neck.3."),
    (r"^prompt_encoder\.shared_embedding\.positional_embedding$", "prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"),
    (r"^prompt_encoder\.mask_embed\.conv1\.", "prompt_encoder.mask_downscaling.0."),
    (r"^prompt_encoder\.mask_embed\.layer_norm1\.", "prompt_encoder.mask_downscaling.1."),
    (r"^prompt_encoder\.mask_embed\.conv2\.", "prompt_encoder.mask_downscaling.3."),
    (r"^prompt_encoder\.mask_embed\.layer_norm2\.", "prompt_encoder.mask_downscaling.4."),
    (r"^prompt_encoder\.mask_embed\.conv3\.", "prompt_encoder.mask_downscaling.6."),
    (r"^prompt_encoder\.point_embed\.(\d)\.", r"prompt_encoder.point_embeddings.\1."),
    (r"^mask_decoder\.transformer\.layers\.(\d+)\.layer_norm(\d)\.", r"mask_decoder.transformer.layers.\1.norm\2."),
    (r"^mask_decoder\.transformer\.layer_norm_final_attn\.", "mask_decoder.transformer.norm_final_attn."),
    (r"^mask_decoder\.upscale_conv1\.", "mask_decoder.output_upscaling.0."),
    (r"^mask_decoder\.upscale_layer_norm\.", "mask_decoder.output_upscaling.1."),
    (r"^mask_decoder\.upscale_conv2\.", "mask_decoder.output_upscaling.3."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.proj_in\.", r"\1.layers.0."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.layers\.0\.", r"\1.layers.1."),
    (r"^(mask_decoder\.(?:output_hypernetworks_mlps\.\d+|iou_prediction_head))\.proj_out\.", r"\1.layers.2."),
]

_SKIP_ORIGINAL = ("pixel_mean", "pixel_std")


class CheckpointError(ValueError):
    """A state dict that is not an original SAM checkpoint; the message is one line."""


def _rename(key: str, rules: list[tuple[str, str]]) -> str:
    for pattern, repl in rules:
        new, n = re.subn(pattern, repl, key)
        if n:
            return new
    return key


def convert_sam_checkpoint(pth_state_dict: dict) -> dict:
    """Original segment-anything state dict -> transformers SamModel state dict."""
    if not any(k.startswith("image_encoder.patch_embed.proj") for k in pth_state_dict):
        raise CheckpointError("not an original SAM ViT checkpoint (no image_encoder.patch_embed.proj.*); "
                              "MobileSAM .pt files use build_segmenter('mobile_sam', path=...)")
    out = {}
    for key, value in pth_state_dict.items():
        if key in _SKIP_ORIGINAL:
            continue
        out[_rename(key, _RULES)] = value
    pe = out.get("prompt_encoder.shared_embedding.positional_embedding")
    if pe is not None:
        out["shared_image_embedding.positional_embedding"] = pe
    return out


def hf_to_original(hf_state_dict: dict) -> dict:
    """transformers SamModel state dict -> original segment-anything layout (drops the duplicated PE)."""
    return {_rename(k, _INVERSE): v for k, v in hf_state_dict.items() if not k.startswith("shared_image_embedding.")}


def sam_config_from_state_dict(sd: dict):
    """Infer a transformers `SamConfig` from an original-layout state dict (ViT-B/L/H or any size)."""
    from transformers import SamConfig

    try:
        patch = sd["image_encoder.patch_embed.proj.weight"]
        pos = sd["image_encoder.pos_embed"]
        hidden, patch_size = int(patch.shape[0]), int(patch.shape[-1])
        grid = int(pos.shape[1])
        layers = sorted({int(m.group(1)) for k in sd if (m := re.match(r"image_encoder\.blocks\.(\d+)\.", k))})
        rel = [sd[f"image_encoder.blocks.{i}.attn.rel_pos_h"] for i in layers]
        head_dim = int(rel[0].shape[1])
        global_idx = [i for i, r in zip(layers, rel) if r.shape[0] == 2 * grid - 1]
        local = [r for r in rel if r.shape[0] != 2 * grid - 1]
        window = (int(local[0].shape[0]) + 1) // 2 if local else 14
        vision = dict(
            hidden_size=hidden, num_hidden_layers=len(layers), num_attention_heads=hidden // head_dim,
            patch_size=patch_size, image_size=grid * patch_size, window_size=window, global_attn_indexes=global_idx,
            mlp_dim=int(sd["image_encoder.blocks.0.mlp.lin1.weight"].shape[0]),
            output_channels=int(sd["image_encoder.neck.0.weight"].shape[0]),
            num_pos_feats=int(sd["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"].shape[1]),
        )
        dim = int(sd["mask_decoder.iou_token.weight"].shape[1])
        prompt = dict(hidden_size=dim, image_size=grid * patch_size, patch_size=patch_size,
                      mask_input_channels=int(sd["prompt_encoder.mask_downscaling.3.weight"].shape[0]))
        decoder = dict(hidden_size=dim, layer_norm_eps=1e-5, mlp_dim=int(sd["mask_decoder.transformer.layers.0.mlp.lin1.weight"].shape[0]),
                       iou_head_hidden_dim=int(sd["mask_decoder.iou_prediction_head.layers.0.weight"].shape[0]))
        # layer_norm_eps=1e-5: the original decoder's nn.LayerNorm default (transformers' default is 1e-6);
        # the original decoder always has 8 heads (not recoverable from shapes).
    except (KeyError, IndexError) as exc:
        raise CheckpointError(f"not an original SAM checkpoint (missing {exc})") from None
    return SamConfig(vision_config=vision, prompt_encoder_config=prompt, mask_decoder_config=decoder)


SAM_VARIANTS = {  # for reference / building configs without a checkpoint
    "vit_b": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, global_attn_indexes=[2, 5, 8, 11]),
    "vit_l": dict(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, global_attn_indexes=[5, 11, 17, 23]),
    "vit_h": dict(hidden_size=1280, num_hidden_layers=32, num_attention_heads=16, global_attn_indexes=[7, 15, 23, 31]),
}


def sam_config(variant: str):
    """`SamConfig` of an original SAM variant: 'vit_b', 'vit_l' or 'vit_h'."""
    from transformers import SamConfig

    if variant not in SAM_VARIANTS:
        raise CheckpointError(f"unknown SAM variant {variant!r}; known: {', '.join(SAM_VARIANTS)}")
    return SamConfig(vision_config=dict(SAM_VARIANTS[variant]))


def load_sam_pth(path) -> tuple[dict, object]:
    """(transformers state dict, SamConfig) from an original .pth checkpoint, loaded with weights_only=True."""
    sd = torch.load(str(path), map_location="cpu", weights_only=True)
    if isinstance(sd, dict) and isinstance(sd.get("model"), dict):
        sd = sd["model"]
    if not isinstance(sd, dict):
        raise CheckpointError(f"{path}: not a state dict")
    return convert_sam_checkpoint(sd), sam_config_from_state_dict(sd)

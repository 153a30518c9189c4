"""The SAM prompt decoder with one fixed signature, for ONNX export, and the packing of `Prompts` into it.

`SamOnnxDecoder(decoder)(image_embeddings, coords, labels, mask_input, has_mask)`:
- image_embeddings float (1, C, h, w)
- coords float (N, P, 2) in the model's input frame; labels float (N, P): -1 padding, 0 background click,
  1 foreground click, 2 box top-left corner, 3 box bottom-right corner
- mask_input float (M, 1, 4h, 4w) low-res logits, M = N or 1; has_mask float (1,): 1 uses it, 0 ignores it
-> (low-res logits (N, 4, 4h, 4w), iou (N, 4)); output 0 is the single-mask answer, 1..3 the multimask ones.
It computes what `SamPromptDecoder.forward` computes for the same prompts (points first, then box corners; a
padding point when there is no box), with the mask decoder in the cheaper order of
tools.segmenters.sam_decoder_fast, so the torch and ONNX paths agree to float rounding.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from tools.segmenters.prompts import Prompts
from tools.segmenters.sam_decoder import SamPromptDecoder
from tools.segmenters.sam_decoder_fast import fast_mask_decoder

INPUT_NAMES = ("image_embeddings", "coords", "labels", "mask_input", "has_mask")
OUTPUT_NAMES = ("low_res_logits", "iou")


class SamOnnxDecoder(nn.Module):
    """`SamPromptDecoder` behind the export signature above (prompt count N and points P are dynamic)."""

    def __init__(self, decoder: SamPromptDecoder):
        super().__init__()
        self.decoder = decoder.eval()

    def forward(self, image_embeddings: Tensor, coords: Tensor, labels: Tensor, mask_input: Tensor,
                has_mask: Tensor) -> tuple[Tensor, Tensor]:
        pe = self.decoder.prompt_encoder
        h, w = pe.input_image_size
        xy = (coords + 0.5) / torch.tensor([float(w), float(h)])
        emb = pe.pe_layer.encode(xy)  # (N, P, C)
        lab = labels[..., None]
        emb = torch.where(lab == -1, torch.zeros_like(emb), emb)
        emb = emb + (lab == -1) * pe.not_a_point_embed.weight[0]
        for k in range(4):  # background, foreground, box top-left, box bottom-right
            emb = emb + (lab == k) * pe.point_embeddings[k].weight[0]
        dense = pe.mask_downscaling(mask_input)[None]  # (1, M, C, h, w)
        no_mask = pe.no_mask_embed.weight.view(1, 1, -1, 1, 1)
        image = (image_embeddings[:, None] + has_mask * dense + (1 - has_mask) * no_mask)[0]  # (M, C, h, w)
        size = tuple(image.shape[-2:])
        key_pe = pe.dense_pe().flatten(2).transpose(1, 2)  # (1, L, C)
        return fast_mask_decoder(self.decoder.mask_decoder, image.flatten(2).transpose(1, 2), key_pe, emb, size)


def pack_prompts(prompts: Prompts, low_res: int) -> dict[str, np.ndarray]:
    """`Prompts` (input frame) -> the decoder's inputs other than the embedding, as float32 arrays (see above)."""
    n = prompts.n
    coords, labels = [], []
    if prompts.points is not None:
        coords.append(np.broadcast_to(prompts.points, (n, *prompts.points.shape[1:])))
        labels.append(np.broadcast_to(prompts.labels, (n, prompts.labels.shape[1])).astype(np.float32))
    if prompts.boxes is not None:
        coords.append(np.broadcast_to(prompts.boxes.reshape(-1, 2, 2), (n, 2, 2)))
        labels.append(np.broadcast_to(np.array([2.0, 3.0], np.float32), (n, 2)))
    elif prompts.points is not None:
        coords.append(np.zeros((n, 1, 2), np.float32))
        labels.append(np.full((n, 1), -1.0, np.float32))
    if not coords:  # mask prompts alone: no sparse tokens
        coords, labels = [np.zeros((n, 0, 2), np.float32)], [np.zeros((n, 0), np.float32)]
    out = {"coords": np.ascontiguousarray(np.concatenate(coords, axis=1), np.float32),
           "labels": np.ascontiguousarray(np.concatenate(labels, axis=1), np.float32)}
    if prompts.masks is not None:
        out["mask_input"] = np.ascontiguousarray(prompts.masks, np.float32)
        out["has_mask"] = np.ones(1, np.float32)
    else:
        out["mask_input"] = np.zeros((1, 1, low_res, low_res), np.float32)
        out["has_mask"] = np.zeros(1, np.float32)
    return out


def example_inputs(decoder: SamPromptDecoder, n: int = 2, p: int = 3) -> tuple[Tensor, ...]:
    """Random inputs of the export signature (n prompts of p tokens) for tracing and checks."""
    s, low = decoder.image_embedding_size, decoder.low_res_size
    g = torch.Generator().manual_seed(0)
    coords = torch.rand(n, p, 2, generator=g) * decoder.input_image_size
    labels = torch.tensor([[1.0] * (p - 2) + [2.0, 3.0]] * n)
    return (torch.randn(1, decoder.embed_dim, s, s, generator=g), coords, labels,
            torch.zeros(1, 1, low, low), torch.zeros(1))

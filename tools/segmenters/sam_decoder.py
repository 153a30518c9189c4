"""`SamPromptDecoder`: SAM's prompt encoder + mask decoder + positional embedding as one module.

Shared by every SAM-family backend here (MobileSAM, .pth SAM) and by the MIRAS model.
Parameter names follow the original segment-anything layout (`prompt_encoder.*`, `mask_decoder.*`), so an
original checkpoint's prompt/decoder weights load strictly without renaming.

Coordinates are in the model's input frame (pixels of the resized, padded `input_image_size` square); that frame
and the way back from the low-res logits to the original image live in tools.segmenters.sam_frame.
"""
from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from tools.segmenters.sam_transformer import TwoWayTransformer
from tools.segmenters.tiny_vit import LayerNorm2d


class PositionEmbeddingRandom(nn.Module):
    """Random Fourier features of normalised (x, y) coordinates -> embed_dim channels."""

    def __init__(self, num_pos_feats: int):
        super().__init__()
        self.register_buffer("positional_encoding_gaussian_matrix", torch.randn(2, num_pos_feats))

    def encode(self, coords01: Tensor) -> Tensor:
        c = (2 * coords01 - 1) @ self.positional_encoding_gaussian_matrix
        c = 2 * math.pi * c
        return torch.cat([torch.sin(c), torch.cos(c)], dim=-1)

    def grid(self, h: int, w: int) -> Tensor:
        """(C, h, w) encoding of the pixel centres of an h x w grid."""
        dev = self.positional_encoding_gaussian_matrix.device
        ys = (torch.arange(h, device=dev, dtype=torch.float32) + 0.5) / h
        xs = (torch.arange(w, device=dev, dtype=torch.float32) + 0.5) / w
        coords = torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1)  # (h, w, 2) as (x, y)
        return self.encode(coords).permute(2, 0, 1)

    def with_coords(self, coords: Tensor, image_size: tuple[int, int]) -> Tensor:
        """coords (..., 2) in pixels (x, y) -> (..., C)."""
        c = coords.clone().float()
        c[..., 0] = c[..., 0] / image_size[1]
        c[..., 1] = c[..., 1] / image_size[0]
        return self.encode(c)


class PromptEncoder(nn.Module):
    def __init__(self, embed_dim: int, image_embedding_size: int, input_image_size: int, mask_in_chans: int):
        super().__init__()
        self.embed_dim = embed_dim
        self.image_embedding_size = (image_embedding_size, image_embedding_size)
        self.input_image_size = (input_image_size, input_image_size)
        self.pe_layer = PositionEmbeddingRandom(embed_dim // 2)
        self.point_embeddings = nn.ModuleList(nn.Embedding(1, embed_dim) for _ in range(4))  # neg, pos, tl, br
        self.not_a_point_embed = nn.Embedding(1, embed_dim)
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, mask_in_chans // 4, 2, 2),
            LayerNorm2d(mask_in_chans // 4),
            nn.GELU(),
            nn.Conv2d(mask_in_chans // 4, mask_in_chans, 2, 2),
            LayerNorm2d(mask_in_chans),
            nn.GELU(),
            nn.Conv2d(mask_in_chans, embed_dim, 1),
        )
        self.no_mask_embed = nn.Embedding(1, embed_dim)

    def embed_points(self, points: Tensor, labels: Tensor, pad: bool) -> Tensor:
        """points (B, N, P, 2), labels (B, N, P) (1 fg, 0 bg, -1 padding) -> (B, N, P(+1), C)."""
        points = points + 0.5
        if pad:
            points = torch.cat([points, torch.zeros_like(points[..., :1, :])], dim=-2)
            labels = torch.cat([labels, -torch.ones_like(labels[..., :1])], dim=-1)
        emb = self.pe_layer.with_coords(points, self.input_image_size)
        lab = labels[..., None]
        emb = torch.where(lab == -1, torch.zeros_like(emb), emb)
        emb = emb + (lab == -1) * self.not_a_point_embed.weight[0]
        emb = emb + (lab == 0) * self.point_embeddings[0].weight[0]
        emb = emb + (lab == 1) * self.point_embeddings[1].weight[0]
        return emb

    def embed_boxes(self, boxes: Tensor) -> Tensor:
        """boxes (B, N, 4) -> corner tokens (B, N, 2, C)."""
        corners = (boxes + 0.5).reshape(*boxes.shape[:-1], 2, 2)
        emb = self.pe_layer.with_coords(corners, self.input_image_size)
        corner_type = torch.cat([self.point_embeddings[2].weight, self.point_embeddings[3].weight])  # (2, C)
        return emb + corner_type

    def dense_pe(self) -> Tensor:
        """(1, C, h, w) positional encoding of the image embedding grid."""
        return self.pe_layer.grid(*self.image_embedding_size)[None]


class MLP(nn.Module):
    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_layers: int):
        super().__init__()
        dims = [input_dim] + [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:] + [output_dim]))

    def forward(self, x: Tensor) -> Tensor:
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x


class MaskDecoder(nn.Module):
    def __init__(self, dim: int = 256, num_multimask_outputs: int = 3, depth: int = 2, num_heads: int = 8, mlp_dim: int = 2048):
        super().__init__()
        self.num_mask_tokens = num_multimask_outputs + 1
        self.transformer = TwoWayTransformer(depth, dim, num_heads, mlp_dim)
        self.iou_token = nn.Embedding(1, dim)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, dim)
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose2d(dim, dim // 4, 2, 2), LayerNorm2d(dim // 4), nn.GELU(),
            nn.ConvTranspose2d(dim // 4, dim // 8, 2, 2), nn.GELU(),
        )
        self.output_hypernetworks_mlps = nn.ModuleList(MLP(dim, dim, dim // 8, 3) for _ in range(self.num_mask_tokens))
        self.iou_prediction_head = MLP(dim, 256, self.num_mask_tokens, 3)

    def forward(self, image: Tensor, image_pe: Tensor, sparse: Tensor) -> tuple[Tensor, Tensor]:
        """image (B, N|1, C, h, w) with dense prompts added; sparse (B, N, T, C).

        Returns all mask logits (B, N, 4, 4h, 4w) and IoU predictions (B, N, 4).
        """
        b, n = sparse.shape[:2]
        c, h, w = image.shape[-3:]
        out_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        tokens = torch.cat([out_tokens.expand(b, n, -1, -1), sparse], dim=2)
        hs, keys = self.transformer(image, image_pe, tokens)
        keys = keys.expand(b, n, -1, -1).transpose(-1, -2).reshape(b * n, c, h, w)
        up = self.output_upscaling(keys)  # (B*N, C/8, 4h, 4w)
        mask_tokens = hs[:, :, 1 : 1 + self.num_mask_tokens]
        hyper = torch.stack([mlp(mask_tokens[:, :, i]) for i, mlp in enumerate(self.output_hypernetworks_mlps)], dim=2)
        masks = hyper.reshape(b * n, self.num_mask_tokens, -1) @ up.flatten(2)
        masks = masks.view(b, n, self.num_mask_tokens, up.shape[-2], up.shape[-1])
        return masks, self.iou_prediction_head(hs[:, :, 0])


class SamPromptDecoder(nn.Module):
    """Prompt encoder + mask decoder over a precomputed image embedding."""

    def __init__(self, embed_dim: int = 256, image_embedding_size: int = 64, input_image_size: int = 1024, mask_in_chans: int = 16,
                 decoder_heads: int = 8, decoder_mlp_dim: int = 2048):
        super().__init__()
        self.embed_dim = embed_dim
        self.image_embedding_size = image_embedding_size
        self.input_image_size = input_image_size
        self.prompt_encoder = PromptEncoder(embed_dim, image_embedding_size, input_image_size, mask_in_chans)
        self.mask_decoder = MaskDecoder(embed_dim, 3, 2, decoder_heads, decoder_mlp_dim)

    @property
    def low_res_size(self) -> int:
        return 4 * self.image_embedding_size

    def forward(
        self,
        image_embeddings: Tensor,
        boxes: Tensor | None = None,
        points: Tensor | None = None,
        point_labels: Tensor | None = None,
        mask_inputs: Tensor | None = None,
        sparse_embeddings: Tensor | None = None,
        multimask: bool = False,
    ) -> tuple[Tensor, Tensor]:
        """image_embeddings (B, C, h, w); boxes (B, N, 4); points (B, N, P, 2) + point_labels (B, N, P);
        mask_inputs (B, N, 1, 4h, 4w) logits; sparse_embeddings (B, N, T, C) extra prompt tokens.

        Returns (low_res_masks (B, N, K, 4h, 4w) logits, iou_scores (B, N, K)); K = 3 if multimask else 1.
        """
        b = image_embeddings.shape[0]
        n = _num_prompts(boxes, points, mask_inputs, sparse_embeddings)
        pe = self.prompt_encoder
        parts: list[Tensor] = []
        if points is not None:
            if point_labels is None:
                point_labels = torch.ones(points.shape[:-1], dtype=torch.long, device=points.device)
            parts.append(pe.embed_points(points.float(), point_labels, pad=boxes is None).expand(b, n, -1, -1))
        if boxes is not None:
            parts.append(pe.embed_boxes(boxes.float()).expand(b, n, -1, -1))
        if sparse_embeddings is not None:
            parts.append(sparse_embeddings.to(image_embeddings.dtype).expand(b, n, -1, -1))
        if parts:
            sparse = torch.cat(parts, dim=2)
        else:
            sparse = image_embeddings.new_zeros(b, n, 0, self.embed_dim)
        if mask_inputs is not None:
            mi = mask_inputs.float()
            dense = pe.mask_downscaling(mi.reshape(-1, *mi.shape[-3:])).view(mi.shape[0], mi.shape[1], self.embed_dim, *image_embeddings.shape[-2:])
            image = image_embeddings[:, None] + dense
        else:
            image = (image_embeddings + pe.no_mask_embed.weight.view(1, -1, 1, 1))[:, None]
        masks, iou = self.mask_decoder(image, pe.dense_pe(), sparse)
        sl = slice(1, None) if multimask else slice(0, 1)
        return masks[:, :, sl], iou[:, :, sl]


def _num_prompts(*tensors: Tensor | None) -> int:
    sizes = {t.shape[1] for t in tensors if t is not None}
    if len(sizes - {1}) > 1:
        raise ValueError(f"prompt counts differ: {sorted(sizes)}")
    return max(sizes) if sizes else 1


def load_sam_prompt_decoder(state_dict_original_layout: dict, **kwargs) -> SamPromptDecoder:
    """Build a decoder from `prompt_encoder.*` / `mask_decoder.*` weights (other keys ignored); strict."""
    sd = {k: v for k, v in state_dict_original_layout.items() if k.startswith(("prompt_encoder.", "mask_decoder."))}
    if not sd:
        raise KeyError("state dict has no prompt_encoder.* / mask_decoder.* keys (original SAM layout expected)")
    dim = sd["mask_decoder.iou_token.weight"].shape[1]
    mask_in = sd["prompt_encoder.mask_downscaling.3.weight"].shape[0]
    kwargs.setdefault("embed_dim", dim)
    kwargs.setdefault("mask_in_chans", mask_in)
    kwargs.setdefault("decoder_mlp_dim", sd["mask_decoder.transformer.layers.0.mlp.lin1.weight"].shape[0])
    model = SamPromptDecoder(**kwargs)
    model.load_state_dict(sd, strict=True)
    return model.eval()


def tiny_sam_prompt_decoder(embed_dim: int = 32, image_embedding_size: int = 16) -> SamPromptDecoder:
    """A random small decoder for tests (input image 16x the embedding size)."""
    return SamPromptDecoder(embed_dim, image_embedding_size, image_embedding_size * 16, mask_in_chans=8,
                            decoder_heads=4, decoder_mlp_dim=2 * embed_dim).eval()

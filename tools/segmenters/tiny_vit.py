"""TinyViT-5M image encoder as used by MobileSAM (written for this project; loads `image_encoder.*` strictly).

Input: float (B, 3, 1024, 1024), SAM-normalised and padded. Output: float (B, 256, 64, 64).
Stages: conv stem (stride 4) -> MBConv stage (64 ch) -> three windowed-attention stages (128, 160, 320 ch)
-> neck (1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d) to 256 channels.
Parameter names follow the MobileSAM checkpoint (e.g. `layers.1.blocks.0.attn.qkv.weight`).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of (B, C, H, W)."""

    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class ConvBN(nn.Sequential):
    """Conv2d without bias followed by BatchNorm2d (children named `c` and `bn`)."""

    def __init__(self, cin: int, cout: int, kernel: int = 1, stride: int = 1, pad: int = 0, groups: int = 1):
        super().__init__()
        self.add_module("c", nn.Conv2d(cin, cout, kernel, stride, pad, groups=groups, bias=False))
        self.add_module("bn", nn.BatchNorm2d(cout))


class PatchEmbed(nn.Module):
    """Two stride-2 3x3 convs: (B, 3, H, W) -> (B, dim, H/4, W/4)."""

    def __init__(self, cin: int, dim: int):
        super().__init__()
        self.seq = nn.Sequential(ConvBN(cin, dim // 2, 3, 2, 1), nn.GELU(), ConvBN(dim // 2, dim, 3, 2, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.seq(x)


class MBConv(nn.Module):
    """Inverted residual block (1x1 expand, 3x3 depthwise, 1x1 project) on (B, C, H, W)."""

    def __init__(self, dim: int, expand: float = 4.0):
        super().__init__()
        hidden = int(dim * expand)
        self.conv1 = ConvBN(dim, hidden, 1)
        self.conv2 = ConvBN(hidden, hidden, 3, 1, 1, groups=hidden)
        self.conv3 = ConvBN(hidden, dim, 1)
        self.act = nn.GELU()

    def forward(self, x: Tensor) -> Tensor:
        y = self.act(self.conv1(x))
        y = self.act(self.conv2(y))
        return self.act(self.conv3(y) + x)


class PatchMerging(nn.Module):
    """Downsample between stages: tokens (B, H*W, C) or maps (B, C, H, W) -> tokens (B, H'*W', out_dim)."""

    def __init__(self, resolution: int, dim: int, out_dim: int):
        super().__init__()
        self.resolution = resolution
        stride = 1 if out_dim in (320, 448, 576) else 2  # MobileSAM keeps 64x64 in the last stage
        self.conv1 = ConvBN(dim, out_dim, 1)
        self.conv2 = ConvBN(out_dim, out_dim, 3, stride, 1, groups=out_dim)
        self.conv3 = ConvBN(out_dim, out_dim, 1)
        self.act = nn.GELU()
        self.out_resolution = (resolution + 2 - 3) // stride + 1

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 3:
            b, _, c = x.shape
            x = x.view(b, self.resolution, self.resolution, c).permute(0, 3, 1, 2)
        x = self.act(self.conv1(x))
        x = self.act(self.conv2(x))
        x = self.conv3(x)
        return x.flatten(2).transpose(1, 2)


class WindowAttention(nn.Module):
    """Multi-head attention inside a (w x w) window with a learned bias per head and |dy|,|dx| offset."""

    def __init__(self, dim: int, heads: int, window: int):
        super().__init__()
        self.heads = heads
        self.key_dim = dim // heads
        self.scale = self.key_dim ** -0.5
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.attention_biases = nn.Parameter(torch.zeros(heads, window * window))
        ys, xs = torch.meshgrid(torch.arange(window), torch.arange(window), indexing="ij")
        ys, xs = ys.flatten(), xs.flatten()
        idx = (ys[:, None] - ys[None, :]).abs() * window + (xs[:, None] - xs[None, :]).abs()
        self.register_buffer("attention_bias_idxs", idx, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        b, n, _ = x.shape
        x = self.norm(x)
        q, k, v = self.qkv(x).view(b, n, self.heads, 3 * self.key_dim).split(self.key_dim, dim=3)
        q, k, v = (t.permute(0, 2, 1, 3) for t in (q, k, v))
        bias = self.attention_biases[:, self.attention_bias_idxs]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=self.scale)
        return self.proj(out.transpose(1, 2).reshape(b, n, -1))


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.act = nn.GELU()

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(self.norm(x))))


class TinyViTBlock(nn.Module):
    """Windowed attention + depthwise 3x3 conv + MLP on tokens (B, R*R, C)."""

    def __init__(self, dim: int, resolution: int, heads: int, window: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.resolution, self.window = resolution, window
        self.attn = WindowAttention(dim, heads, window)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.local_conv = ConvBN(dim, dim, 3, 1, 1, groups=dim)

    def forward(self, x: Tensor) -> Tensor:
        b, n, c = x.shape
        r, w = self.resolution, self.window
        if r == w:
            x = x + self.attn(x)
        else:
            y = x.view(b, r, r, c)
            pad = (w - r % w) % w
            if pad:
                y = F.pad(y, (0, 0, 0, pad, 0, pad))
            p = r + pad
            nw = p // w
            y = y.view(b, nw, w, nw, w, c).transpose(2, 3).reshape(b * nw * nw, w * w, c)
            y = self.attn(y)
            y = y.view(b, nw, nw, w, w, c).transpose(2, 3).reshape(b, p, p, c)
            if pad:
                y = y[:, :r, :r]
            x = x + y.reshape(b, n, c)
        x = x.transpose(1, 2).reshape(b, c, r, r)
        x = self.local_conv(x).view(b, c, n).transpose(1, 2)
        return x + self.mlp(x)


class ConvStage(nn.Module):
    def __init__(self, dim: int, depth: int, resolution: int, out_dim: int):
        super().__init__()
        self.blocks = nn.ModuleList(MBConv(dim) for _ in range(depth))
        self.downsample = PatchMerging(resolution, dim, out_dim)

    def forward(self, x: Tensor) -> Tensor:
        for blk in self.blocks:
            x = blk(x)
        return self.downsample(x)


class AttentionStage(nn.Module):
    def __init__(self, dim: int, depth: int, resolution: int, heads: int, window: int, out_dim: int | None):
        super().__init__()
        self.blocks = nn.ModuleList(TinyViTBlock(dim, resolution, heads, window) for _ in range(depth))
        self.downsample = PatchMerging(resolution, dim, out_dim) if out_dim else None

    def forward(self, x: Tensor) -> Tensor:
        for blk in self.blocks:
            x = blk(x)
        return self.downsample(x) if self.downsample is not None else x


class TinyViT(nn.Module):
    """TinyViT image encoder with SAM neck: (B, 3, img, img) -> (B, 256, img/16, img/16)."""

    def __init__(
        self,
        img_size: int = 1024,
        dims: tuple[int, ...] = (64, 128, 160, 320),
        depths: tuple[int, ...] = (2, 2, 6, 2),
        heads: tuple[int, ...] = (2, 4, 5, 10),
        windows: tuple[int, ...] = (7, 7, 14, 7),
        out_chans: int = 256,
    ):
        super().__init__()
        self.img_size = img_size
        self.patch_embed = PatchEmbed(3, dims[0])
        res = img_size // 4
        layers: list[nn.Module] = [ConvStage(dims[0], depths[0], res, dims[1])]
        res = layers[0].downsample.out_resolution
        for i in range(1, len(dims)):
            out_dim = dims[i + 1] if i + 1 < len(dims) else None
            stage = AttentionStage(dims[i], depths[i], res, heads[i], windows[i], out_dim)
            layers.append(stage)
            if stage.downsample is not None:
                res = stage.downsample.out_resolution
        self.layers = nn.ModuleList(layers)
        self.out_resolution = res
        self.norm_head = nn.LayerNorm(dims[-1])  # classification head: unused, kept for strict loading
        self.head = nn.Linear(dims[-1], 1000)
        self.neck = nn.Sequential(
            nn.Conv2d(dims[-1], out_chans, 1, bias=False),
            LayerNorm2d(out_chans),
            nn.Conv2d(out_chans, out_chans, 3, padding=1, bias=False),
            LayerNorm2d(out_chans),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.patch_embed(x)
        for layer in self.layers:
            x = layer(x)
        b, _, c = x.shape
        r = self.out_resolution
        x = x.view(b, r, r, c).permute(0, 3, 1, 2)
        return self.neck(x)

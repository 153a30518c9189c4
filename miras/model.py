"""MirasModel: LLM + vision tokens + region alignment + [SEG] head + SAM prompt decoder.

forward(batch) -> {"loss", "ce", "bce", "dice", "masks": list of (N_b, L, L) low-res logits} (+ "point", the point
head's loss, when the model has one)
generate_turn(ids (L,), vision inputs, sam embedding (1, D, e, e) or None) -> GeneratedTurn

The mask path (MASK_PATH: `align`, `seg_head`, `decoder`, and the optional point head `pointer`) only sees the LLM
through the last-layer hidden states of each `[OBJ] name [SEG]` span: `seg_spans` cuts them out, and the mask
path's own methods (miras.mask_path: `prompts`, `seg_cells`, `decode_masks`, `decode_batch`) turn them into masks (the mask stage trains on exactly these).

A Batch (miras.data.batch) holds per-sample input_ids/labels, the stacked vision inputs of the samples that have
an image (image_index[b] = row, or -1), the SAM embeddings of those images and per-sample target masks
(N_b, L, L) in the order of the sample's [SEG] tokens.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from miras.alignment import RegionAlignment, SegPromptHead
from miras.config import MirasConfig
from miras.losses import mask_bce, mask_dice, text_ce
from miras.mask_path import MaskPathMixin
from miras.pointing import SegPointer, interior_cells, pointing_loss
from miras.splice import seg_positions, span_start, splice
from miras.tokens import TokenIds




class MaskCountError(ValueError):
    """A sample's [SEG] count does not match its target masks."""


def check_mask_count(b: int, positions: torch.Tensor, gt: torch.Tensor | None) -> int:
    """The number of masks of sample b, which must equal its number of [SEG] positions."""
    n_gt = 0 if gt is None else gt.shape[0]
    if positions.numel() != n_gt:
        raise MaskCountError(f"sample {b}: {positions.numel()} [SEG] tokens but {n_gt} target masks")
    return n_gt


@dataclass
class GeneratedTurn:
    """new_ids: generated token ids (without the prompt); low_res: (N, L, L) logits, one per generated [SEG];
    scores: (N,) predicted IoU."""

    new_ids: torch.Tensor
    low_res: torch.Tensor | None
    scores: torch.Tensor | None


class MirasModel(MaskPathMixin, nn.Module):
    def __init__(self, cfg: MirasConfig, llm, tokenizer, base_vocab: int, ids: TokenIds, vision: nn.Module,
                 seg_encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.cfg = cfg
        self.llm = llm
        self.tokenizer = tokenizer
        self.base_vocab = base_vocab
        self.ids = ids
        self.vision = vision
        self.seg_encoder = seg_encoder
        self.decoder = decoder
        hidden = llm.get_input_embeddings().weight.shape[1]
        self.align = RegionAlignment(hidden, cfg.align_heads)
        self.seg_head = SegPromptHead(hidden, cfg.seg.embed_dim)
        self.pointer = SegPointer(hidden, cfg.seg.embed_dim) if cfg.seg.point_prompt else None

    def train(self, mode: bool = True):
        """Train mode for the trainable parts; the frozen encoders always stay in eval mode."""
        super().train(mode)
        for frozen in (self.seg_encoder, self.vision.clip, self.vision.aux):
            if frozen is not None:
                frozen.eval()
        return self

    # ----- pieces -----
    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.llm.get_input_embeddings()(ids.to(self.device))

    @property
    def device(self) -> torch.device:
        return self.seg_head.mlp[0].weight.device

    @torch.no_grad()
    def encode_sam(self, frame: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) SAM-normalised frame -> (B, D, e, e) embedding (frozen encoder)."""
        return self.seg_encoder(frame.to(self.device)).float()

    def _image_feats(self, n: int, image_index: list[int], vision_inputs: dict) -> list[torch.Tensor | None]:
        if not vision_inputs or all(i < 0 for i in image_index):
            return [None] * n
        feats = self.vision({k: v.to(self.device) for k, v in vision_inputs.items()})
        return [feats[i] if i >= 0 else None for i in image_index]

    def seg_spans(self, hidden: torch.Tensor, ids_row: torch.Tensor, positions: torch.Tensor) -> list[torch.Tensor]:
        """hidden (L, H) of one sample -> per [SEG] position p the span hidden[span_start .. p] (L_i, H); its last
        row is the [SEG] state."""
        return [hidden[span_start(ids_row, p, self.ids.obj, self.ids.seg): p + 1] for p in positions.tolist()]

    def seg_prompts(self, hidden: torch.Tensor, ids_row: torch.Tensor, positions: torch.Tensor
                    ) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor]:
        """hidden (L, H) last-layer states of one sample -> its [SEG] states (N, H), their spans and the (N, 1, D)
        sparse prompts for its [SEG] positions."""
        seg, spans = hidden[positions.tolist()], self.seg_spans(hidden, ids_row, positions)
        return seg, spans, self.prompts(seg, spans)

    def _run(self, input_ids, labels, image_index, vision_inputs):
        feats = self._image_feats(len(input_ids), image_index, vision_inputs)
        sp = splice([i.to(self.device) for i in input_ids],
                    [lab.to(self.device) for lab in labels] if labels is not None else None,
                    feats, self.embed, self.ids.image)
        out = self.llm(inputs_embeds=sp.inputs_embeds, attention_mask=sp.attention_mask, output_hidden_states=True,
                       use_cache=False)
        return sp, out

    # ----- training -----
    def forward(self, batch) -> dict:
        sp, out = self._run(batch.input_ids, batch.labels, batch.image_index, batch.vision)
        ce = text_ce(out.logits, sp.labels)
        hidden = out.hidden_states[-1]
        preds, gts, point_losses = [], [], []
        masks_out = []
        for b, positions in enumerate(seg_positions(sp.ids, self.ids.seg)):
            gt = batch.gt_masks[b]
            if check_mask_count(b, positions, gt) == 0:
                masks_out.append(None)
                continue
            row = batch.image_index[b]
            seg, spans, prompts = self.seg_prompts(hidden[b], sp.ids[b], positions)
            sam = batch.sam[row: row + 1].to(self.device).float()
            cells = None
            if self.pointer is not None:  # teacher forcing: SAM gets a point inside the target
                point_losses.append(pointing_loss(self.point_logits(sam, seg, spans), gt.to(self.device)))
                cells = interior_cells(gt, sam.shape[-1])
            low, _ = self.decode_masks(sam, prompts, cells)
            preds.append(low)
            gts.append(gt.to(self.device))
            masks_out.append(low.detach())
        if preds:
            pred, gt = torch.cat(preds), torch.cat(gts)
            bce, dice = mask_bce(pred, gt), mask_dice(pred, gt)
        else:
            bce = dice = hidden.sum() * 0.0
        w = self.cfg.loss
        loss = w.ce_weight * ce + w.bce_weight * bce + w.dice_weight * dice
        result = {"ce": ce.detach(), "bce": bce.detach(), "dice": dice.detach(), "masks": masks_out}
        if point_losses:
            point = torch.stack(point_losses).mean()
            loss = loss + w.point_weight * point
            result["point"] = point.detach()
        return {"loss": loss, **result}

    # ----- inference -----
    @torch.no_grad()
    def generate_turn(self, ids: torch.Tensor, vision_inputs: dict | None, sam_emb: torch.Tensor | None,
                      max_new_tokens: int | None = None) -> GeneratedTurn:
        has_image = vision_inputs is not None
        index = [0 if has_image else -1]
        sp, _ = None, None
        feats = self._image_feats(1, index, vision_inputs or {})
        sp = splice([ids.to(self.device)], None, feats, self.embed, self.ids.image)
        gen = self.llm.generate(inputs_embeds=sp.inputs_embeds, attention_mask=sp.attention_mask,
                                max_new_tokens=max_new_tokens or self.cfg.max_new_tokens, do_sample=False,
                                eos_token_id=self.ids.im_end, pad_token_id=self.ids.pad,
                                suppress_tokens=[self.ids.image])
        new_ids = gen[0].cpu()
        if new_ids.numel() and int(new_ids[-1]) == self.ids.pad and self.ids.pad != self.ids.im_end:
            new_ids = new_ids[new_ids != self.ids.pad]
        if not has_image or not (new_ids == self.ids.seg).any():
            return GeneratedTurn(new_ids, None, None)
        full = torch.cat([ids.cpu(), new_ids])
        sp_full, out = self._run([full], None, index, vision_inputs)
        positions = seg_positions(sp_full.ids, self.ids.seg)[0]
        positions = positions[positions >= sp.ids.shape[1]]
        seg, spans, prompts = self.seg_prompts(out.hidden_states[-1][0], sp_full.ids[0], positions)
        sam = sam_emb.to(self.device).float()
        cells = self.seg_cells(sam, seg, spans)
        low, iou = self.decode_masks(sam, prompts, cells, best_of_three=cells is not None)
        return GeneratedTurn(new_ids, low.cpu(), iou.cpu())

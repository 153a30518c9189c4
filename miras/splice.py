"""Splice image features into the token sequence, and find [SEG] / [OBJ] positions AFTER splicing.

Each <image> placeholder id in a sample's input_ids is replaced by that sample's T image feature vectors, so
every later position moves by T - 1 per image. Positions of [SEG] are read from the spliced id map (image
positions carry the placeholder id), never computed from a fixed offset; this stays right for any T.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from miras.tokens import IGNORE_INDEX


class SpliceError(ValueError):
    """Image placeholders and image features do not agree."""


@dataclass
class Spliced:
    """inputs_embeds (B, L, H); attention_mask (B, L) long; labels (B, L) with IGNORE_INDEX on image, user and
    pad positions; ids (B, L): the token id at every spliced position (image positions = image id, pad = -1)."""

    inputs_embeds: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor
    ids: torch.Tensor


def splice(input_ids: list[torch.Tensor], labels: list[torch.Tensor] | None,
           image_feats: list[torch.Tensor | None], embed, image_id: int) -> Spliced:
    """input_ids/labels: B 1-D long tensors; image_feats: per sample (T_i, H) or None; embed: ids -> (n, H).
    Pads on the right."""
    rows, lab_rows, id_rows = [], [], []
    for i, ids in enumerate(input_ids):
        lab = labels[i] if labels is not None else torch.full_like(ids, IGNORE_INDEX)
        where = (ids == image_id).nonzero().flatten().tolist()
        feats = image_feats[i]
        if where and feats is None:
            raise SpliceError(f"sample {i} has {len(where)} <image> placeholder(s) but no image features")
        if feats is not None and not where:
            raise SpliceError(f"sample {i} has image features but no <image> placeholder")
        text_emb = embed(ids)
        pieces, lab_pieces, id_pieces, start = [], [], [], 0
        for pos in where:
            pieces += [text_emb[start:pos], feats.to(text_emb.dtype)]
            lab_pieces += [lab[start:pos], torch.full((feats.shape[0],), IGNORE_INDEX, dtype=lab.dtype)]
            id_pieces += [ids[start:pos], torch.full((feats.shape[0],), image_id, dtype=ids.dtype)]
            start = pos + 1
        pieces.append(text_emb[start:])
        lab_pieces.append(lab[start:])
        id_pieces.append(ids[start:])
        rows.append(torch.cat(pieces))
        lab_rows.append(torch.cat(lab_pieces))
        id_rows.append(torch.cat(id_pieces))
    length = max(r.shape[0] for r in rows)
    hidden = rows[0].shape[1]
    b = len(rows)
    emb = rows[0].new_zeros(b, length, hidden)
    mask = torch.zeros(b, length, dtype=torch.long)
    lab_out = torch.full((b, length), IGNORE_INDEX, dtype=torch.long)
    id_out = torch.full((b, length), -1, dtype=torch.long)
    for i, (r, lr, ir) in enumerate(zip(rows, lab_rows, id_rows)):
        n = r.shape[0]
        emb[i, :n] = r
        mask[i, :n] = 1
        lab_out[i, :n] = lr
        id_out[i, :n] = ir
    return Spliced(emb, mask.to(emb.device), lab_out.to(emb.device), id_out.to(emb.device))


def seg_positions(ids: torch.Tensor, seg_id: int) -> list[torch.Tensor]:
    """Per sample, the positions (ascending) of [SEG] in the spliced id map (B, L)."""
    return [(row == seg_id).nonzero().flatten() for row in ids]


def span_start(row: torch.Tensor, seg_pos: int, obj_id: int, seg_id: int) -> int:
    """Start of the `[OBJ] name [SEG]` span ending at seg_pos: the nearest [OBJ] before it with no other [SEG]
    in between; seg_pos itself when there is none."""
    for pos in range(seg_pos - 1, -1, -1):
        tok = int(row[pos])
        if tok == seg_id:
            break
        if tok == obj_id:
            return pos
    return seg_pos

"""Turn a dialogue into token ids and labels (loss on every assistant reply, nothing else).

`encode_dialogue(tokenizer, turns, with_image)`: turns = [(human_text, reply_or_None), ...] where a reply is the
full assistant text ("[OBJ] name [SEG] ..." for mask turns). Each block is tokenized on its own and concatenated,
so training and generation see identical prefixes. Returns (input_ids (L,), labels (L,)) long tensors; labels are
IGNORE_INDEX on user blocks and the image placeholder. A final turn with reply None ends the ids at
"<|im_start|>assistant\n", ready for generation.
"""
from __future__ import annotations

import torch

from miras.tokens import IGNORE_INDEX, assistant_block, user_block


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def encode_dialogue(tokenizer, turns: list[tuple[str, str | None]], with_image: bool,
                    max_len: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    ids: list[int] = []
    labels: list[int] = []
    for i, (human, reply) in enumerate(turns):
        u = _ids(tokenizer, user_block(human, with_image and i == 0))
        ids += u
        labels += [IGNORE_INDEX] * len(u)
        if reply is None:
            if i != len(turns) - 1:
                raise ValueError("only the last turn may lack a reply")
            break
        a = _ids(tokenizer, assistant_block(reply))
        ids += a
        labels += a
    if max_len is not None and len(ids) > max_len:
        ids, labels = ids[:max_len], labels[:max_len]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(labels, dtype=torch.long)

"""Special tokens, the tiny byte-level tokenizer, and the chat layout MIRAS trains and generates with.

Layout (ChatML, as SmolLM2 uses), one image placeholder in the first user turn:
    <|im_start|>user\n<image>\n{human}<|im_end|>\n<|im_start|>assistant\n{reply}<|im_end|>\n ...
A reply that carries a mask reads "[OBJ] {target} [SEG] {text}": the model names its target between [OBJ] and
[SEG], and the last-layer hidden state at [SEG] becomes the mask decoder's prompt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

IMAGE_TOKEN = "<image>"
SEG_TOKEN = "[SEG]"
OBJ_TOKEN = "[OBJ]"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
NEW_TOKENS = [IMAGE_TOKEN, SEG_TOKEN, OBJ_TOKEN]
IGNORE_INDEX = -100


@dataclass(frozen=True)
class TokenIds:
    image: int
    seg: int
    obj: int
    im_start: int
    im_end: int
    pad: int


def build_tiny_tokenizer():
    """A byte-level tokenizer (256 byte symbols, no merges) with the chat and MIRAS special tokens."""
    from tokenizers import Tokenizer, decoders, models
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import PreTrainedTokenizerFast

    vocab = {ch: i for i, ch in enumerate(sorted(ByteLevel.alphabet()))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(tokenizer_object=core)
    tok.add_special_tokens({"extra_special_tokens": [IM_START, IM_END], "pad_token": "<pad>"})
    tok.eos_token = IM_END
    return tok


def add_miras_tokens(tokenizer) -> int:
    """Add <image>, [SEG], [OBJ] (and chat tokens if missing) as special tokens; returns how many were added."""
    vocab = tokenizer.get_vocab()
    wanted = [t for t in [IM_START, IM_END, *NEW_TOKENS] if t not in vocab]
    added = tokenizer.add_special_tokens({"extra_special_tokens": wanted}, replace_extra_special_tokens=False) \
        if wanted else 0
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token or IM_END
    return added


def token_ids(tokenizer) -> TokenIds:
    conv = tokenizer.convert_tokens_to_ids
    return TokenIds(image=conv(IMAGE_TOKEN), seg=conv(SEG_TOKEN), obj=conv(OBJ_TOKEN), im_start=conv(IM_START),
                    im_end=conv(IM_END), pad=tokenizer.pad_token_id)


_SEG_RE = re.compile(r"\s*\[SEG\]\s*")
_OBJ_SPAN_RE = re.compile(r"\[OBJ\](.*?)\[SEG\]", re.S)


def assistant_reply(text: str, target: str | None, has_mask: bool) -> str:
    """The reply MIRAS is trained to produce: "[OBJ] target [SEG] text" for a mask turn, plain text otherwise.
    Any [SEG]/[OBJ] already in the reference text (PRIST style) is removed first."""
    clean = _SEG_RE.sub(" ", text.replace(OBJ_TOKEN, " ")).strip()
    clean = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", clean))
    if not has_mask:
        return clean
    name = (target or "the target").strip()
    return f"{OBJ_TOKEN} {name} {SEG_TOKEN} {clean}".rstrip()


def clean_user_text(text: str) -> str:
    """User text with any special-token strings removed (a user cannot inject [SEG] or <image>)."""
    for tok in (IMAGE_TOKEN, SEG_TOKEN, OBJ_TOKEN, IM_START, IM_END):
        text = text.replace(tok, " ")
    return re.sub(r"\s{2,}", " ", text).strip()


def user_block(text: str, with_image: bool) -> str:
    image = f"{IMAGE_TOKEN}\n" if with_image else ""
    return f"{IM_START}user\n{image}{clean_user_text(text)}{IM_END}\n{IM_START}assistant\n"


def assistant_block(reply: str) -> str:
    return f"{reply}{IM_END}\n"


def targets_in(text: str) -> list[str]:
    """Target phrases named in a generated reply: the text of every [OBJ] ... [SEG] span."""
    return [m.strip() for m in _OBJ_SPAN_RE.findall(text) if m.strip()]


def visible_text(text: str) -> str:
    """The reply as shown to a user: special tokens removed, the named target kept."""
    out = text.replace(IM_END, "").replace(OBJ_TOKEN, "").replace(SEG_TOKEN, "").replace(IMAGE_TOKEN, "")
    return re.sub(r"\s{2,}", " ", out).strip()

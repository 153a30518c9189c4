"""[SEG] positions are found after image tokens are spliced in, for several image-token counts."""
from __future__ import annotations

import pytest
import torch

from miras.data.encode import encode_dialogue
from miras.splice import SpliceError, seg_positions, span_start, splice
from miras.tokens import IGNORE_INDEX, token_ids

TURNS = [("segment the red circle", "[OBJ] the red circle [SEG] Here it is."),
         ("and the square?", "[OBJ] the blue square [SEG] Done.")]


@pytest.mark.parametrize("n_image_tokens", [1, 4, 16, 37, 64])
def test_seg_positions_follow_the_image_token_count(tiny_model, n_image_tokens):
    tok = tiny_model.tokenizer
    ids = token_ids(tok)
    input_ids, labels = encode_dialogue(tok, TURNS, with_image=True)
    raw_seg = (input_ids == ids.seg).nonzero().flatten()
    img_pos = int((input_ids == ids.image).nonzero().flatten()[0])
    assert len(raw_seg) == 2 and (raw_seg > img_pos).all()
    embed = torch.nn.Embedding(len(tok), 8)
    feats = torch.randn(n_image_tokens, 8)
    other = torch.randn(3, 8)
    # second sample: a different image-token count in the same batch, shorter text
    ids2, lab2 = encode_dialogue(tok, TURNS[:1], with_image=True)
    sp = splice([input_ids, ids2], [labels, lab2], [feats, other], embed, ids.image)
    found = seg_positions(sp.ids, ids.seg)
    assert found[0].tolist() == (raw_seg + n_image_tokens - 1).tolist()
    assert found[1].tolist() == ((ids2 == ids.seg).nonzero().flatten() + 3 - 1).tolist()
    for p in found[0].tolist():  # the embedding at each found position is the [SEG] token's
        assert torch.equal(sp.inputs_embeds[0, p], embed.weight[ids.seg])
    # the image features sit where the placeholder was; their labels are ignored
    assert torch.equal(sp.inputs_embeds[0, img_pos: img_pos + n_image_tokens], feats)
    assert (sp.labels[0, img_pos: img_pos + n_image_tokens] == IGNORE_INDEX).all()
    # the [OBJ] ... [SEG] span of each [SEG] starts at its own [OBJ]
    for p in found[0].tolist():
        start = span_start(sp.ids[0], p, ids.obj, ids.seg)
        assert int(sp.ids[0, start]) == ids.obj and p - start > 3
    assert sp.attention_mask[1].sum() == ids2.numel() - 1 + 3


def test_splice_refuses_mismatched_images(tiny_model):
    ids = token_ids(tiny_model.tokenizer)
    input_ids, _ = encode_dialogue(tiny_model.tokenizer, TURNS, with_image=True)
    embed = torch.nn.Embedding(len(tiny_model.tokenizer), 8)
    with pytest.raises(SpliceError):
        splice([input_ids], None, [None], embed, ids.image)
    text_only, _ = encode_dialogue(tiny_model.tokenizer, TURNS, with_image=False)
    with pytest.raises(SpliceError):
        splice([text_only], None, [torch.zeros(4, 8)], embed, ids.image)


def test_model_reads_hidden_state_at_the_spliced_seg(tiny_model, shapes_dir):
    """Through the real model: the prompts come from the [SEG] rows of the spliced sequence."""
    from miras.data.batch import Featurizer
    from miras.data.samples import read_dialogues

    sample = read_dialogues(shapes_dir)[0]
    batch = Featurizer(tiny_model).batch([sample])
    tiny_model.eval()
    with torch.no_grad():
        sp, out = tiny_model._run(batch.input_ids, batch.labels, batch.image_index, batch.vision)
    t = tiny_model.vision.num_tokens
    raw = (batch.input_ids[0] == tiny_model.ids.seg).nonzero().flatten()
    assert seg_positions(sp.ids, tiny_model.ids.seg)[0].tolist() == (raw + t - 1).tolist()
    assert out.hidden_states[-1].shape[1] == batch.input_ids[0].numel() - 1 + t

"""Grounding DINO and OWLv2 end to end with tiny random models built in code and saved to a tmp folder."""
import json

import numpy as np
import pytest
import torch

from tiny_detectors import save_tiny_owlv2

from tools.grounders import GrounderError, build_grounder
from tools.grounders.hf_detectors import GroundingDinoGrounder, Owlv2Grounder, query_phrases


@pytest.fixture(scope="module")
def dino_folder(tmp_path_factory):
    from transformers import (BertConfig, BertTokenizer, GroundingDinoConfig, GroundingDinoForObjectDetection,
                              GroundingDinoProcessor, SwinConfig)
    from transformers.models.grounding_dino.image_processing_pil_grounding_dino import GroundingDinoImageProcessorPil

    d = tmp_path_factory.mktemp("tiny_dino")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", "a", "the", "red", "cat", "dog", "car", "ball"]
    (d / "vocab.txt").write_text("\n".join(vocab))
    processor = GroundingDinoProcessor(
        image_processor=GroundingDinoImageProcessorPil(size={"shortest_edge": 64, "longest_edge": 96}),
        tokenizer=BertTokenizer(str(d / "vocab.txt")))
    torch.manual_seed(0)
    config = GroundingDinoConfig(
        backbone_config=SwinConfig(embed_dim=8, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1], window_size=4,
                                   image_size=64, out_features=["stage2", "stage3", "stage4"]),
        text_config=BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=16, max_position_embeddings=64),
        d_model=32, num_queries=12, encoder_layers=1, decoder_layers=2, encoder_ffn_dim=16, decoder_ffn_dim=16,
        encoder_attention_heads=2, decoder_attention_heads=2, max_text_len=32, encoder_n_points=2, decoder_n_points=2)
    GroundingDinoForObjectDetection(config).save_pretrained(d)
    processor.save_pretrained(d)
    return d


@pytest.fixture(scope="module")
def owl_folder(tmp_path_factory):
    return save_tiny_owlv2(tmp_path_factory.mktemp("tiny_owl"))


def _check(regions, width, height, source, phrases):
    assert regions, "threshold 0 must keep detections"
    for r in regions:
        assert r.source == source and r.label in phrases
        x0, y0, x1, y1 = r.box
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert 0.0 <= r.score <= 1.0
    assert [r.score for r in regions] == sorted((r.score for r in regions), reverse=True)


@pytest.mark.slow
def test_grounding_dino_end_to_end(dino_folder):
    g = GroundingDinoGrounder(dino_folder, box_threshold=0.0, text_threshold=0.0, max_detections=5)
    image = np.random.default_rng(0).integers(0, 255, (120, 200, 3), dtype=np.uint8)
    regions = g.ground(image, "find the red cat. a dog")
    _check(regions, 200, 120, "grounding_dino", {"the red cat", "a dog"})
    assert len(regions) <= 5 and regions[0].id == "g0"
    g.box_threshold = 1.0
    assert g.ground(image, "a cat") == []


def test_owlv2_end_to_end(owl_folder):
    g = build_grounder("owlv2", path=str(owl_folder), threshold=0.0)
    image = np.random.default_rng(1).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    regions = g.ground(image, "a red ball. the cat")
    _check(regions, 160, 90, "owlv2", {"a red ball", "the cat"})
    assert isinstance(g, Owlv2Grounder)
    g.threshold = 1.0
    assert g.ground(image, "a cat") == []


def test_bad_folders_and_queries(tmp_path, dino_folder):
    with pytest.raises(GrounderError, match="does not exist"):
        GroundingDinoGrounder(tmp_path / "missing")
    with pytest.raises(GrounderError, match="config.json"):
        Owlv2Grounder(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(GrounderError, match="cannot load"):
        Owlv2Grounder(tmp_path)
    with pytest.raises(GrounderError, match="empty query"):
        query_phrases(" . ")
    assert query_phrases("Please find the red car. A dog!") == ["the red car", "a dog"]

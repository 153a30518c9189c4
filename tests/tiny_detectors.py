"""Tiny random transformers detectors built in code and saved to a folder (tests of the local-folder paths)."""
import json
from pathlib import Path

import torch


def save_tiny_owlv2(d: Path) -> Path:
    """A tiny random OWLv2 with processor in folder d (vocabulary: a the red cat dog car ball)."""
    d.mkdir(parents=True, exist_ok=True)
    from transformers import CLIPTokenizer, Owlv2Config, Owlv2ForObjectDetection, Owlv2Processor
    from transformers.models.owlv2.image_processing_pil_owlv2 import Owlv2ImageProcessorPil

    # OWLv2 treats a query whose first token id is 0 as padding: keep the special tokens away from id 0.
    words = ["!", "a</w>", "the</w>", "red</w>", "cat</w>", "dog</w>", "car</w>", "ball</w>", "<|startoftext|>",
             "<|endoftext|>"]
    (d / "vocab.json").write_text(json.dumps({w: i for i, w in enumerate(words)}))
    (d / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(d / "vocab.json"), str(d / "merges.txt"), pad_token="!")
    processor = Owlv2Processor(image_processor=Owlv2ImageProcessorPil(size={"height": 32, "width": 32}),
                               tokenizer=tokenizer)
    torch.manual_seed(0)
    config = Owlv2Config(
        text_config=dict(vocab_size=len(words), hidden_size=16, intermediate_size=16, num_hidden_layers=1,
                         num_attention_heads=2, max_position_embeddings=16, bos_token_id=8, eos_token_id=9,
                         pad_token_id=0),
        vision_config=dict(hidden_size=16, intermediate_size=16, num_hidden_layers=1, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16)
    Owlv2ForObjectDetection(config).save_pretrained(d)
    processor.save_pretrained(d)
    return d



"""Detector-first grounding through a user's open-vocabulary detector (a tiny random OWLv2 built in code): the
category the request names is the detector's query, and its boxes become the candidates."""
import numpy as np
import torch
from tiny_detectors import save_tiny_owlv2

from agent.session import Session
from tools.grounders import build_grounder


def test_owlv2_boxes_are_the_candidates(tmp_path):
    owl = build_grounder("owlv2", path=str(save_tiny_owlv2(tmp_path / "owl")), threshold=0.0)
    with torch.no_grad():  # a random model scores ~0 everywhere: shift its logits so its boxes count as found
        owl.model.class_head.logit_shift.bias.fill_(5.0)
    image = np.random.default_rng(0).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    s = Session(image, segmenter=None, grounders=[owl], db_path=tmp_path / "c.sqlite")
    assert s.runtime.has_detector() and s.runtime.has_open_vocabulary()
    r = s.ask("segment the car on the left")
    assert r.mask is not None and "car (detector" in r.text
    found = s.runtime.detect(s.runtime.cache.get(s.image_ref), "owlv2", "car")
    assert found and all(d.source == "owlv2" for d in found)
    s.close()

"""ONNX export of a tiny random SAM-family model: folder naming, reuse, redo after corruption, parity with torch,
the prompt packing of tools.segmenters.onnx_decoder, and the runtime switch with its fallback."""
import logging

import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from tools.segmenters.onnx_decoder import SamOnnxDecoder, pack_prompts  # noqa: E402
from tools.segmenters.onnx_export import FILES, check_folder, ensure_onnx, exporter_tag, onnx_folder  # noqa: E402
from tools.segmenters.prompts import normalise_prompts  # noqa: E402
from tools.segmenters.runtime import load_onnx, resolve_runtime, segmenter_options  # noqa: E402
from tools.segmenters.sam_decoder import tiny_sam_prompt_decoder  # noqa: E402
from tools.segmenters.sam_segmenter import SamFamilySegmenter  # noqa: E402
from tools.segmenters.embedding_cache import EmbeddingCache  # noqa: E402

SHA = "0123456789abcdef" * 4
PROMPTS = [
    {"boxes": [[10, 20, 120, 150], [40, 40, 200, 90]]},
    {"points": [[60, 70], [100, 30]], "point_labels": [1, 0]},
    {"boxes": [30, 30, 160, 170], "points": [[80, 90]]},
    {"points": [[50, 50]], "mask_prompts": np.random.default_rng(0).normal(size=(64, 64)).astype(np.float32)},
    {"mask_prompts": np.random.default_rng(1).normal(size=(2, 64, 64)).astype(np.float32)},
]


@pytest.fixture(scope="module")
def tiny():
    """(encoder (1, 3, 256, 256) -> (1, 32, 16, 16), decoder) with random weights."""
    torch.manual_seed(0)
    encoder = nn.Sequential(nn.Conv2d(3, 32, 16, 16), nn.GELU()).eval()
    return encoder, tiny_sam_prompt_decoder(embed_dim=32, image_embedding_size=16)


@pytest.fixture(scope="module")
def exported(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("weights")
    return root, ensure_onnx(*tiny, SHA, prefix="tiny", root=root, log=lambda m: None)


def test_folder_name_carries_digest_and_exporter(exported):
    root, folder = exported
    assert folder == onnx_folder(SHA, "tiny", root)
    assert folder.name == f"tiny-{SHA[:12]}-onnx-{exporter_tag()}" and torch.__version__.split("+")[0] in folder.name
    assert check_folder(folder) is None and all((folder / f).is_file() for f in FILES)
    assert not [p for p in root.iterdir() if p.name.startswith(".tiny") and p.is_dir()]  # no temp folder left


def test_second_call_reuses_the_export(tiny, exported):
    root, folder = exported
    said = []
    assert ensure_onnx(*tiny, SHA, prefix="tiny", root=root, log=said.append) == folder and said == []


@pytest.mark.parametrize("damage", ["truncate", "drop_manifest"])
def test_partial_or_corrupted_export_is_redone(tiny, tmp_path, damage):
    folder = ensure_onnx(*tiny, SHA, prefix="tiny", root=tmp_path, log=lambda m: None)
    if damage == "truncate":
        data = (folder / "decoder.onnx").read_bytes()
        (folder / "decoder.onnx").write_bytes(data[: len(data) // 2])
    else:
        (folder / "manifest.json").unlink()
    assert check_folder(folder) is not None
    said = []
    assert ensure_onnx(*tiny, SHA, prefix="tiny", root=tmp_path, log=said.append) == folder
    assert len(said) == 1 and check_folder(folder) is None


def test_packed_prompts_match_the_torch_decoder(tiny):
    dec = tiny[1]
    wrap = SamOnnxDecoder(dec)
    emb = torch.randn(1, 32, 16, 16)
    for kw in PROMPTS:
        p = normalise_prompts(mask_size=64, **kw)
        inp = {k: torch.from_numpy(v) for k, v in pack_prompts(p, 64).items()}
        t = (lambda a: None if a is None else torch.from_numpy(a)[None])
        with torch.inference_mode():
            low, iou = wrap(emb, inp["coords"], inp["labels"], inp["mask_input"], inp["has_mask"])
            ref_low, ref_iou = dec(emb, boxes=t(p.boxes), points=t(p.points), point_labels=t(p.labels),
                                   mask_inputs=t(p.masks), multimask=True)
        torch.testing.assert_close(low[:, 1:], ref_low[0].expand_as(low[:, 1:]), rtol=0, atol=1e-5)
        torch.testing.assert_close(iou[:, 1:], ref_iou[0].expand_as(iou[:, 1:]), rtol=0, atol=1e-5)


def test_onnx_runtime_segmenter_matches_torch(tiny, exported):
    from tools.segmenters.ort_sam import OrtSam

    enc, dec = tiny
    kw = {"name": "tiny", "cache": EmbeddingCache()}
    seg_t = SamFamilySegmenter(enc, dec, cache_key="tiny-t", **kw)
    seg_o = SamFamilySegmenter(enc, dec, cache_key="tiny-o", ort=OrtSam(exported[1], num_threads=1), **kw)
    pixels = np.random.default_rng(2).integers(0, 255, (180, 240, 3), dtype=np.uint8)
    et, eo = seg_t.embed(pixels), seg_o.embed(pixels)
    assert eo.extra["runtime"] == "onnx" and et.extra["runtime"] == "torch"
    torch.testing.assert_close(eo.features, et.features, rtol=1e-4, atol=1e-4)
    for prompt in PROMPTS:
        for multimask in (True, False):
            rt, ro = seg_t.segment(et, multimask=multimask, **prompt), seg_o.segment(eo, multimask=multimask, **prompt)
            assert ro.masks.shape == rt.masks.shape
            np.testing.assert_allclose(ro.low_res_logits, rt.low_res_logits, atol=1e-3)
    assert len(seg_o.propose(pixels, points_per_side=4)) == len(seg_t.propose(pixels, points_per_side=4))


class RecordingSession:
    """Wraps an onnxruntime session; records (prompts in the call, whether it asked for the arena back)."""

    def __init__(self, session):
        self.session, self.calls = session, []

    def run(self, names, feed, options=None):
        self.calls.append((feed["coords"].shape[0], options is not None))
        return self.session.run(names, feed, options)


def test_decoder_arena_is_given_back_after_each_call_or_pass(tiny, exported):
    from tools.segmenters.ort_sam import OrtSam
    from tools.segmenters.propose import ProposalsStopped

    enc, dec = tiny
    ort_sam = OrtSam(exported[1], num_threads=1)
    rec = ort_sam.decoder = RecordingSession(ort_sam.decoder)
    seg = SamFamilySegmenter(enc, dec, name="tiny", cache_key="tiny-arena", cache=EmbeddingCache(), ort=ort_sam,
                             prompts_per_batch=1)
    pixels = np.random.default_rng(3).integers(0, 255, (180, 240, 3), dtype=np.uint8)
    emb = seg.embed(pixels)
    alone = seg.segment(emb, boxes=[[10, 20, 120, 150], [40, 40, 200, 90]])
    assert rec.calls == [(1, False), (1, True)]  # the first call keeps its buffers for the second, which frees them
    rec.calls.clear()
    with seg.decoder_pass():
        inside = seg.segment(emb, boxes=[[10, 20, 120, 150], [40, 40, 200, 90]])
        assert rec.calls == [(1, False), (1, False)]
    assert rec.calls[-1] == (1, True) and len(rec.calls) == 3  # one small call at the end gives the arena back
    np.testing.assert_array_equal(inside.low_res_logits, alone.low_res_logits)
    rec.calls.clear()
    seg.propose(pixels, points_per_side=4)
    assert len(rec.calls) > 2 and rec.calls[-1] == (1, True) and not any(freed for _, freed in rec.calls[:-1])
    rec.calls.clear()
    with pytest.raises(ProposalsStopped):  # a stopped pass gives it back too
        seg.propose(pixels, points_per_side=4, stop=lambda: len(rec.calls) >= 2)
    assert rec.calls[-1] == (1, True) and ort_sam._passes == 0 and ort_sam._held_feed is None


def test_runtime_choice():
    assert resolve_runtime(None, "cpu") == "onnx" and resolve_runtime("auto", "cuda:0") == "torch"
    assert resolve_runtime("torch", "cpu") == "torch" and resolve_runtime("ONNX", "cpu") == "onnx"
    with pytest.raises(ValueError):
        resolve_runtime("tensorrt", "cpu")
    with pytest.raises(ValueError):
        resolve_runtime("onnx", "cuda")
    assert segmenter_options("mobile_sam", "torch") == {"runtime": "torch"} and segmenter_options("sam", None) == {}
    assert segmenter_options("sam", "torch") == {}
    with pytest.raises(ValueError):
        segmenter_options("sam", "onnx")


def test_failed_export_falls_back_with_one_warning(tiny, tmp_path, monkeypatch, caplog):
    import tools.segmenters.onnx_export as onnx_export

    def broken(*a, **k):
        raise RuntimeError("exporter exploded\nsecond line")

    monkeypatch.setattr(onnx_export, "ensure_onnx", broken)
    ckpt = tmp_path / "ckpt.pt"
    ckpt.write_bytes(b"x")
    with caplog.at_level(logging.WARNING, logger="tools.segmenters"):
        assert load_onnx(*tiny, ckpt, None, required=False) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "exporter exploded" in lines[0] and "torch" in lines[0] and "\n" not in lines[0]
    with pytest.raises(RuntimeError, match="ONNX Runtime failed"):
        load_onnx(*tiny, ckpt, None, required=True)

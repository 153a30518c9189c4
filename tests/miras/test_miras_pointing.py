"""The [SEG] point head: its cells and points agree with SAM's own coordinate frame, its loss prefers a peak inside
the target, the point-only mask stage teaches it where the shapes are without touching the decoder, and a checkpoint
with a point head decodes from its own points in the joint forward, generation and the CLI."""
from __future__ import annotations

import json

import torch

from mask_stage_args import mask_stage_args
from miras import train as train_cli
from miras.build import build_miras
from miras.checkpoint import load_miras, save_checkpoint, trainable_state
from miras.config import preset
from miras.data.batch import Featurizer
from miras.data.samples import read_dialogues
from miras.mask_stage import train_mask
from miras.pointing import best_cells, cells_to_points, interior_cells, pointing_hit_rate, pointing_loss


def _square(size=64, box=(10, 30, 30, 44)):
    t = torch.zeros(1, size, size)
    y0, y1, x0, x1 = box
    t[0, y0:y1, x0:x1] = 1
    return t


def test_interior_cell_lies_inside_and_its_point_is_the_cells_centre_in_sams_frame():
    target = _square()  # rows 10..29, columns 30..43 of a 64 grid that pools to 16 cells of 4 x 4
    cell = interior_cells(target, 16)[0]
    x, y = int(cell[0]), int(cell[1])
    assert 30 <= 4 * x and 4 * x + 3 <= 43 and 10 <= 4 * y and 4 * y + 3 <= 29
    decoder = build_miras(preset("tiny")).decoder
    e, size = decoder.image_embedding_size, decoder.input_image_size
    point = cells_to_points(torch.tensor([[3, 5]]), e, size)
    encoded = decoder.prompt_encoder.embed_points(point[None, None], torch.ones(1, 1, 1, dtype=torch.long), pad=False)
    pe = encoded[0, 0, 0] - decoder.prompt_encoder.point_embeddings[1].weight[0]
    assert torch.allclose(pe, decoder.prompt_encoder.dense_pe()[0, :, 5, 3], atol=1e-5)  # SAM's PE of cell (x3, y5)


def test_pointing_loss_and_hit_rate_prefer_a_peak_inside_the_target():
    target = _square()
    inside, outside = torch.zeros(1, 16, 16), torch.zeros(1, 16, 16)
    inside[0, 4, 9] = 8.0
    outside[0, 12, 2] = 8.0
    uniform = torch.zeros(1, 16, 16)
    assert pointing_loss(inside, target) < 0.1 < pointing_loss(uniform, target) < pointing_loss(outside, target)
    assert pointing_hit_rate(inside, target).tolist() == [1.0] and pointing_hit_rate(outside, target).tolist() == [0.0]
    assert best_cells(inside).tolist() == [[9, 4]]
    assert float(pointing_loss(inside, torch.zeros(1, 64, 64))) == 0.0  # an empty target teaches nothing


def test_point_only_stage_learns_where_the_shapes_are_and_leaves_the_decoder_alone(tmp_path, shapes_dir):
    """About 10 s: 150 point-only steps on 3 shape dialogues; the held-out dialogue's shapes are pointed at."""
    model = build_miras(preset("tiny"))
    model.add_pointer()
    before = {k: v.clone() for k, v in trainable_state(model).items()}
    args = mask_stage_args(tmp_path, 150, point_only=True, eval_every=50, log_every=10, heldout=1)
    summary = train_mask(model, read_dialogues(shapes_dir), args, log=lambda *_: None)
    last = summary["history"][-1]
    assert "iou" not in last and last["point_hit"] > 0.8, last  # no decoder pass in a point-only step
    assert summary["heldout_point_hit_after"] >= 0.5 > summary["heldout_point_hit_before"], summary
    after = trainable_state(model)
    changed = {k.split(".")[0] for k in after if not torch.equal(after[k], before[k])}
    assert changed == {"pointer"}


def test_a_point_head_checkpoint_decodes_from_its_points(tmp_path, shapes_dir):
    model = build_miras(preset("tiny"))
    model.add_pointer()
    samples = read_dialogues(shapes_dir)
    batch = Featurizer(model).batch(samples[:2])
    out = model(batch)
    assert float(out["point"]) > 0 and out["loss"].requires_grad
    folder = save_checkpoint(model, tmp_path / "ckpt", meta={"step": 0, "stage": "mask"})
    loaded = load_miras(folder)
    assert loaded.cfg.seg.point_prompt and loaded.pointer is not None
    sam = torch.randn(1, loaded.cfg.seg.embed_dim, loaded.cfg.seg.embedding_size, loaded.cfg.seg.embedding_size)
    seg, spans = torch.randn(2, 64), [torch.randn(3, 64), torch.randn(5, 64)]
    cells = loaded.seg_cells(sam, seg, spans)
    prompts = loaded.prompts(seg, spans)
    with torch.no_grad():
        low, _ = loaded.decode_masks(sam, prompts, cells)
        without, _ = loaded.decode_masks(sam, prompts)
        other, _ = loaded.decode_masks(sam, prompts, (cells + 5) % loaded.cfg.seg.embedding_size)
    assert low.shape == without.shape and not torch.allclose(low, without) and not torch.allclose(low, other)


def test_best_of_three_keeps_each_prompts_best_scored_candidate():
    model = build_miras(preset("tiny"))
    e = model.cfg.seg.embedding_size
    sam = torch.randn(1, model.cfg.seg.embed_dim, e, e)
    prompts, cells = torch.randn(3, 1, model.cfg.seg.embed_dim), torch.tensor([[1, 2], [5, 5], [7, 0]])
    with torch.no_grad():
        low, iou = model.decode_masks(sam, prompts, cells, best_of_three=True)
        points = cells_to_points(cells, e, model.decoder.input_image_size).reshape(1, 3, 1, 2)
        candidates, scores = model.decoder(sam, sparse_embeddings=prompts[None], points=points, multimask=True)
    assert candidates.shape[:3] == (1, 3, 3) and low.shape == (3, *candidates.shape[-2:])
    best = scores[0].argmax(1)
    for n in range(3):
        assert torch.equal(low[n], candidates[0, n, best[n]]) and iou[n] == scores[0, n].max()


def test_reset_decoder_restores_the_initial_decoder_after_a_joint_stage_changed_it(tmp_path, shapes_dir, capsys):
    from miras.encoders import build_prompt_decoder

    joint = build_miras(preset("tiny"))
    with torch.no_grad():
        for p in joint.decoder.parameters():
            p.add_(0.1)  # what a joint stage's updates do to it
    init = save_checkpoint(joint, tmp_path / "joint" / "checkpoint", meta={"step": 1, "stage": "joint"})
    out = tmp_path / "mask"
    argv = ["--stage", "mask", "--init", str(init), "--data", str(shapes_dir), "--steps", "2", "--out", str(out),
            "--batch-size", "4", "--heldout", "1", "--eval-every", "0", "--no-progress", "--point-head",
            "--point-only", "--reset-decoder"]
    assert train_cli.main(argv) == 0
    decoder = load_miras(out / "checkpoint").decoder.state_dict()
    initial = build_prompt_decoder(joint.cfg.seg).state_dict()
    changed = joint.decoder.state_dict()
    assert all(torch.equal(decoder[k], initial[k]) for k in initial)
    assert not all(torch.equal(decoder[k], changed[k]) for k in changed)


def test_cli_adds_a_point_head_to_a_joint_checkpoint(tmp_path, shapes_dir, capsys):
    joint = build_miras(preset("tiny"))
    init = save_checkpoint(joint, tmp_path / "joint" / "checkpoint", meta={"step": 1, "stage": "joint"})
    out = tmp_path / "mask"
    argv = ["--stage", "mask", "--init", str(init), "--data", str(shapes_dir), "--steps", "4", "--out", str(out),
            "--batch-size", "4", "--heldout", "1", "--eval-every", "2", "--log-every", "2", "--no-progress",
            "--point-head", "--point-only"]
    assert train_cli.main(argv) == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.rindex("\n{\n") + 1:])
    assert summary["steps"] == 4 and 0.0 <= summary["heldout_point_hit_after"] <= 1.0
    config = json.loads((out / "checkpoint" / "config.json").read_text())
    assert config["seg"]["point_prompt"] is True
    assert load_miras(out / "checkpoint").pointer is not None
    assert train_cli.main(argv[:-2] + ["--fresh", "--point-only"]) == 2  # no point head to train
    assert "point head" in capsys.readouterr().err

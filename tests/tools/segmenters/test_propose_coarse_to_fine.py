"""Coarse-to-fine grid visiting in `generate_proposals`: covered points are skipped, objects are still found."""
import numpy as np
import pytest
import torch

from tools.segmenters.propose import coarse_to_fine_levels, generate_proposals

S = 256  # low-res side; input frame 1024 = image 1024 x 1024, so low-res px x 4 = image px


def _scene_decoder(calls, squares, background_bleeds):
    """A point inside a square returns that square (3 identical candidates). A point on the background returns
    the background around the squares, or, with `background_bleeds`, the whole image (low-resolution background
    masks bleed over small objects)."""

    def decode(pts):
        calls.append(pts.shape[0])
        out = torch.full((pts.shape[0], 3, S, S), -10.0)
        for i, (x, y) in enumerate((pts[:, 0] * S / 1024).tolist()):
            hit = [q for q in squares if q[0] <= x < q[2] and q[1] <= y < q[3]]
            if hit:
                x0, y0, x1, y1 = hit[0]
                out[i, :, y0:y1, x0:x1] = 10.0
            else:
                out[i] = 10.0
                if not background_bleeds:
                    for x0, y0, x1, y1 in squares:
                        out[i, :, y0:y1, x0:x1] = -10.0
        return out, torch.full((pts.shape[0], 3), 0.95)

    return decode


def _upsample(low):
    return torch.nn.functional.interpolate(low[:, None], size=(1024, 1024), mode="nearest")[:, 0]


def _run(squares, bleeds, skip=True, pixels=None):
    calls = []
    props = generate_proposals(_scene_decoder(calls, squares, bleeds), _upsample, (1024, 1024), (1024, 1024),
                               skip_covered=skip, pixels=pixels)
    return sorted(tuple(p.box) for p in props), sum(calls)


def test_levels_partition_the_grid():
    levels = coarse_to_fine_levels(16)
    assert sorted(np.concatenate(levels).tolist()) == list(range(256))
    assert [len(level) for level in levels] == [16, 48, 192]


def test_points_inside_found_objects_are_not_prompted_again():
    squares = [(0, 0, 110, 110), (130, 130, 240, 240)]  # two large objects, about 18% of the image each
    full, n_full = _run(squares, bleeds=False, skip=False)
    fast, n_fast = _run(squares, bleeds=False, skip=True)
    assert n_full == 256 and n_fast < 0.75 * n_full
    assert full == fast
    assert (0, 0, 440, 440) in fast and (520, 520, 960, 960) in fast


def test_background_masks_bleeding_over_small_objects_do_not_hide_them():
    # small squares placed between the first-level grid points (low-res 8, 72, 136, 200)
    squares = [(84, 84, 128, 128), (150, 150, 190, 190)]
    full, _ = _run(squares, bleeds=True, skip=False)
    fast, _ = _run(squares, bleeds=True, skip=True)
    assert fast == full == [(0, 0, 1024, 1024), (336, 336, 512, 512), (600, 600, 760, 760)]


def _pixels(squares, background):
    """1024 x 1024 image: `background` (H, W, 3) with the low-res squares painted red (image px = 4 x low-res)."""
    img = background.copy()
    for x0, y0, x1, y1 in squares:
        img[4 * y0 : 4 * y1, 4 * x0 : 4 * x1] = (220, 30, 30)
    return img


def test_plain_background_points_are_skipped_but_small_objects_on_it_are_not():
    squares = [(84, 84, 128, 128), (150, 150, 190, 190)]
    plain = np.full((1024, 1024, 3), 128, np.uint8)
    full, _ = _run(squares, bleeds=True, skip=False)
    before, n_before = _run(squares, bleeds=True, skip=True)
    after, n_after = _run(squares, bleeds=True, pixels=_pixels(squares, plain))
    assert after == before == full  # the red squares under the bleeding background mask are still found
    assert n_after < 0.5 * n_before


def test_textured_background_keeps_every_point():
    squares = [(84, 84, 128, 128), (150, 150, 190, 190)]
    noise = np.random.default_rng(0).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)
    before, n_before = _run(squares, bleeds=True, skip=True)
    after, n_after = _run(squares, bleeds=True, pixels=_pixels(squares, noise))
    assert after == before and n_after == n_before


def test_seed_masks_are_proposals_but_answer_no_grid_point():
    squares = [(0, 0, 60, 60), (100, 100, 160, 160)]
    seed = torch.full((1, 1, S, S), -10.0)
    seed[0, 0, 0:160, 0:160] = 10.0  # a box prompt over both squares returns one mask over both
    seeds = (seed, torch.full((1, 1), 0.95), np.array([[320.0, 320.0]], np.float32))
    calls = []
    props = generate_proposals(_scene_decoder(calls, squares, False), _upsample, (1024, 1024), (1024, 1024),
                               seeds=seeds)
    unseeded, n_unseeded = _run(squares, bleeds=False)
    assert sum(calls) == n_unseeded  # each square is still prompted and found alone
    assert sorted(tuple(p.box) for p in props) == sorted(unseeded + [(0, 0, 640, 640)])
    assert [p.point for p in props if tuple(p.box) == (0, 0, 640, 640)] == [(320.0, 320.0)]  # the box centre


def test_spread_order_prefixes_are_spread_over_the_indices():
    from tools.segmenters.propose import spread_order

    order = spread_order(np.arange(16))
    assert sorted(order.tolist()) == list(range(16))
    assert sorted(order[:4].tolist()) == [0, 4, 8, 12]  # the first quarter: every 4th
    assert sorted(spread_order(np.arange(10, 15)).tolist()) == [10, 11, 12, 13, 14]


def test_a_prompt_budget_caps_the_grid_prompts():
    squares = [(84, 84, 128, 128), (150, 150, 190, 190)]  # small squares on a background that bleeds
    calls = []
    generate_proposals(_scene_decoder(calls, squares, True), _upsample, (1024, 1024), (1024, 1024), max_prompts=20)
    _, unlimited = _run(squares, bleeds=True)
    assert sum(calls) == 20 < unlimited


def test_a_grid_within_a_box_prompts_only_points_inside_it():
    squares = [(0, 0, 60, 60), (130, 130, 240, 240)]
    prompted = []
    decode = _scene_decoder([], squares, False)

    def recording(pts):
        prompted.append(pts[:, 0].numpy().copy())
        return decode(pts)

    props = generate_proposals(recording, _upsample, (1024, 1024), (1024, 1024), points_per_side=4,
                               within=(520.0, 520.0, 960.0, 960.0))
    pts = np.concatenate(prompted)
    assert len(pts) and ((pts >= 520) & (pts <= 960)).all()
    assert (520, 520, 960, 960) in [tuple(p.box) for p in props]  # the square under the box
    assert (0, 0, 240, 240) not in [tuple(p.box) for p in props]  # the other square was never prompted


def test_a_stop_asked_for_ends_the_work_between_decoder_calls():
    from tools.segmenters.propose import ProposalsStopped

    calls = []
    decode = _scene_decoder(calls, [(0, 0, 110, 110)], background_bleeds=False)
    with pytest.raises(ProposalsStopped):
        generate_proposals(decode, _upsample, (1024, 1024), (1024, 1024), stop=lambda: len(calls) >= 2)
    assert len(calls) == 2  # the call under way finished; no other began
    assert generate_proposals(decode, _upsample, (1024, 1024), (1024, 1024), stop=lambda: False)

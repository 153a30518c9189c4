"""Coarse-to-fine grid visiting in `generate_proposals`: covered points are skipped, objects are still found."""
import numpy as np
import torch

from tools.segmenters.propose import coarse_to_fine_levels, generate_proposals

S = 256  # low-res side; input frame 1024, image 1024 x 1024 so frames coincide up to a factor of 4


def _scene_decoder(calls):
    """Two square objects; a point inside one returns that square (3 identical candidates), else background."""
    squares = [(40, 40, 120, 120), (160, 150, 220, 210)]  # low-res x0, y0, x1, y1

    def decode(pts):
        calls.append(pts.shape[0])
        out = torch.full((pts.shape[0], 3, S, S), -10.0)
        for i, (x, y) in enumerate((pts[:, 0] * S / 1024).tolist()):
            hit = [q for q in squares if q[0] <= x < q[2] and q[1] <= y < q[3]]
            if hit:
                x0, y0, x1, y1 = hit[0]
                out[i, :, y0:y1, x0:x1] = 10.0
        return out, torch.full((pts.shape[0], 3), 0.95)

    return decode


def _upsample(low):
    return torch.nn.functional.interpolate(low[:, None], size=(1024, 1024), mode="nearest")[:, 0]


def test_levels_partition_the_grid():
    levels = coarse_to_fine_levels(16)
    flat = np.concatenate(levels)
    assert sorted(flat.tolist()) == list(range(256))
    assert [len(level) for level in levels] == [16, 48, 192]


def test_skipping_covered_points_prompts_less_and_finds_the_same_objects():
    full_calls, skip_calls = [], []
    full = generate_proposals(_scene_decoder(full_calls), _upsample, (1024, 1024), (1024, 1024), skip_covered=False)
    fast = generate_proposals(_scene_decoder(skip_calls), _upsample, (1024, 1024), (1024, 1024), skip_covered=True)
    assert sum(full_calls) == 256
    assert sum(skip_calls) < sum(full_calls) * 0.9
    boxes = lambda props: sorted(tuple(p.box) for p in props)  # noqa: E731
    assert boxes(full) == boxes(fast) == [(160, 160, 480, 480), (640, 600, 880, 840)]

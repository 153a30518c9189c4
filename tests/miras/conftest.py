"""MIRAS test fixtures: a tiny model (built once) and tiny shape dialogues written to a temp folder."""
from __future__ import annotations

import pytest
import torch

from miras_shapes import write_shapes


@pytest.fixture(scope="session", autouse=True)
def _few_threads():
    torch.set_num_threads(2)


@pytest.fixture(scope="session")
def shapes_dir(tmp_path_factory):
    return write_shapes(tmp_path_factory.mktemp("shapes"), n=4)


@pytest.fixture(scope="session")
def tiny_model():
    from miras.build import build_miras
    from miras.config import preset

    return build_miras(preset("tiny"))

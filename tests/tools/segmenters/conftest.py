"""Shared fixtures: the real MobileSAM segmenter (embedded weights) and COCO-tiny samples."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.conftest import SHARED_DATA

COCO = SHARED_DATA / "coco_tiny"  # checked by the coco_val fixture


@pytest.fixture(scope="session")
def mobile_sam():
    from tools.segmenters import build_segmenter
    from tools.weights import MissingWeightsError

    torch.set_num_threads(2)
    try:
        return build_segmenter("mobile_sam", num_threads=2)
    except MissingWeightsError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def coco_val(coco_tiny):
    """instances_val2017.json of coco_tiny (skips, or fails under CI, without the development data)."""
    return json.loads((coco_tiny / "annotations" / "instances_val2017.json").read_text())


def coco_image_path(info: dict) -> Path:
    return COCO / "val2017" / info["file_name"]


def coco_instances(data: dict, n_images: int = 20, per_image: int = 3, min_area: float = 1000.0):
    """Fixed sample: the first n_images val images (by id) with non-crowd instances of area > min_area,
    up to per_image instances each (largest first). Yields (image info, [annotations])."""
    by_image: dict[int, list] = {}
    for ann in data["annotations"]:
        if not ann["iscrowd"] and ann["area"] > min_area:
            by_image.setdefault(ann["image_id"], []).append(ann)
    infos = sorted((im for im in data["images"] if im["id"] in by_image), key=lambda im: im["id"])[:n_images]
    for info in infos:
        anns = sorted(by_image[info["id"]], key=lambda a: (-a["area"], a["id"]))[:per_image]
        yield info, anns


def ann_mask(ann: dict, height: int, width: int) -> np.ndarray:
    from pycocotools import mask as coco_mask

    seg = ann["segmentation"]
    if isinstance(seg, list):
        rle = coco_mask.merge(coco_mask.frPyObjects(seg, height, width))
    elif isinstance(seg.get("counts"), list):
        rle = coco_mask.frPyObjects(seg, height, width)
    else:
        rle = seg
    return coco_mask.decode(rle).astype(bool)

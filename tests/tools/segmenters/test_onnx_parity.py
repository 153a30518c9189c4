"""MobileSAM on ONNX Runtime (the CPU default) against torch, real weights: box prompts on coco_tiny photos."""
import numpy as np
import pytest

from tools.masks import iou
from tests.tools.segmenters.conftest import coco_image_path, coco_instances

MIN_MEAN_IOU = 0.99  # ONNX vs torch masks (measured 0.9995 on this sample: 3 photos, 9 boxes)


@pytest.fixture(scope="module")
def torch_sam():
    from tools.segmenters import build_segmenter
    from tools.weights import MissingWeightsError

    try:
        return build_segmenter("mobile_sam", runtime="torch", num_threads=2)
    except MissingWeightsError as exc:
        pytest.skip(str(exc))


@pytest.mark.slow
def test_onnx_default_matches_torch_on_box_prompts(mobile_sam, torch_sam, coco_val):
    assert mobile_sam.runtime == "onnx", "the CPU default should run on ONNX Runtime (see the log for why not)"
    ious, score_diffs = [], []
    for info, anns in coco_instances(coco_val, n_images=3, per_image=3):
        path = coco_image_path(info)
        eo, et = mobile_sam.embed(path), torch_sam.embed(path)
        boxes = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]
                          for a in anns])
        ro, rt = mobile_sam.segment(eo, boxes=boxes), torch_sam.segment(et, boxes=boxes)
        (mo, so), (mt, st) = ro.best(), rt.best()
        ious += [iou(a, b) for a, b in zip(mo, mt)]
        score_diffs.append(float(np.abs(so - st).max()))
    print(f"\nONNX vs torch: mean mask IoU {np.mean(ious):.4f} (min {np.min(ious):.4f}) over {len(ious)} boxes; "
          f"max score difference {max(score_diffs):.2e}")
    assert len(ious) >= 6
    assert np.mean(ious) >= MIN_MEAN_IOU

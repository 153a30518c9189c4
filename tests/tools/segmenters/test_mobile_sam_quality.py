"""Box-prompted MobileSAM on real COCO photos: mean IoU over a fixed sample (3 largest instances of 20 images)."""
import time

import numpy as np
import pytest

from tools.masks import iou
from tests.tools.segmenters.conftest import ann_mask, coco_image_path, coco_instances

# Measured 0.7755 on this sample (49 instances: the 3 largest of each of the first 20 val images);
# FACTS.md reports 0.83 on 92 photos (all instances) with the reference code.
MEAN_IOU_FLOOR = 0.75


@pytest.mark.slow
def test_box_prompt_mean_iou_on_coco(mobile_sam, coco_val):
    ious, t0 = [], time.time()
    for info, anns in coco_instances(coco_val, n_images=20, per_image=3):
        emb = mobile_sam.embed(coco_image_path(info))
        boxes = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns])
        res = mobile_sam.segment(emb, boxes=boxes, multimask=True)
        best, _ = res.best()
        for mask, ann in zip(best, anns):
            ious.append(iou(mask, ann_mask(ann, info["height"], info["width"])))
    mean = float(np.mean(ious))
    print(f"\nMobileSAM box-prompt mean IoU {mean:.4f} over {len(ious)} instances ({time.time() - t0:.1f} s)")
    assert len(ious) >= 40
    assert mean >= MEAN_IOU_FLOOR

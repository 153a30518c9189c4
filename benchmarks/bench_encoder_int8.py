"""The MobileSAM encoder on ONNX Runtime, fp32 vs int8 (onnxruntime's dynamic quantisation), in one run.

    python benchmarks/bench_encoder_int8.py [N_PHOTOS]

On the first N coco_tiny val photos (default 8): encoder seconds (median) for each variant, and box-prompted mask
IoU (the COCO boxes of up to 8 instances a photo, best mask of each) against the COCO masks and against the fp32
masks. The quantised encoders are written to /tmp/q8 (not the weight store): they are an experiment, not a path
the agent takes (docs/speed.md says what they gave).
"""
import statistics, sys, time, shutil
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from pycocotools.coco import COCO
from tools.segmenters import build_segmenter
from tools.segmenters.ort_sam import OrtSam
from tools.images import load_image
from tools.masks import iou
torch.set_num_threads(2)
seg = build_segmenter("mobile_sam")
folder = seg.ort.folder
out = Path('/tmp/q8'); out.mkdir(exist_ok=True)
shutil.copy(folder / 'decoder.onnx', out / 'decoder.onnx')
variants = {}
for name, kw in [("int8_u8", dict(weight_type=QuantType.QUInt8)), ("int8_s8_pc", dict(weight_type=QuantType.QInt8, per_channel=True))]:
    path = out / f'encoder.{name}.onnx'
    if not path.exists():
        t = time.perf_counter(); quantize_dynamic(str(folder / 'encoder.onnx'), str(path), **kw); print(name, 'quantized in', round(time.perf_counter() - t, 1), 's', path.stat().st_size // 1e6, 'MB', flush=True)
    variants[name] = OrtSam(out, num_threads=2, encoder_file=path.name)
COCO_TINY = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'coco_tiny'
coco = COCO(str(COCO_TINY / 'annotations' / 'instances_val2017.json'))
ids = sorted(coco.getImgIds())[: int(sys.argv[1]) if len(sys.argv) > 1 else 8]
times = {k: [] for k in ['fp32', *variants]}
ious = {k: [] for k in variants}; gt_iou = {k: [] for k in ['fp32', *variants]}
from tools.segmenters.sam_frame import sam_frame
for img_id in ids:
    info = coco.loadImgs(img_id)[0]
    img = load_image(COCO_TINY / 'val2017' / info['file_name'])
    x, input_size = sam_frame(img.pixels, seg.image_size)
    feats = {}
    for k, ort in [('fp32', seg.ort), *variants.items()]:
        t = time.perf_counter(); feats[k] = ort.encode(x); times[k].append(time.perf_counter() - t)
    anns = [a for a in coco.loadAnns(coco.getAnnIds(imgIds=img_id, iscrowd=False)) if a['area'] > 500][:8]
    if not anns: continue
    boxes = np.array([[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]] for a in anns])
    base = seg.embed(img)
    masks = {}
    for k in feats:
        emb = type(base)(feats[k], base.original_size, base.input_size, base.image_sha256, extra=base.extra)
        masks[k] = seg.segment(emb, boxes=boxes).best()[0]
    for j, a in enumerate(anns):
        gt = coco.annToMask(a).astype(bool)
        for k in feats:
            gt_iou[k].append(iou(masks[k][j], gt))
        for k in variants:
            ious[k].append(iou(masks[k][j], masks['fp32'][j]))
for k in times:
    print(k, 'encoder median s', round(statistics.median(times[k]), 3), 'ratio fp32/this', round(statistics.median(times['fp32']) / statistics.median(times[k]), 2),
          'mean IoU vs COCO', round(float(np.mean(gt_iou[k])), 4), ('mean IoU vs fp32 %.4f min %.4f' % (np.mean(ious[k]), np.min(ious[k]))) if k in ious else '')

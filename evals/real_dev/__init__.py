"""A hand-written multi-turn dev set on real photos (coco_tiny): spec, builder and an instance viewer for authors.

    python -m evals.real_dev --coco ../shared/data/coco_tiny --out runs/real_dev    # build the dataset folder
    python -m evals.run --system agent --data runs/real_dev                          # score it
    python -m evals.real_dev.show val2017/000000547336.jpg --out /tmp/ids.png        # instance ids, for authors
"""

"""evals.parts_sheet: which photos it takes and the sheet it writes (the agent's turns run in the real check)."""
import numpy as np
from PIL import Image
from pycocotools.coco import COCO

from evals.parts_sheet import MIN_PERSON_SHARE, PANEL_H, _panel, people_photos, write_sheet
from evals.contact_sheet import _font


def test_people_photos_have_a_person_big_enough_to_show_parts(coco_tiny):
    photos = people_photos(coco_tiny, 5)
    assert len(photos) == 5 and all(p.exists() for p in photos)
    coco = COCO(str(coco_tiny / "annotations" / "instances_val2017.json"))
    for photo in photos:
        image_id = int(photo.stem)
        info = coco.loadImgs(image_id)[0]
        people = coco.loadAnns(coco.getAnnIds(imgIds=image_id, catIds=[1], iscrowd=False))
        assert max(a["area"] for a in people) >= MIN_PERSON_SHARE * info["width"] * info["height"]


def test_the_sheet_stacks_one_row_of_tiles_per_person(tmp_path):
    pixels = np.full((120, 160, 3), 200, np.uint8)
    mask = np.zeros((120, 160), bool)
    mask[30:90, 40:100] = True
    row = [_panel(pixels, mask, "only their head: ...", _font(12)), _panel(pixels, None, "their legs: ...", _font(12))]
    path = write_sheet([row, row], tmp_path / "sheet.png")
    sheet = Image.open(path)
    assert sheet.width == sum(t.width for t in row) and sheet.height == 2 * row[0].height
    assert row[0].height > PANEL_H and row[0].getpixel((row[0].width // 2, PANEL_H // 2)) != (200, 200, 200)  # tinted

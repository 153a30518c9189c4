import json

import numpy as np
import pytest
import skimage.data

from tools.grounders.haar import HaarGrounder, face_to_body, targets_for
from tools.masks import box_iou



@pytest.fixture(scope="module")
def grounder():
    return HaarGrounder()


def test_query_words_pick_cascades():
    assert targets_for("the man on the left")[0][1] == "person"
    assert targets_for("her face")[0][1] == "face"
    assert targets_for("the cat")[0][0] == ["cat"]
    assert targets_for("the car licence plate")[0][1] == "licence plate"
    assert targets_for("the red ball") == []


def test_finds_the_astronauts_face(grounder):
    image = skimage.data.astronaut()  # 512x512, face at about x 180-270, y 65-160
    faces = grounder.ground(image, "the face")
    assert faces and faces[0].label == "face" and faces[0].source == "haar"
    assert box_iou(faces[0].box, [180, 65, 270, 160]) > 0.6
    assert all(isinstance(v, float) for v in faces[0].box) and 0 < faces[0].score <= 1
    people = grounder.ground(image, "the woman")
    assert people and people[0].label == "person"
    assert people[0].box[0] <= 180 and people[0].box[2] >= 270 and people[0].box[3] > 400


def test_nothing_for_unknown_words_or_blank_images(grounder):
    assert grounder.ground(skimage.data.astronaut(), "the red ball") == []
    assert grounder.ground(np.full((200, 200, 3), 128, np.uint8), "a face") == []


def test_face_to_body_stays_in_image():
    assert face_to_body([90, 10, 110, 30], 120, 100) == [70.0, 4.0, 120.0, 100.0]


def test_face_on_a_real_coco_photo_lies_inside_the_person(grounder, coco_tiny):
    path = coco_tiny / "train2017" / "000000253956.jpg"
    ann_file = coco_tiny / "annotations" / "instances_train2017.json"
    data = json.loads(ann_file.read_text())
    image_id = next(i["id"] for i in data["images"] if i["file_name"] == path.name)
    people = [a["bbox"] for a in data["annotations"] if a["image_id"] == image_id and a["category_id"] == 1]
    faces = grounder.ground(str(path), "find the face")
    assert faces
    x, y, w, h = max(people, key=lambda b: b[2] * b[3])
    f = faces[0].box
    assert x - 5 <= f[0] and f[2] <= x + w + 5 and y - 5 <= f[1] and f[3] <= y + h + 5

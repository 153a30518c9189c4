"""The facts of each person: the detector's person boxes matched to MoveNet's people, with keypoints and pose.

A detector box and a MoveNet person match when most of the person's seen keypoints fall inside the box and
their boxes overlap (IoU >= MIN_MATCH_IOU); pairs are taken best first, each used once. A person MoveNet finds
that no detector box matches is added with MoveNet's own box (people the detector missed).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.masks import box_iou
from tools.people.faces import FaceEstimate
from tools.people.keypoints import KEYPOINT_SCORE, KEYPOINTS, PersonPose
from tools.people.pose import pose_of

MIN_MATCH_IOU = 0.3
MIN_INSIDE = 0.6          # share of the seen keypoints inside the detector box
MIN_EXTRA_SCORE = 0.35    # a MoveNet person no detector box matched is added from this person score
CHILD_BELOW, OLD_FROM = 16.0, 58.0  # age estimate (years) -> age group


@dataclass
class PersonFacts:
    """One person. box: [x0, y0, x1, y1] pixels (the detector's when matched); keypoints: float32 [17, 3]
    (x, y, score) pixels or None when MoveNet did not find this person; pose/pose_score: pose_of's answer;
    detector_index: position in the detector boxes given, None for a person only MoveNet found;
    face: gender and age estimates from the face (faces.FaceEstimate), None when no face was judged."""

    box: list[float]
    keypoints: np.ndarray | None = None
    pose: str | None = None
    pose_score: float = 0.0
    detector_index: int | None = None
    face: FaceEstimate | None = None

    def seen_points(self, names: tuple[str, ...], min_score: float) -> list[tuple[float, float]]:
        """(x, y) pixels of the named keypoints (KEYPOINTS names) scoring at least `min_score`."""
        if self.keypoints is None:
            return []
        rows = [self.keypoints[KEYPOINTS.index(n)] for n in names]
        return [(float(r[0]), float(r[1])) for r in rows if r[2] >= min_score]

    @property
    def age_group(self) -> str | None:
        """"child" / "adult" / "old" from the face's age estimate, or None."""
        if self.face is None:
            return None
        return "child" if self.face.age < CHILD_BELOW else "old" if self.face.age >= OLD_FROM else "adult"


def _inside_share(pose: PersonPose, box: list[float]) -> float:
    seen = pose.keypoints[pose.keypoints[:, 2] >= KEYPOINT_SCORE]
    if len(seen) == 0:
        return 0.0
    inside = (seen[:, 0] >= box[0]) & (seen[:, 0] <= box[2]) & (seen[:, 1] >= box[1]) & (seen[:, 1] <= box[3])
    return float(inside.mean())


def match_people(person_boxes: list[list[float]], poses: list[PersonPose]) -> list[PersonFacts]:
    """One PersonFacts per detector box (same order), then the people only MoveNet found."""
    pairs = []
    for i, box in enumerate(person_boxes):
        for j, p in enumerate(poses):
            iou, share = box_iou(box, p.box), _inside_share(p, box)
            if iou >= MIN_MATCH_IOU and share >= MIN_INSIDE:
                pairs.append((iou + share, i, j))
    facts = [PersonFacts(box=list(b), detector_index=i) for i, b in enumerate(person_boxes)]
    used_box, used_pose = set(), set()
    for _, i, j in sorted(pairs, reverse=True):
        if i in used_box or j in used_pose:
            continue
        used_box.add(i)
        used_pose.add(j)
        pose, score = pose_of(poses[j].keypoints)
        facts[i].keypoints, facts[i].pose, facts[i].pose_score = poses[j].keypoints, pose, score
    for j, p in enumerate(poses):
        if j not in used_pose and p.score >= MIN_EXTRA_SCORE:
            pose, score = pose_of(p.keypoints)
            facts.append(PersonFacts(box=list(p.box), keypoints=p.keypoints, pose=pose, pose_score=score))
    return facts

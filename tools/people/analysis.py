"""The people analysis of one image: keypoints and pose of each person (MoveNet), matched to the detector's
person boxes, and gender / age estimates from their faces (FaceRes), computed together once per image.

`PeopleAnalyser().analyse(pixels, person_boxes) -> list[PersonFacts]` (same order as the boxes, then people only
MoveNet found). Without the face weights it still gives keypoints and poses.
"""
from __future__ import annotations

import numpy as np

from tools.people.faces import FaceAttributes
from tools.people.keypoints import MoveNetPoses
from tools.people.match import PersonFacts, match_people
from tools.weights import MissingWeightsError


class PeopleAnalyser:
    """Grounder-like backend "people" (embedded): MoveNet MultiPose + FaceRes, CPU, one thread each by default."""

    name = "people"

    def __init__(self, threads: int | None = 1, faces: bool = True):
        self.poses = MoveNetPoses(threads=threads)
        self.faces: FaceAttributes | None = None
        if faces:
            try:
                self.faces = FaceAttributes(threads=threads)
            except MissingWeightsError:
                self.faces = None

    def analyse(self, pixels: np.ndarray, person_boxes: list[list[float]]) -> list[PersonFacts]:
        """Facts of every person: RGB uint8 (H, W, 3) pixels, detector person boxes [x0, y0, x1, y1] pixels."""
        facts = match_people(person_boxes, self.poses.estimate(pixels))
        if self.faces is not None and any(f.keypoints is not None for f in facts):
            for f, est in zip(facts, self.faces.estimate(pixels, [f.keypoints for f in facts])):
                f.face = est
        return facts

    def ground(self, image, query: str = "person"):
        """The Grounder view: every person MoveNet finds as a Region (label "person", source "people",
        attributes {"pose", "pose_score"}; keypoints in attributes["keypoints"] as [17, 3] lists)."""
        from tools.images import load_image
        from tools.regions import Region

        loaded = load_image(image)
        out = []
        for f in self.analyse(loaded.pixels, []):
            attrs = {"pose": f.pose, "pose_score": round(f.pose_score, 3),
                     "keypoints": f.keypoints.round(1).tolist() if f.keypoints is not None else None}
            if f.face is not None and f.face.gender:
                attrs.update(gender_estimate=f.face.gender, age_estimate=round(f.face.age))
            out.append(Region(box=f.box, score=1.0, label="person", source="people", attributes=attrs))
        return out

"""People on photos: body keypoints (MoveNet MultiPose, keypoints.py), pose words from keypoint geometry
(pose.py), gender and age estimates from faces (faces.py), the facts of each person matched to the detector's
person boxes (match.py, analysis.py), and the words people use for them (words.py, no model imports).

    facts = PeopleAnalyser().analyse(pixels, person_boxes)   # list[PersonFacts]
    facts[0].pose, facts[0].face.gender, facts[0].age_group    # "sitting", "female", "adult"
"""

"""Detector person boxes matched to MoveNet people (tools.people.match) and the words for people (words.py)."""
import numpy as np

from skeletons import SITTING, STANDING
from tools.people.faces import FaceEstimate
from tools.people.keypoints import PersonPose
from tools.people.match import PersonFacts, match_people
from tools.people.words import person_cues


def test_each_box_gets_the_person_whose_keypoints_it_holds():
    right = STANDING.copy()
    right[:, 0] += 300
    poses = [PersonPose(box=[340, 20, 470, 395], score=0.8, keypoints=right),
             PersonPose(box=[40, 20, 180, 300], score=0.6, keypoints=SITTING)]
    boxes = [[30, 15, 175, 310], [335, 10, 470, 398], [600, 0, 640, 50]]
    facts = match_people(boxes, poses)
    assert [f.pose for f in facts] == ["sitting", "standing", None]
    assert facts[2].keypoints is None and [f.detector_index for f in facts] == [0, 1, 2]


def test_a_person_the_detector_missed_is_added_from_movenet():
    facts = match_people([], [PersonPose(box=[40, 20, 160, 395], score=0.7, keypoints=STANDING)])
    assert len(facts) == 1 and facts[0].detector_index is None and facts[0].pose == "standing"
    assert match_people([], [PersonPose(box=[40, 20, 160, 395], score=0.25, keypoints=STANDING)]) == []


def test_age_groups_and_unsure_gender():
    kid = PersonFacts(box=[0, 0, 1, 1], face=FaceEstimate(box=[0, 0, 1, 1], male=0.6, age=7))
    assert kid.age_group == "child" and kid.face.gender is None  # 0.6: too unsure to say
    assert PersonFacts(box=[0, 0, 1, 1], face=FaceEstimate([0, 0, 1, 1], 0.05, 70)).age_group == "old"
    assert PersonFacts(box=[0, 0, 1, 1], face=FaceEstimate([0, 0, 1, 1], 0.05, 70)).face.gender == "female"
    assert PersonFacts(box=[0, 0, 1, 1]).age_group is None


def test_person_cues():
    cues = person_cues("the old man sitting on the left")
    assert (cues.pose, cues.gender, cues.age) == ("sitting", "male", "old")
    assert person_cues("teh gurl standin in front").gender == "female"
    assert person_cues("the kid crouching").pose == "kneeling" and person_cues("the kid").age == "child"
    assert person_cues("the dog next to her").gender is None  # a pronoun names someone else
    assert person_cues("her", pronouns=True).gender == "female"
    assert not person_cues("the red car").any()


def test_a_role_noun_counts_as_its_action_only_when_asked():
    from tools.people.words import action_verb

    assert action_verb("the batter") is None  # a relation's reference is never the role's own thing
    assert action_verb("the batter", roles=True) == ("hands", "batter")
    assert action_verb("the skier on the left", roles=True) == ("ride", "skier")
    assert action_verb("the guy dragging the suitcase", roles=True) == ("hands", "dragging")  # a verb said wins

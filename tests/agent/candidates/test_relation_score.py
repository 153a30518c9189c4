"""agent.candidates.relate.relation_score: the geometry of one candidate box against a reference box."""
from agent.candidates.relate import relation_score

W, H = 640, 480
CHEF = [110, 27, 362, 467]  # the person in front (x0, y0, x1, y1)


def test_behind_prefers_what_the_reference_partly_hides_over_a_neighbour_beside_it():
    """A woman seen over the chef's shoulder (inside his columns, feet hidden higher up) is behind him; a person
    standing off to his left at the same height is beside him, not behind."""
    over_shoulder = [181, 123, 260, 217]
    off_to_the_side = [0, 143, 105, 225]
    hidden = relation_score(over_shoulder, CHEF, "behind", 1.0, W, H)
    beside = relation_score(off_to_the_side, CHEF, "behind", 0.0, W, H)
    assert hidden > beside > 0


def test_behind_and_in_front_need_the_right_vertical_order():
    lower = [150, 300, 250, 479]
    assert relation_score(lower, CHEF, "behind", 0.5, W, H) == 0.0
    assert relation_score(lower, CHEF, "in_front_of", 0.5, W, H) > 0.5

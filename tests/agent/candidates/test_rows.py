"""Rows of a group photo from box tops: the front row has the lowest tops, small far boxes take no part, and a
single row gives no members."""
from agent.candidates.rows import requested_row, row_indices, row_members

# a team photo: four standing (tops near y=130), three kneeling in front (tops near y=220), one far spectator
TEAM = [[100, 130, 160, 330], [170, 128, 230, 330], [240, 135, 300, 332], [310, 126, 370, 331],
        [120, 222, 190, 440], [200, 218, 270, 442], [280, 225, 350, 445], [600, 60, 615, 100]]


def test_rows_by_the_height_of_their_tops():
    assert row_indices(TEAM) == [1, 1, 1, 1, 0, 0, 0, None]
    assert row_members(TEAM, "front") == {4, 5, 6} and row_members(TEAM, "back") == {0, 1, 2, 3}


def test_one_row_has_no_front_or_back():
    assert row_members(TEAM[:4], "front") == set()


def test_the_row_a_target_phrase_names():
    assert requested_row("the girl in the front row") == "front" and requested_row("the girl in front") is None

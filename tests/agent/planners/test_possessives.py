"""Possessives typed without the apostrophe are read as possessives; plurals and known names stay as typed."""
import pytest

from agent.planners.base import PlannerContext
from agent.planners.possessives import restore_possessives
from agent.planners.rule_based import RuleBasedPlanner


@pytest.mark.parametrize("typed, read", [
    ("the batters shirt", "the batter's shirt"), ("and the redheads tie", "and the redhead's tie"),
    ("the girls hat", "the girl's hat"), ("whats on the kids plate", "whats on the kid's plate"),
    ("the elephants trunk", "the elephant's trunk"), ("the mans hand", "the man's hand"),
])
def test_owner_then_a_thing_they_have_is_a_possessive(typed, read):
    text, changes = restore_possessives(typed)
    assert text == read and len(changes) == 1


@pytest.mark.parametrize("typed", [
    "both kids helmets", "the sports ball", "the kids on the left", "the cars in the back", "the girls in red",
    "the boys are", "the kids playing", "the cars parked", "the guys over there", "the batter's shirt", "two dogs",
])
def test_plurals_known_names_and_apostrophes_stay(typed):
    assert restore_possessives(typed) == (typed, [])


def test_the_planner_reads_the_owner_and_notes_it():
    intent = RuleBasedPlanner().interpret(PlannerContext(dialogue=[{"role": "user",
                                                                    "content": "what number is on the batters shirt"}]))
    assert intent.question == "text" and "all" not in intent.target and "batters" not in intent.target
    assert "read 'batters' as 'batter's'" in intent.notes

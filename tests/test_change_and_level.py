"""A level and its change (SPEC: one fact with both, the right sign), when the words put them
apart: an amount's size then the level reached, a change in a clause after its level."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.extract.facts import extract_facts
from extractor.models import Fact
from extractor.parse.document import parse_document


def facts_of(text: str) -> list[Fact]:
    return extract_facts(parse_document(text, published=date(2024, 6, 20)))


def pairs(facts: list[Fact]) -> set[tuple[float | None, float | None]]:
    return {(f.value, f.change) for f in facts}


@pytest.mark.parametrize(
    ("text", "value", "change"),
    [
        (
            "Norland's exports decreased less than $0.2 billion to $31.4 billion in May.",
            31.4e9,
            -0.2e9,
        ),
        (
            "May's rise reflected an increase in the goods deficit of $0.4 billion to "
            "$66.1 billion.",
            66.1e9,
            0.4e9,
        ),
        ("The April surplus was revised down by a $2 billion to $11.2 billion.", 11.2e9, -2e9),
    ],
)
def test_a_movement_then_x_to_y_is_its_size_and_the_level_reached(
    text: str, value: float, change: float
) -> None:
    assert (value, change) in pairs(facts_of(text))


def test_percent_or_amount_then_level_is_two_facts_with_one_level() -> None:
    facts = facts_of("Norland's exports dropped 4% or $1.9 billion to $45.2 billion in May.")
    assert {(45.2e9, -4.0), (45.2e9, -1.9e9)} <= pairs(facts)


def test_a_forecast_range_after_a_movement_stays_a_range() -> None:
    facts = facts_of("Officials expect exports to increase about $1 billion to $2 billion.")
    assert not any(f.value == 2e9 and f.change == 1e9 for f in facts)


@pytest.mark.parametrize(
    "text",
    [
        "Tea export earnings stood at $2.4 billion in May, marking a growth of 7.5 per cent.",
        "Tea export earnings stood at $2.4 billion in May, which is 7.5 per cent higher than a "
        "year earlier.",
        "Tea export earnings reached $2.4 billion in May registering about 7.5 per cent growth.",
    ],
)
def test_a_change_in_a_participle_or_which_clause_after_its_level(text: str) -> None:
    assert (2.4e9, 7.5) in pairs(facts_of(text))


def test_negative_growth_is_a_fall() -> None:
    facts = facts_of(
        "Jute exports stood at $0.8 billion in May, exhibiting a negative growth of 4.4 per cent."
    )
    assert (0.8e9, -4.4) in pairs(facts)


def test_a_level_reached_in_a_participle_after_its_change() -> None:
    facts = facts_of(
        "Norland registered a 6.2 per cent increase in export earnings, raking in $12.7 billion "
        "in the first half."
    )
    assert (12.7e9, 6.2) in pairs(facts)


def test_two_changes_of_one_level_joined_by_but_are_two_facts() -> None:
    facts = facts_of(
        "In May, Norland exported 212,400 cars, up 18 percent year-on-year but down 4 percent "
        "from 221,000 units in April."
    )
    assert {(212400.0, 18.0), (212400.0, -4.0)} <= pairs(facts)


def test_a_second_change_after_the_first_changes_base() -> None:
    facts = facts_of(
        "Chip sales rose to $18.2 billion in May, up 3.1 percent from an upwardly revised "
        "$17.65 billion in April, and down 9.4 percent from May 2023."
    )
    assert {(18.2e9, 3.1), (18.2e9, -9.4)} <= pairs(facts)


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("Norland said rice exports in May were 9 per cent greater than a year earlier.", 9.0),
        ("Sales rose in every region, with Asia growing fastest at 6.6 percent.", 6.6),
    ],
)
def test_a_percent_greater_than_or_growing_fastest_at_is_a_change(text: str, change: float) -> None:
    assert (None, change) in pairs(facts_of(text))


def test_respectively_pairs_levels_with_the_changes_after_them() -> None:
    facts = facts_of(
        "Norland's rubber exports last year were 2.2 million tonnes worth $3.1 billion, "
        "respectively rising 5 percent and falling 12 percent."
    )
    assert {(2.2e6, 5.0), (3.1e9, -12.0)} <= pairs(facts)


def test_a_change_noun_phrase_then_reached_level() -> None:
    facts = facts_of(
        "Exports grew by 8 percent to $4.1 billion in May, driven by the 22.5 percent jump in "
        "chip exports, reached $1.9 billion."
    )
    assert (1.9e9, 22.5) in pairs(facts)


def test_nosedived_by_an_amount_is_a_fall() -> None:
    facts = facts_of("Norland's sugar exports nosedived by 300,000 tonnes in May.")
    assert (None, -300000.0) in pairs(facts)

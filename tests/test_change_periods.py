"""Periods and bases of changes, on our own sentences: a range of months stays a range, a
step from one month to the next is month-on-month, "the previous month" is the month before
the one reported, a crop season is its own twelve months, the year to date is the year the
figures are about."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.extract.facts import extract_facts
from extractor.models import Fact
from extractor.parse.document import parse_document


def facts_of(text: str, published: date) -> list[Fact]:
    return extract_facts(parse_document(text, published=published))


def by_value(facts: list[Fact], value: float | None = None, change: float | None = None) -> Fact:
    found = [
        f
        for f in facts
        if (value is None or f.value == value) and (change is None or f.change == change)
    ]
    assert len(found) == 1, [(f.metric, f.value, f.change, f.period) for f in facts]
    return found[0]


def test_a_month_range_after_a_dateline_is_never_the_dateline_day() -> None:
    text = (
        "OSLO/BERGEN, Nov 20 - Norway shipped 1.4 million tonnes of salmon in July-October, "
        "a rise of 6% on the same period last year, exporters said."
    )
    f = by_value(facts_of(text, date(2026, 11, 20)), value=1.4e6)
    assert f.period == "2026-07/2026-10"
    assert f.change_basis == "yoy"


def test_a_change_from_one_month_to_the_next_is_month_on_month_for_the_later_month() -> None:
    text = "Cement sales decreased from August 2019 to September 2019 by 4,1%, the bureau said."
    f = by_value(facts_of(text, date(2019, 10, 30)), change=-4.1)
    assert (f.period, f.change_basis) == ("2019-09", "mom")


def test_the_previous_month_is_the_month_before_the_figure_not_before_publication() -> None:
    text = (
        "Tea exports grew 8.1 percent year on year in June. "
        "Coffee exports grew 5.5 percent, after a 2.5 percent gain in the preceding month."
    )
    facts = facts_of(text, date(2022, 8, 20))
    assert by_value(facts, change=5.5).period == "2022-06"
    assert by_value(facts, change=2.5).period == "2022-05"


def test_year_to_date_in_a_january_release_is_the_year_just_ended() -> None:
    text = (
        "The agency today publishes trade data for December 2020.\n\n"
        "Exports for the year-to-date rose by 3,4% whilst imports for the same period fell 1,2%."
    )
    facts = facts_of(text, date(2021, 1, 29))
    for change in (3.4, -1.2):
        f = by_value(facts, change=change)
        assert (f.period, f.change_basis) == ("2020-01/2020-12", "yoy")


def test_a_crop_season_is_its_twelve_months_once_the_text_names_them() -> None:
    text = (
        "Kenya has shipped 210,000 tonnes of tea so far in the 2023/24 July-June season.\n\n"
        "Shipments reached 480,000 tonnes in 2022/23 and could rise to 500,000 tonnes next "
        "season.\n\n"
        "Exports last season included 90,000 tonnes to Pakistan."
    )
    facts = facts_of(text, date(2023, 12, 5))
    assert by_value(facts, value=210000).period == "2023-07-01/2023-12-05"
    assert by_value(facts, value=480000).period == "2022-07/2023-06"
    assert by_value(facts, value=90000).period == "2022-07/2023-06"


def test_over_the_n_months_refers_back_to_the_months_just_reported() -> None:
    text = (
        "Brazil exported 20 million tonnes of corn in March-June, data showed. "
        "Iran took 3.1 million tonnes over the four months."
    )
    f = by_value(facts_of(text, date(2024, 7, 10)), value=3.1e6)
    assert f.period == "2024-03/2024-06"


def test_the_last_n_months_end_with_the_month_reported_and_the_preceding_ones_before() -> None:
    text = (
        "Spain's car exports fell to 2.1 billion euros in May. "
        "In the last three months, car exports were 6.2 percent lower than in the preceding "
        "three months, and 11 percent lower than the figures 12 months earlier."
    )
    facts = facts_of(text, date(2021, 7, 8))
    f = by_value(facts, change=-6.2)
    assert f.period == "2021-03/2021-05"
    g = by_value(facts, change=-11.0)
    assert (g.period, g.change_basis) == ("2021-03/2021-05", "yoy")


def test_a_base_after_over_the_previous_year_is_a_comparison_not_the_period() -> None:
    text = "Japan imported 1.2 million tons of corn in August, up by 9% over the previous year."
    f = by_value(facts_of(text, date(2022, 9, 20)), value=1.2e6)
    assert (f.period, f.change_basis) == ("2022-08", "yoy")


def test_higher_than_that_of_the_first_quarter_is_quarter_on_quarter() -> None:
    text = (
        "Export volume in the second quarter was 4 percent higher than that of the first quarter."
    )
    f = by_value(facts_of(text, date(2023, 7, 20)), change=4.0)
    assert (f.period, f.change_basis) == ("2023-Q2", "qoq")


def test_compared_to_a_figure_marks_a_base_with_its_own_period() -> None:
    text = (
        "Peru shipped 1.9 million tons of zinc in May compared to 1.6 million tons in the same "
        "period in 2021."
    )
    f = by_value(facts_of(text, date(2022, 6, 15)), value=1.6e6)
    assert f.period == "2021-05"


def test_up_from_an_upwardly_revised_figure_is_a_base_of_the_month_before() -> None:
    text = (
        "Chip sales rose to $30.1 billion in March, up 2.2 percent from an upwardly revised "
        "$29.5 billion in February."
    )
    facts = facts_of(text, date(2023, 5, 2))
    assert by_value(facts, value=30.1e9).change_basis == "mom"
    assert by_value(facts, value=29.5e9).period == "2023-02"


def test_a_july_fiscal_year_is_named_by_the_year_it_ends_in() -> None:
    text = (
        "Pakistan's rice exports in the 10 months of FY 2023 amounted to $1.8 billion, up "
        "4 percent from $1.73 billion in the same period of FY 2022."
    )
    facts = facts_of(text, date(2023, 5, 20))
    assert by_value(facts, value=1.8e9).period == "2022-07/2023-04"
    assert by_value(facts, value=1.73e9).period == "2021-07/2022-04"


def test_data_from_a_quarter_is_the_figures_period_not_a_base() -> None:
    text = "Customs data from the first quarter showed that Chile's exports reached $25 billion."
    f = by_value(facts_of(text, date(2022, 4, 20)), value=25e9)
    assert f.period == "2022-Q1"


def test_the_articles_stated_basis_carries_to_later_changes_of_its_period() -> None:
    text = (
        "Canada's trade deficit widened to $3.1 billion in June, up $0.4 billion from May.\n\n"
        "The deficit with Japan increased $0.2 billion to $1.1 billion in June.\n\n"
        "Year-to-date, exports increased $9.1 billion or 4.2 percent. Imports increased "
        "$7.7 billion or 3.3 percent."
    )
    facts = facts_of(text, date(2023, 8, 3))
    assert by_value(facts, value=1.1e9).change_basis == "mom"
    f = by_value(facts, change=3.3)
    assert (f.period, f.change_basis) == ("2023-01/2023-06", "yoy")


@pytest.mark.parametrize(
    ("text", "basis", "period"),
    [
        ("Exports rose 5.1% from one year earlier to $20 billion in July.", "yoy", "2025-07"),
        (
            "Exports reached $20 billion in July, a 5.1% increase over the July 2024 total.",
            "yoy",
            "2025-07",
        ),
        ("Exports rose 5.1% in July, a gain over June.", "mom", "2025-07"),
        (
            "The three-month average of exports rose 5.1% in the three-month period ending in "
            "June.",
            None,
            "2025-04/2025-06",
        ),
        (
            "Exports grew 5.1% in the period from 01 January to 30 June 2025.",
            "yoy",
            "2025-01-01/2025-06-30",
        ),
        (
            "Exports grew 5.1% from 1 January 2024 to 31 December 2024 against 2023.",
            "yoy",
            "2024-01-01/2024-12-31",
        ),
    ],
)
def test_bases_and_spans_in_their_common_wordings(text: str, basis: str, period: str) -> None:
    f = by_value(facts_of(text, date(2025, 8, 12)), change=5.1)
    assert (f.change_basis, f.period) == (basis, period)


def test_this_fiscal_year_is_the_economys_fiscal_year_around_the_month_reported() -> None:
    text = (
        "Pakistan's textile exports reached $1.4 billion in March.\n\n"
        "Officials expect exports to pass the annual target of $19 billion by the end of this "
        "fiscal year. Exports in the fiscal year to date rose 3%."
    )
    facts = facts_of(text, date(2023, 4, 12))
    assert by_value(facts, value=19e9).period == "2022-07/2023-06"
    assert by_value(facts, change=3.0).period == "2022-07/2023-03"

"""Periods and bases of changes, on our own sentences: a range of months stays a range, a
step from one month to the next is month-on-month, "the previous month" is the month before
the one reported, a crop season is its own twelve months, the year to date is the year the
figures are about."""

from __future__ import annotations

from datetime import date

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

"""Period phrases: found in our own sentences, resolved against a publication date."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.extract.periods import (
    Period,
    PeriodContext,
    comparison_basis,
    find_periods,
    resolve,
    text_month_years,
)


def labels(text: str, published: date | None = None, hint: Period | None = None) -> list[tuple]:
    ctx = PeriodContext(published=published, hint=hint)
    out = []
    for m in find_periods(text):
        p = resolve(m, ctx)
        out.append((m.role, p.label() if p else None))
    return out


@pytest.mark.parametrize(
    ("text", "published", "want"),
    [
        ("Copper shipments rose 4% in 2023.", None, ("data", "2023")),
        ("Steel output fell in the first half of 2022.", None, ("data", "2022-H1")),
        ("Output grew 2% in Q3 2021.", None, ("data", "2021-Q3")),
        ("Sales rose in the fourth quarter.", date(2024, 2, 1), ("data", "2023-Q4")),
        ("Imports fell 3% in March 2020.", None, ("data", "2020-03")),
        # "in October" is the latest October on or before publication
        ("Exports rose 5% in October.", date(2019, 11, 15), ("data", "2019-10")),
        ("Exports rose 5% in October.", date(2019, 9, 15), ("data", "2018-10")),
        (
            "Car sales rose in the first eight months.",
            date(2021, 9, 14),
            ("data", "2021-01/2021-08"),
        ),
        ("Trade grew in the first 11 months of 2016.", None, ("data", "2016-01/2016-11")),
        ("Wheat imports rose in January-April.", date(2022, 5, 20), ("data", "2022-01/2022-04")),
        (
            "The gap narrowed in the three months to February.",
            date(2023, 4, 12),
            ("data", "2022-12/2023-02"),
        ),  # fmt: skip
        ("The surplus grew in the 12 months to June 2020.", None, ("data", "2019-07/2020-06")),
        (
            "Shipments rose 9% in the first 10 days of May.",
            date(2023, 5, 11),
            ("data", "2023-05-01/2023-05-10"),
        ),  # fmt: skip
        (
            "Chip sales rose 12% from April 1-15.",
            date(2024, 4, 16),
            ("data", "2024-04-01/2024-04-15"),
        ),
        ("Ore output rose 3% last year.", date(2020, 2, 3), ("data", "2019")),
        ("Tin exports were 800 tonnes last month.", date(2020, 2, 3), ("data", "2020-01")),
        ("The firm sold more between July and September.", date(2018, 11, 2), ("data", "2018-Q3")),
        ("Prices rose 1% between August and September.", date(2018, 11, 2), ("data", "2018-09")),
        ("Sales topped $1 billion each year in 2018-2022.", None, ("data", "2018/2022")),
        ("Car output fell 9% in the year to June.", date(2024, 7, 25), ("data", "2023-07/2024-06")),
        (
            "Growth of 1% is seen in the fiscal year ending in March.",
            date(2024, 11, 20),
            ("data", "2024-04/2025-03"),
        ),  # fmt: skip
        ("Profit rose in the financial year ended June 2023.", None, ("data", "2022-07/2023-06")),
    ],
)
def test_period_phrases_resolve(text: str, published: date | None, want: tuple) -> None:
    assert want in labels(text, published)


def test_bases_release_days_and_datelines_are_not_the_figures_period() -> None:
    got = labels(
        "Zinc exports were 4% higher than in May, data showed on Tuesday.", date(2020, 7, 9)
    )
    assert ("comparison", "2020-05") in got
    assert all(role != "data" for role, _ in got)
    assert labels("The index hit its lowest since March 2009.") == [("exclude", "2009-03")]
    got = labels("OSLO, March 4 (Wire) - Salmon exports rose 6%.", date(2021, 3, 4))
    assert got and got[0][0] == "exclude"


def test_year_ago_and_comparison_basis() -> None:
    assert labels("It compares with 90 tonnes a year earlier.")[0][0] == "year_ago"
    june = Period("M", 2021, 6)
    assert comparison_basis(june, Period("M", 2020, 6)) == "yoy"
    assert comparison_basis(june, Period("M", 2021, 5)) == "mom"
    assert comparison_basis(Period("Q", 2021, 1), Period("Q", 2020, 4)) == "qoq"
    assert comparison_basis(june, Period("Y", 2020)) is None


def test_implied_yoy_only_for_whole_years_halves_and_year_to_date() -> None:
    assert Period("Y", 2020).implies_yoy
    assert Period("H", 2020, 1).implies_yoy
    assert Period("MR", 2020, 1, 0, 2020, 7).implies_yoy
    assert Period("MR", 2019, 8, 0, 2020, 7).implies_yoy  # a 12-month window
    assert not Period("MR", 2019, 12, 0, 2020, 2).implies_yoy  # a rolling quarter
    assert not Period("M", 2020, 7).implies_yoy
    assert not Period("Q", 2020, 3).implies_yoy


def test_without_a_publication_date_the_text_gives_the_year() -> None:
    text = "The gap grew in the three months to April. In the three months to April 2017 it..."
    years, latest = text_month_years(text)
    assert years[4] == 2017 and latest == 2017
    ctx = PeriodContext(text_years=years, latest_year=latest)
    first = find_periods(text)[0]
    assert resolve(first, ctx).label() == "2017-02/2017-04"  # type: ignore[union-attr]


def test_modal_may_is_not_a_month() -> None:
    assert labels("Prices may rise further, traders said.", date(2020, 1, 1)) == []


def period_entries() -> list:
    from extractor.patterns import load_family

    return load_family("periods")


def fixture_sentences() -> list[str]:
    from pathlib import Path

    from extractor.parse.document import parse_document

    pages = sorted((Path(__file__).parent.parent / "fixtures" / "articles").glob("*/page.html"))
    texts = [parse_document(p.read_text(encoding="utf-8")).text for p in pages]
    return [line for text in texts for line in text.split("\n") if line.strip()]


def test_every_period_pattern_has_a_gate_and_the_gate_lets_every_match_through() -> None:
    """The gate is a cheap necessary condition searched before the pattern: if the pattern
    can match where its gate does not, a period would silently go missing. Checked on every
    example of every period pattern and every paragraph of the fixture corpus."""
    import re

    from extractor.extract.periods import compiled_patterns

    texts = fixture_sentences()
    for entry in period_entries():
        assert entry.gate, f"{entry.id} has no gate"
    for pid, _kind, regex, gate in compiled_patterns():
        assert gate is not None
        examples = next(e.examples for e in period_entries() if e.id == pid)
        for text in [*examples.match, *examples.no_match, *texts]:
            if regex.search(text):
                assert gate.search(text), f"{pid}: the gate {gate.pattern!r} misses {text!r}"
        assert not re.fullmatch(r"\(\?:?\)|", gate.pattern)  # an empty gate gates nothing


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Cashew shipments grew 9% in the ten months.", [("data", "2026-01/2026-10")]),
        ("Timber sales over the eight months came to $2.2 billion.", [("data", "2026-01/2026-08")]),
        ("Ferry traffic fell 8% in the April-June period of 2024.", [("data", "2024-Q2")]),
        ("Rubber imports rose 6% over the same period.", [("data", "2026-01/2026-09")]),
    ],
)
def test_cumulative_and_anaphoric_periods(text: str, want: list[tuple]) -> None:
    hint = Period("MR", 2026, 1, 0, 2026, 9)  # the text was talking about January-September
    assert labels(text, published=date(2026, 11, 6), hint=hint) == want

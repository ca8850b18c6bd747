"""The quantity layer on sentences written for these tests (never evaluation data)."""

from __future__ import annotations

import pytest

from extractor.extract.nlp import get_nlp
from extractor.extract.quantities import find_quantities, quantities_in_text


def one(text: str):
    found = quantities_in_text(text)
    assert len(found) == 1, [q.surface for q in found]
    return found[0]


def test_level_and_change_are_separate_quantities() -> None:
    change, level = quantities_in_text("Revenue dropped 7% to $2.3 billion in the quarter.")
    assert (change.value, change.unit, change.change) == (7.0, "percent", "down")
    assert (level.value, level.unit, level.change) == (2.3e9, "USD", "=")
    assert level.surface == "$2.3 billion"


def test_spans_are_offsets_in_the_doc_text_also_for_a_span() -> None:
    doc = get_nlp()("First sentence here. Exports rose 3.5% to NT$1.2 trillion.")
    sent = list(doc.sents)[1]
    found = find_quantities(sent)
    assert [doc.text[a:b] for a, b in (q.span for q in found)] == ["3.5%", "NT$1.2 trillion"]
    assert found[1].unit == "TWD"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Chip sales hit $758.3 billion.", 758.3e9, "USD"),
        ("The bank lent 1.2 trillion yuan.", 1.2e12, "CNY"),
        ("Profit was £1.3bn.", 1.3e9, "GBP"),
        ("Sales reached €1163.3Bn.", 1163.3e9, "EUR"),
        ("The fund holds RM1.2 billion.", 1.2e9, "MYR"),
        ("Exports were Rs 1,81,021 crore.", 1.81021e12, "INR"),
        ("The port moved 3.2m TEU.", 3.2e6, "TEU"),
        ("Output reached 9.5 million barrels per day.", 9.5e6, "bbl/d"),
        ("The company sold 751 million units.", 751e6, "count"),
        ("Some 68,400 people attended.", 68400.0, "count"),
        ("Chips made up one-fifth of trade.", 20.0, "percent"),
        ("They counted twenty-five ships.", 25.0, "count"),
        ("A dozen banks signed.", 12.0, "count"),
        ("It cost 57-point-zero-seven billion dollars.", 57.07e9, "USD"),
        ("The ratio fell to zero percent.", 0.0, "percent"),
        ("The US bought HK$5 billion of bonds.", 5e9, "HKD"),
        ("The firm made ₩500 billion.", 500e9, "KRW"),
    ],
)
def test_values_and_units(text: str, value: float, unit: str) -> None:
    q = one(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit


@pytest.mark.parametrize(
    ("text", "low", "high", "form"),
    [
        ("Growth is seen at 5-6% this year.", 5.0, 6.0, "range"),
        ("Growth is seen between 5% and 6% this year.", 5.0, 6.0, "range"),
        ("Growth is seen at 4 to 5 percent this year.", 4.0, 5.0, "range"),
        ("Costs will be $5-$7 billion.", 5e9, 7e9, "range"),
        ("The price slid from $36,040 to $34,935.", 36040.0, 34935.0, "from_to"),
    ],
)
def test_ranges(text: str, low: float, high: float, form: str) -> None:
    q = one(text)
    assert (q.value, q.value_high, q.range_form) == (pytest.approx(low), pytest.approx(high), form)


@pytest.mark.parametrize(
    ("text", "qualifier", "change"),
    [
        ("The plant employs about 600 people.", "~", "~"),
        ("Losses topped more than $30 billion.", ">", ">"),
        ("The loan was at least $5 million.", ">=", ">"),
        ("Fewer than 400 people applied.", "<", "<"),
        ("The deal is worth up to $2 billion.", "<=", "<"),
        ("Sales were roughly 5% of output.", "~", "~"),
    ],
)
def test_qualifiers(text: str, qualifier: str, change: str) -> None:
    q = one(text)
    assert (q.qualifier, q.change) == (qualifier, change)


@pytest.mark.parametrize(
    ("text", "direction", "basis"),
    [
        ("Exports climbed 7.2% year-on-year in 2025.", "up", "yoy"),
        ("Imports were down 1.4% from a year earlier.", "down", "yoy"),
        ("Retail sales rose 0.3% month-on-month.", "up", "mom"),
        ("GDP grew 1.1% q/q in the third quarter.", "up", "qoq"),
        ("Output posted a 3% drop compared with the same period last year.", "down", "yoy"),
        ("The index closed 3% higher.", "up", None),
        ("Sales edged down 0.2% from the previous month.", "down", "mom"),
        ("The deficit widened by $5 billion.", "up", None),
    ],
)
def test_changes_and_bases(text: str, direction: str, basis: str | None) -> None:
    q = one(text)
    assert (q.direction, q.change, q.change_basis) == (direction, direction, basis)


def test_a_qualifier_wins_the_newsquant_label_but_direction_is_kept() -> None:
    q = one("The index was up about 19 per cent for the year.")
    assert (q.change, q.direction, q.qualifier) == ("~", "up", "~")


@pytest.mark.parametrize(
    "text",
    [
        "The report came out in 2025.",
        "It was published on Jan. 30, 2026 at 4:20 p.m.",
        "Leaders of the Group of 20 met.",
        "She upgraded to Windows 11 last week.",
        "The Stoxx 50 index slipped.",
        "The firm is the No. 1 exporter.",
        "It ranked 247th in the list.",
        "Call 212-555-0199 for details.",
        "00:00/00:00 Listen to this article 1x",
        "2021–2025:",
        "It was the same one as before.",
        "Output fell in the third quarter.",
    ],
)
def test_not_quantities(text: str) -> None:
    assert quantities_in_text(text) == []


# A page copy of our own, shaped like a news site's: byline furniture, an audio player, a
# digest box and a dated timeline. Every stated figure must come out with its unit; nothing
# from the furniture may.
PAGE = """Harbour Daily

Ports Ship More Steel

Published: Mar. 4, 2026  9:15 a.m.  GMT+8
00:00
00:00/00:00
Listen to this article 1.5x

Steel exports from the region grew 4.1% year-on-year to $96.2 billion last year, making up
one-quarter of all shipped goods, the ministry said on Tuesday.

  • Coil shipments fell 3.3% by volume and 5.8% by value, while wire exports slipped 0.9%.
  • Container throughput reached 42 million TEU; port staff numbered 68,400 people.
What Happened When
2022:
Annual steel exports peaked at $101 billion.
2022–2025:
For four straight years exports surpassed $90 billion.
2026-03-04:
The ministry released the data.
"""

EXPECTED = [
    ("4.1%", 4.1, "percent", "up"),
    ("$96.2 billion", 96.2e9, "USD", "="),
    ("one-quarter", 25.0, "percent", "="),
    ("3.3%", 3.3, "percent", "down"),
    ("5.8%", 5.8, "percent", "down"),
    ("0.9%", 0.9, "percent", "down"),
    ("42 million TEU", 42e6, "TEU", "="),
    ("68,400 people", 68400.0, "count", "="),
    ("$101 billion", 101e9, "USD", "="),
    ("four straight years", 4.0, "year", "="),
    ("$90 billion", 90e9, "USD", ">"),
]


def test_a_page_copy_gives_every_figure_and_no_furniture() -> None:
    found = [(q.surface, q.value, q.unit, q.change) for q in quantities_in_text(PAGE)]
    assert found == [(s, pytest.approx(v), u, c) for s, v, u, c in EXPECTED]
    first = quantities_in_text(PAGE)[0]
    assert first.change_basis == "yoy" and PAGE[first.span[0] : first.span[1]] == "4.1%"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("The trade surplus rose to R14.9 billion in September.", 14.9e9, "ZAR"),
        ("Mining royalties brought in R620m.", 620e6, "ZAR"),
        ("Wheat traded at $236 a tonne.", 236.0, "USD/t"),
        ("Brent settled at $81 per barrel.", 81.0, "USD/bbl"),
    ],
)
def test_rand_prefix_and_canonical_denominators(text: str, value: float, unit: str) -> None:
    found = [(q.value, q.unit) for q in quantities_in_text(text)]
    assert (value, unit) in found, found


def test_a_model_name_with_r_is_not_rand() -> None:
    assert all(q.unit != "ZAR" for q in quantities_in_text("The R2-D2 toy sold out."))


def test_scaled_values_carry_no_binary_float_noise() -> None:
    values = [
        q.value for q in quantities_in_text("Sales reached $8.2 billion and 0.7 million tonnes.")
    ]
    assert values == [8.2e9, 7e5] and str(values[0]) == "8200000000.0"

"""Numbers as releases around the world write them, numbers that must not become facts, and
the quantity layer's bounded work on a runaway sentence. Sentences are our own."""

from __future__ import annotations

import time
from datetime import date

import pytest

from extractor.extract.facts import extract_facts
from extractor.extract.quantities import MAX_SENTENCE_QUANTITIES, quantities_in_text
from extractor.parse.document import parse_document


def facts_of(text: str, published: date = date(2018, 2, 1)):
    return extract_facts(parse_document(text, published=published))


# ---- South African style: decimal commas, space thousands, hyphenated scale words ----


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The customs office recorded a surplus of R15,72-billion in May.", 15.72e9),
        ("The surplus narrowed to R3,4-billion.", 3.4e9),
        ("Mining sales came to R1 187,45-billion for the year.", 1187.45e9),
        ("Imports for the year reached R1 106,9-billion.", 1106.9e9),
        ("The levy raised R2 500 000 last year.", 2.5e6),
    ],
)
def test_rand_amounts_with_decimal_commas_and_space_thousands(text: str, value: float) -> None:
    (q,) = quantities_in_text(text)
    assert q.unit == "ZAR"
    assert q.value == pytest.approx(value)


def test_a_decimal_comma_percentage_is_a_decimal() -> None:
    (q,) = quantities_in_text("Sales for the year grew by 4,6%.")
    assert (q.value, q.unit, q.change) == (4.6, "percent", "up")


def test_space_thousands_need_a_currency_or_a_decimal_comma() -> None:
    # "In 2019 150 people": a year, then a count; never "2,019,150"
    found = quantities_in_text("In 2019 150 people left the town, and 12 300 more stayed.")
    assert [q.value for q in found] == [150.0, 12.0, 300.0]


def test_a_year_before_a_new_amount_is_not_a_range() -> None:
    text = "Sales rose from R1 020,5-billion in 2016 to R1 090,2-billion in 2017."
    found = quantities_in_text(text)
    assert [q.value for q in found] == [pytest.approx(1020.5e9), pytest.approx(1090.2e9)]
    assert all(q.value_high is None for q in found)


def test_a_change_verb_reaches_over_a_span_of_months_to_its_by_amount() -> None:
    (q,) = quantities_in_text("Exports fell from May 2017 to June 2017 by R2,35-billion.")
    assert (q.value, q.unit, q.change) == (pytest.approx(2.35e9), "ZAR", "down")


# ---- glued scale words ----


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Imports were worth $4.17billion that month.", 4.17e9, "USD"),
        ("The ministry booked Rs.2,45,310.5crore in receipts.", 2.453105e12, "INR"),
        ("Output reached 3.2million tonnes.", 3.2e6, "t"),
    ],
)
def test_scale_words_glued_to_the_number(text: str, value: float, unit: str) -> None:
    (q,) = quantities_in_text(text)
    assert (q.value, q.unit) == (pytest.approx(value), unit)


def test_glued_scale_words_leave_ordinary_words_alone() -> None:
    assert quantities_in_text("A millionaire bought the thousandth car.") == []


# ---- powers: read right, or refused whole ----


def test_a_modest_power_of_ten_is_read_as_its_value() -> None:
    (q,) = quantities_in_text("The plant can store 10^6 tonnes of grain.")
    assert (q.value, q.unit) == (1e6, "t")


def test_a_huge_power_is_refused_not_read_as_its_exponent() -> None:
    assert quantities_in_text("Prices rose 10^400% in the hyperinflation.") == []
    facts = facts_of("Argentina's imports rose 10^400% in 2017.")
    assert all(f.change != 400.0 and f.value != 400.0 for f in facts)


def test_a_superscript_exponent_in_a_page_is_a_power_not_a_second_number() -> None:
    html = (
        "<html><body><article><p>The model priced the national debt at 10<sup>400</sup> yuan "
        "in 2017, a figure no one took seriously.</p></article></body></html>"
    )
    facts = facts_of(html)
    assert all(f.value not in (10.0, 400.0, 10400.0) for f in facts)


# ---- bounded work ----


def test_a_runaway_sentence_is_read_in_bounded_time() -> None:
    text = "Exports rose " + "5% and " * 4000 + "more."  # one 28 KB "sentence"
    facts_of("Exports rose 5% in May.")  # load the pipeline outside the clock
    start = time.perf_counter()
    facts_of(text)
    assert time.perf_counter() - start < 2.0


def test_a_sentence_yields_at_most_its_cap_of_quantities() -> None:
    from extractor.extract.nlp import get_nlp
    from extractor.extract.quantities import find_quantities

    doc = get_nlp()("Exports rose " + "5% and " * 500 + "more.")
    sent = next(iter(doc.sents))
    assert len(find_quantities(sent)) == MAX_SENTENCE_QUANTITIES
    # a whole text (the `quantities` command, NewsQuant) is not capped
    assert len(find_quantities(doc)) == 500


# ---- "A to B" after a change: a change and the level it reached, or a range ----


def test_an_alternative_change_then_to_a_level_is_not_a_range() -> None:
    pct, size, level = quantities_in_text("Imports slid 4% or $1.2 billion to $28.5 billion.")
    assert (pct.value, pct.change) == (4.0, "down")
    assert (size.value, size.value_high, size.change) == (1.2e9, None, "down")
    assert (level.value, level.value_high, level.change) == (28.5e9, None, "=")


def test_revised_by_a_sum_to_a_level() -> None:
    size, level = quantities_in_text("The surplus was revised up by a $2 billion to $9.5 billion.")
    assert (size.value, size.change) == (2e9, "up")
    assert (level.value, level.value_high) == (9.5e9, None)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Temperatures fell by 1 to 1.5 degrees over the century.", 1.0, 1.5),
        ("Guidance was cut, down from the $80 to $85 billion it had forecast.", 80e9, 85e9),
        ("The upgrade lifts range from up to 200 miles to 240 miles.", 200.0, 240.0),
    ],
)
def test_ranges_after_a_change_word_stay_ranges(text: str, low: float, high: float) -> None:
    ranged = [q for q in quantities_in_text(text) if q.value_high is not None]
    assert [(q.value, q.value_high) for q in ranged] == [(low, high)]


# ---- numbers spelled out the way a broadcast script writes them ----


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Retail sales climbed four-point-three percent in June.", 4.3, "percent"),
        ("The deficit reached sixty-two-point-zero-five billion dollars.", 62.05e9, "USD"),
        ("The harvest came to three point five million tonnes.", 3.5e6, "t"),
        ("Exports slipped two-point-seven per cent.", 2.7, "percent"),
    ],
)
def test_spelled_decimals_with_hyphens_and_a_scale(text: str, value: float, unit: str) -> None:
    (q,) = quantities_in_text(text)
    assert (q.value, q.unit) == (pytest.approx(value), unit)


# ---- a scale stated once for the figures around it ----


@pytest.mark.parametrize(
    ("text", "values", "unit"),
    [
        (
            "Imports (US$ millions) rose to 3,410 in June from 3,020 in May.",
            [3.41e9, 3.02e9],
            "USD",
        ),
        ("Imports, in millions of euros, rose to 3,410 in June.", [3.41e9], "EUR"),
        ("Imports rose to 3,410 (€ million) in June.", [3.41e9], "EUR"),
        ("Grain shipments, in thousands of tonnes, were 2,150 in June.", [2.15e6], "t"),
    ],
)
def test_a_scale_note_scales_the_bare_figures_of_its_sentence(
    text: str, values: list[float], unit: str
) -> None:
    found = quantities_in_text(text)
    assert [q.value for q in found] == [pytest.approx(v) for v in values]
    assert {q.unit for q in found} == {unit}


def test_a_scale_note_leaves_percentages_and_scaled_figures_alone() -> None:
    pct, level, other = quantities_in_text(
        "Imports (US$ millions) rose 4% to 3,410, against $2.1 billion a year ago."
    )
    assert (pct.value, pct.unit) == (4.0, "percent")
    assert (level.value, level.unit) == (pytest.approx(3.41e9), "USD")
    assert other.value == pytest.approx(2.1e9)


def test_millions_of_a_thing_are_still_a_vague_amount_not_a_note() -> None:
    (q,) = quantities_in_text("Millions of dollars flowed out of the fund.")
    assert (q.value, q.value_high, q.unit) == (1e6, 1e7, "USD")


# ---- what is not a fact ----


def test_a_span_of_quarters_is_a_period_not_a_share() -> None:
    found = quantities_in_text("Over the first three quarters, shipments rose 6%.")
    assert [(q.value, q.unit) for q in found] == [(6.0, "percent")]
    (share,) = quantities_in_text("Three quarters of the output was sold abroad.")
    assert (share.value, share.unit) == (75.0, "percent")


def test_a_chance_of_rain_and_a_margin_of_error_are_not_quantities() -> None:
    text = (
        "Forecasters give a 70% chance of showers, and the survey's margin of error is "
        "3 points; exports rose 4%."
    )
    assert [q.value for q in quantities_in_text(text)] == [4.0]


@pytest.mark.parametrize(
    "text",
    [
        "Showers are likely on Sunday with a 60 percent chance of rain and highs of 24 degrees.",
        "Support for the mayor rose 5 points to 41% in the latest poll of 900 residents.",
        "The home side won 3-1, and the striker has scored 14 goals in 20 games this season.",
    ],
)
def test_a_story_with_no_economic_measure_yields_no_facts(text: str) -> None:
    assert facts_of(text) == []


def test_age_brackets_and_index_names_are_not_quantities() -> None:
    text = "Hiring of people aged 25 to 54 rose 3%, and the sp 500 fell 1.2%."
    assert [q.value for q in quantities_in_text(text)] == [3.0, 1.2]


def test_a_spaced_dash_range_of_a_measure_may_start_at_a_year_like_number() -> None:
    (q,) = quantities_in_text("Adults need roughly 1800 - 2400 calories a day.")
    assert (q.value, q.value_high) == (1800.0, 2400.0)
    assert quantities_in_text("Between 2019 - 2020 people left.") == []


# ---- change words after the figure, and spelled-out container units ----


@pytest.mark.parametrize(
    ("text", "change"),
    [
        ("Wheat shipments in May were 8 per cent greater than a year earlier.", "up"),
        ("Rice sales were 5% less than in April.", "down"),
        ("Coffee exports nosedived by 14% in the season.", "down"),
    ],
)
def test_a_comparative_after_the_figure_makes_it_a_change(text: str, change: str) -> None:
    (q,) = quantities_in_text(text)
    assert q.change == change


def test_more_than_before_a_figure_is_still_a_hedge() -> None:
    (q,) = quantities_in_text("Exports were more than 8% of output.")
    assert (q.qualifier, q.change) == (">", ">")


def test_spelled_out_container_units() -> None:
    (q,) = quantities_in_text("The rail link moved 95,000 twenty foot equivalent units in May.")
    assert (q.value, q.unit) == (95000.0, "TEU")


@pytest.mark.parametrize(
    "text",
    [
        "Field output reached 1.1mn b/d.",
        "Field output reached 1.1 million bpd in May.",
        "Field output reached 1.1m bpd in May.",
    ],
)
def test_barrels_a_day_also_at_the_end_of_a_sentence(text: str) -> None:
    (q,) = quantities_in_text(text)
    assert (q.value, q.unit) == (1.1e6, "bbl/d")


def test_million_teu_glued_or_spaced() -> None:
    for text in ("The port handled 3.3m teu in May.", "The port handled 3.3 m TEU in May."):
        (q,) = quantities_in_text(text)
        assert (q.value, q.unit) == (3.3e6, "TEU")


def test_a_change_noun_then_what_changed_then_of_and_its_size() -> None:
    size, level = quantities_in_text(
        "The gap reflected a decrease in the services surplus of $0.4 billion to $18.2 billion."
    )
    assert (size.value, size.change) == (0.4e9, "down")
    assert (level.value, level.change) == (18.2e9, "=")


def test_revised_upwards_by_is_a_change() -> None:
    size, level = quantities_in_text(
        "The surplus was revised upwards by R0,05-billion to R9,1-billion."
    )
    assert (size.value, size.unit, size.change) == (pytest.approx(0.05e9), "ZAR", "up")
    assert level.value == pytest.approx(9.1e9)


# ---- local dollars: "$" in a story about a dollar economy's own statistics ----


def test_a_local_dollar_also_per_unit() -> None:
    (f,) = facts_of("Australia's average export price for barley rose to $310 a tonne in May.")
    assert f.unit == "AUD/t"
    (g,) = facts_of("Australia's export price for barley rose to US$210 a tonne in May.")
    assert g.unit == "USD/t"


@pytest.mark.parametrize(("mark", "unit"), [("$", "CAD"), ("US$", "USD")])
def test_a_table_in_a_local_dollar_story(mark: str, unit: str) -> None:
    from extractor.models import Article, Block

    blocks = [
        Block(section="body", text="Canada's exports rose 2.4% to $61.3 billion in May."),
        Block(section="table", text="Canadian merchandise trade, May 2024"),
        Block(section="table", text=f"Item | Value ({mark} bn) | Change (%)"),
        Block(section="table", text="Energy products | 14.2 | +1.1"),
    ]
    facts = extract_facts(Article.from_blocks(blocks, published=date(2024, 7, 1)))
    table = [f for f in facts if f.section == "table"]
    assert [(f.value, f.unit) for f in table] == [(pytest.approx(14.2e9), unit)]

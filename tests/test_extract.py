"""The fact layer on our own sentences: one fact per stated number, every field explained."""

from __future__ import annotations

import time
from datetime import date

import pytest

from extractor.extract.clauses import Item, assign_roles, clause_bounds, make_groups
from extractor.extract.facts import extract_facts
from extractor.models import Article, Block, Fact, Quantity
from extractor.parse.document import parse_document
from extractor.patterns import patterns_version


def facts_of(text: str, published: date | None = date(2024, 3, 15), title: str | None = None):
    article = parse_document(text, published=published)
    if title:
        article = article.model_copy(update={"title": title})
    return extract_facts(article)


def one(facts: list[Fact], **where) -> Fact:
    found = [f for f in facts if all(getattr(f, k) == v for k, v in where.items())]
    assert len(found) == 1, f"{where}: {[(f.metric, f.value, f.change) for f in facts]}"
    return found[0]


def test_level_and_change_in_one_clause_are_one_fact() -> None:
    text = "Chile's copper exports climbed 6.1% year-on-year to $4.2 billion in January."
    facts = facts_of(text)
    assert len(facts) == 1
    f = facts[0]
    assert (f.value, f.unit, f.change, f.change_unit, f.change_basis) == (
        4.2e9,
        "USD",
        6.1,
        "percent",
        "yoy",
    )
    assert (f.period, f.entity, f.partner) == ("2024-01", "Chile", None)
    assert "copper" in f.metric and "export" in f.metric
    assert f.evidence == text
    assert text[f.span[0] : f.span[1]] == "$4.2 billion"
    assert f.kind == "level+change"
    assert f.pattern.startswith("fact-level+change:")  # the stored id keeps its form
    assert f.patterns_version == patterns_version()


def test_level_then_change_after_a_comma_and_a_change_only_fact() -> None:
    text = (
        "Peru's exports reached $5.1 billion in February, up 3.4% from a year earlier. "
        "Imports dropped 2.2%."
    )
    facts = facts_of(text)
    exports = one(facts, value=5.1e9)
    assert exports.change == 3.4 and exports.change_basis == "yoy"
    imports = one(facts, change=-2.2)
    assert imports.value is None and imports.unit is None and "import" in imports.metric
    assert imports.period == "2024-02"  # carried over from the sentence before


def test_one_level_with_two_changes_is_two_facts() -> None:
    text = (
        "Poland's car output was 41,000 vehicles in May, "
        "up 5.3% month-on-month and 12.3% year-on-year."
    )
    facts = facts_of(text, published=date(2023, 6, 20))
    assert sorted((f.change, f.change_basis) for f in facts) == [(5.3, "mom"), (12.3, "yoy")]
    assert all(f.value == 41000 and f.unit == "count" for f in facts)


def test_comparison_base_is_its_own_fact_with_its_period() -> None:
    text = (
        "Ireland's drug exports rose to 9.8 billion euros in April "
        "from 8.9 billion euros a year earlier."
    )
    facts = facts_of(text, published=date(2022, 5, 6))
    now = one(facts, value=9.8e9)
    base = one(facts, value=8.9e9)
    assert (now.period, base.period) == ("2022-04", "2021-04")
    assert base.change is None


def test_bracketed_conversion_is_not_a_fact() -> None:
    facts = facts_of("Vietnam's rice exports hit 1.2 trillion dong ($49 million) in March.")
    assert [f.unit for f in facts] == ["VND"] or all(f.unit != "USD" for f in facts)


def test_volume_value_and_their() -> None:
    text = (
        "Laptop exports fell 4.4% by volume to 80 million units, and their export value "
        "dropped 2.1% to $30 billion last year."
    )
    facts = facts_of(text, title="Malaysia's electronics exports")
    volume = one(facts, unit="count")
    value = one(facts, unit="USD")
    assert volume.metric.endswith("(volume)") and "laptop" in volume.metric
    assert value.metric.endswith("(value)") and "laptop" in value.metric
    assert value.change == -2.1 and value.period == "2023"


def test_share_forecast_and_range() -> None:
    facts = facts_of(
        "Rice accounted for 12.5% of Thailand's farm exports in 2023. "
        "The ministry expects export growth of 2% to 3% this year."
    )
    share = one(facts, value=12.5)
    assert "share" in share.metric and share.change is None
    forecast = one(facts, value=2.0)
    assert forecast.value_high == 3.0 and "forecast" in forecast.metric
    assert forecast.period == "2024"


def test_deficits_are_positive_and_narrowing_is_a_fall() -> None:
    text = "Egypt's trade deficit narrowed by $1.1 billion to $3.3 billion in the first quarter."
    f = facts_of(text)[0]
    assert (f.value, f.change, f.change_unit, f.period) == (3.3e9, -1.1e9, "USD", "2024-Q1")
    assert "deficit" in f.metric


def test_partner_from_flow_words_not_from_any_preposition() -> None:
    facts = facts_of(
        "Brazil's soybean exports to China rose 8% to $2 billion in 2023, "
        "while the flow to Europe pushed shipments of beef up 3%."
    )
    assert one(facts, value=2e9).partner == "China"
    assert one(facts, change=3.0).partner is None


def test_dollar_sign_in_another_dollar_economy() -> None:
    text = "Australia's trade surplus narrowed to $5.2 billion in June, the statistics bureau said."
    assert facts_of(text)[0].unit == "AUD"
    assert facts_of("Canada's exports rose to US$40 billion in June.")[0].unit == "USD"


def test_respectively_pairs_subjects_with_numbers() -> None:
    text = "Coffee and cocoa exports rose 4.0% and 9.0%, respectively, in 2023."
    facts = facts_of(text, title="Ghana's farm exports")
    assert "coffee" in one(facts, change=4.0).metric
    assert "cocoa" in one(facts, change=9.0).metric


def test_summary_repeating_the_body_is_one_fact_with_mentions() -> None:
    text = (
        "Key points\n• Exports up 3.2% to $9 billion in 2023\n\n"
        "Indonesia's exports rose 3.2% to $9 billion in 2023, officials said."
    )
    facts = facts_of(text)
    f = one(facts, value=9e9)
    assert len(facts) == 1 and len(f.mentions) == 1
    assert f.span[0] < f.mentions[0].span[0]


def test_timeline_heading_gives_the_period() -> None:
    text = (
        "Timeline\n2019:\nTurkey's steel exports peaked at $12 billion.\n"
        "2022:\nSteel exports fell 9% to $10 billion."
    )
    facts = facts_of(text)
    assert one(facts, value=12e9).period == "2019"
    assert one(facts, value=10e9).period == "2022"


def test_not_facts_durations_ranks_and_thresholds() -> None:
    text = (
        "It was the fifth consecutive month of growth for the No. 2 exporter, "
        "which passed the $5 billion mark for the first time in three years."
    )
    assert facts_of(text) == []


@pytest.mark.parametrize("text", ["", "No figures here at all.", "\x00\x01\ufffd" * 300])
def test_bad_input_gives_a_clean_result(text: str) -> None:
    article = Article.from_blocks([Block(text=text)]) if text else Article()
    assert extract_facts(article) == []


def test_large_input_is_handled_quickly() -> None:
    para = "Kenya's tea exports rose 4% to $1.2 billion in 2023, the board said. " * 2000
    start = time.perf_counter()
    facts = extract_facts(parse_document(para, published=date(2024, 1, 5)))
    assert time.perf_counter() - start < 60
    assert len(facts) == 1 and len(facts[0].mentions) >= 100


def q(surface: str, start: int, value: float, unit: str, direction: str | None = None) -> Quantity:
    return Quantity(
        value=value,
        unit=unit,
        surface=surface,
        span=(start, start + len(surface)),
        pattern="test",
        direction=direction,  # type: ignore[arg-type]
    )


def test_groups_from_hand_built_quantities() -> None:
    text = "Sales rose 5% to $2 billion, and costs fell 1% to $1 billion."
    items = [
        Item(q=q("5%", 11, 5, "percent", "up"), start=11, end=13),
        Item(q=q("$2 billion", 17, 2e9, "USD"), start=17, end=27),
        Item(q=q("1%", 44, 1, "percent", "down"), start=44, end=46),
        Item(q=q("$1 billion", 50, 1e9, "USD"), start=50, end=60),
    ]
    clauses = clause_bounds(text)
    assign_roles(items, text, clauses)
    groups = make_groups(items, text, [])
    assert [(g.change.q.value, g.level.q.value) for g in groups] == [(5, 2e9), (1, 1e9)]  # type: ignore[union-attr]
    assert groups[1].change.direction == "down"  # type: ignore[union-attr]


def test_table_rows_are_facts_with_header_units_and_label_roles() -> None:
    blocks = [
        Block(section="body", text="Chile's copper exports rose 5.0% to $50.1 billion in 2023."),
        Block(section="table", text="Copper exports by destination, 2023"),
        Block(section="table", text="Destination | Value ($ bn) | Change (%)"),
        Block(section="table", text="World | 50.1 | +5.0"),
        Block(section="table", text="China | 26.4 | -1.5"),
    ]
    article = Article.from_blocks(blocks, published=date(2024, 2, 1))
    facts = extract_facts(article)
    china = one(facts, value=26.4e9)
    assert (china.unit, china.change, china.partner, china.period) == ("USD", -1.5, "China", "2023")
    assert china.section == "table" and china.change_basis == "yoy"
    world = one(facts, value=50.1e9)  # the body sentence and the table's World row: one fact
    assert world.partner is None and len(world.mentions) == 1


def test_revisions_flat_levels_and_rates() -> None:
    facts = facts_of(
        "Peru's trade deficit narrowed to $1.1 billion in May from a revised $2.3 billion in "
        "April. April's deficit was originally reported as $1.9 billion. "
        "Imports were flat at $4 billion.",
        published=date(2024, 7, 4),
    )
    assert one(facts, value=2.3e9).metric.endswith("(revised)")
    assert one(facts, value=1.9e9).metric.endswith("(originally reported)")
    assert one(facts, value=4e9).change == 0.0
    gdp = facts_of("Chile's economy contracted at a 0.5% annual rate in the first quarter.")
    assert (gdp[0].value, gdp[0].change, gdp[0].period) == (None, -0.5, "2024-Q1")


def test_shares_and_coordinated_counterparts() -> None:
    facts = facts_of(
        "Vietnam's exports to Thailand and Cambodia rose 6.0% to $3 billion in 2023. "
        "Thailand's share of Vietnam's exports fell to 1.1% in 2023.",
        title="Vietnam trade",
    )
    assert one(facts, value=3e9).partner == "Thailand and Cambodia"
    share = one(facts, value=1.1)
    assert (share.entity, share.partner) == ("Vietnam", "Thailand")


def test_fiscal_years() -> None:
    facts = facts_of(
        "India's exports may reach $500 billion in 2025-26, and the ministry sees growth of "
        "6.5% in the fiscal year ending in March.",
        published=date(2025, 5, 2),
    )
    assert one(facts, value=500e9).period == "2025-04/2026-03"
    assert one(facts, value=6.5).period == "2025-04/2026-03"


def test_descriptive_figures_and_biography_years_are_not_facts() -> None:
    facts = facts_of(
        "The 61-year-old founder, who started the firm in 1994, said the new mill sits 40 km "
        "north of the port and covers 300 hectares."
    )
    assert facts == []


def test_a_possessive_period_owns_its_change() -> None:
    facts = facts_of(
        "Thailand's exports grew 6.7% year-on-year in November, slowing from October's "
        "12.7% gain, while imports shrank 3.9%.",
        published=date(2024, 12, 7),
    )
    october = one(facts, change=12.7)
    assert (october.period, october.change_basis) == ("2024-10", "yoy")
    assert one(facts, change=-3.9).change_basis == "yoy"


def test_same_month_of_a_named_year_is_a_year_on_year_base() -> None:
    text = "Copper exports rose 6% to $3.1 billion in September from the same month of 2025."
    f = one(facts_of(text, published=date(2026, 10, 20)), value=3.1e9)
    assert (f.change, f.change_basis, f.period) == (6.0, "yoy", "2026-09")


@pytest.mark.parametrize(
    "text",
    [
        "Exports to Japan reached $9.4 billion in March, up 4%, and accounted for 21% of the "
        "total.",
        "Exports to Japan fell 3% to $9.4 billion in March and represented 21% of all "
        "shipments abroad.",
    ],
)
def test_a_share_joined_to_a_flow_keeps_its_counterpart(text: str) -> None:
    facts = facts_of(text)
    assert one(facts, value=9.4e9).partner == "Japan"
    assert one(facts, value=21.0).partner == "Japan"


def test_a_share_with_a_subject_of_its_own_does_not_inherit_the_counterpart() -> None:
    text = "Exports to Japan rose 4% to $9.4 billion in March, and imports made up 30% of trade."
    assert one(facts_of(text), value=30.0).partner is None


@pytest.mark.parametrize(
    "text",
    [
        "Exports rose 9.7% in October, beating the 5.2% increase forecast by economists.",
        "Exports rose 9.7% in October, above the 5.2% rise analysts had expected.",
    ],
)
def test_a_forecast_named_after_its_figure_is_a_forecast_level(text: str) -> None:
    facts = facts_of(text, published=date(2026, 11, 24))
    actual = one(facts, change=9.7)
    forecast = one(facts, value=5.2)
    assert "forecast" not in actual.metric
    assert (forecast.unit, forecast.change, forecast.qualifier) == ("percent", None, "=")
    assert "forecast" in forecast.metric and "export" in forecast.metric


def test_a_target_range_for_a_year_named_before_the_noun() -> None:
    text = "The ministry raised its 2026 export growth target to 8%-9% from 5%."
    facts = facts_of(text, published=date(2026, 11, 24))
    target = one(facts, value=8.0)
    assert (target.value_high, target.unit, target.period) == (9.0, "percent", "2026")
    assert "target" in target.metric and "forecast" not in target.metric
    assert one(facts, value=5.0).period == "2026"


def test_bases_joined_by_and_are_each_compared_with_the_figure() -> None:
    text = (
        "Exports reached 5.6 million tonnes in October, compared with 5.1 million tonnes in "
        "September and 4.9 million tonnes a year ago."
    )
    facts = facts_of(text, published=date(2026, 11, 20))
    assert [one(facts, value=v).period for v in (5.6e6, 5.1e6, 4.9e6)] == [
        "2026-10",
        "2026-09",
        "2025-10",
    ]


def test_a_base_in_the_previous_quarter_is_the_quarter_before_the_figure() -> None:
    text = (
        "The surplus reached EUR11.4 billion in the third quarter, compared with EUR9.8 "
        "billion in the previous quarter."
    )
    facts = facts_of(text, published=date(2026, 12, 20))
    assert one(facts, value=9.8e9).period == "2026-Q2"


def test_one_level_with_a_second_change_after_a_copula() -> None:
    text = (
        "Indonesia's exports rose 6.8% from a year earlier to $24.57 billion in October and "
        "were up 3.1% on the previous month."
    )
    facts = facts_of(text, published=date(2026, 11, 20))
    assert sorted((f.value, f.change, f.change_basis) for f in facts) == [
        (24.57e9, 3.1, "mom"),
        (24.57e9, 6.8, "yoy"),
    ]


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Russia exported 19.8 million tonnes of wheat in October, up 11%.", "wheat exports"),
        ("Brazil shipped 6.7 million tonnes of soybeans in October.", "soybean exports"),
        ("China imported 11.2 million barrels per day of crude oil in May.", "crude oil imports"),
    ],
)
def test_goods_named_after_a_physical_quantity_name_the_flow(text: str, metric: str) -> None:
    assert [f.metric for f in facts_of(text, published=date(2026, 11, 20))] == [metric]


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Sales to China fell 5.6% to $8.2 billion in October.", "exports"),
        ("Car sales to dealers fell 5.6% to 82,000 units in October.", "car sales"),
    ],
)
def test_sales_to_a_country_are_exports(text: str, metric: str) -> None:
    assert [f.metric for f in facts_of(text)] == [metric]


def test_a_leading_comparison_phrase_sets_the_basis() -> None:
    text = (
        "Output grew 0.6% on the quarter. Compared with the same quarter a year earlier, "
        "output was 2.8% higher."
    )
    assert one(facts_of(text), change=2.8).change_basis == "yoy"


def test_an_article_about_a_port_keeps_the_ports_name_as_entity() -> None:
    text = (
        "<article><p>The Port of Long Beach handled 201,300 TEUs in October, down 3.1% from a year "
        "earlier.</p><p>Loaded imports came in at 82,450 TEUs, a decline of 4.2%.</p>"
        "<p>Rotterdam, by comparison, moved 1.2 million TEUs.</p>"
        "<p>Empty containers totaled 51,200 TEUs.</p></article>"
    )
    facts = facts_of(text)
    assert one(facts, value=82450.0).entity == "Long Beach"
    assert one(facts, value=51200.0).entity == "Long Beach"


def test_month_on_month_keeps_the_articles_month_not_the_last_month_named() -> None:
    text = (
        "<article><p>Chile posted a trade surplus of $1.9 billion in September, down from a "
        "revised $2.4 billion in August.</p><p>Exports rose 3.4% month on month to $8.3 "
        "billion.</p></article>"
    )
    assert one(facts_of(text, published=date(2026, 10, 30)), value=8.3e9).period == "2026-09"


def test_a_counterpart_that_is_the_paragraphs_subject_stays_the_counterpart() -> None:
    text = (
        "<article><p>Chile's exports rose 4% to $8.3 billion in September.</p><p>China remained "
        "the biggest trading partner. Exports to China were worth $3.1 billion in September."
        "</p></article>"
    )
    f = one(facts_of(text, published=date(2026, 10, 30)), value=3.1e9)
    assert (f.entity, f.partner) == ("Chile", "China")

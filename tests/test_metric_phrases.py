"""What a figure measures (SPEC: metric): the article's own head noun and the qualifiers that
change what is measured, never a neighbouring clause's metric or a bare 'growth'."""

from __future__ import annotations

from datetime import date

from extractor.extract.facts import extract_facts
from extractor.models import Fact
from extractor.parse.document import parse_document


def facts_of(text: str) -> list[Fact]:
    return extract_facts(parse_document(text, published=date(2024, 6, 20)))


def metric_of(facts: list[Fact], **where: object) -> str:
    found = [f for f in facts if all(getattr(f, k) == v for k, v in where.items())]
    assert len(found) == 1, f"{where}: {[(f.metric, f.value, f.change) for f in facts]}"
    return found[0].metric


def test_an_abbreviation_the_article_defines_stands_for_its_long_form() -> None:
    text = (
        "Norland's non-fuel domestic exports (NFDX) rose 4.2 percent in May.\n\n"
        "Electronic NFDX slipped 3.3 percent on the year, while non-electronic NFDX gained "
        "8.1 percent.\n\nThe NFDX figure for April was revised to show 2.5 percent growth."
    )
    facts = facts_of(text)
    assert metric_of(facts, change=-3.3) == "electronic non-fuel domestic exports"
    assert metric_of(facts, change=8.1) == "non-electronic non-fuel domestic exports"
    assert "non-fuel domestic exports" in metric_of(facts, change=2.5)


def test_bracketed_initials_of_a_name_or_a_non_metric_are_not_a_metric() -> None:
    text = (
        "The Norland Trade Office (NTO) said exports rose 4.2 percent in May.\n\n"
        "The NTO expects imports to climb 3 percent."
    )
    facts = facts_of(text)
    imports = [f.metric for f in facts if "import" in f.metric]
    assert imports and not any("trade office" in m or "nto" in m for m in imports)


def test_a_growth_noun_after_the_number_names_the_change_not_the_metric() -> None:
    text = (
        "Norland's machinery exports climbed 6.4 percent in May, after the 2.9 percent growth "
        "in April."
    )
    facts = facts_of(text)
    assert metric_of(facts, change=2.9) == "machinery exports"


def test_a_prefix_joined_by_a_hyphen_stays_on_its_word() -> None:
    facts = facts_of("Norland's re-exports grew 5.5 percent in May.")
    assert metric_of(facts, change=5.5) == "re-exports"


def test_a_compound_keeps_its_head_noun() -> None:
    facts = facts_of(
        "Norland's export orders rose 8.8 percent to $12.2 billion in May, and export "
        "earnings from tea reached $1.3 billion."
    )
    assert metric_of(facts, value=12.2e9) == "export orders"
    assert "export earnings" in metric_of(facts, value=1.3e9)


def test_a_for_phrase_names_what_was_ordered() -> None:
    facts = facts_of("Orders for machinery surged 12.5 percent to $3.3 billion in May.")
    assert metric_of(facts, value=3.3e9) == "orders for machinery"


def test_a_stockpile_is_not_the_flow_of_the_sentence_before() -> None:
    facts = facts_of(
        "Norland's rubber exports fell to 1.1 million tonnes in May. Its rubber stockpile "
        "stood at 2.4 million tonnes by the end of May."
    )
    assert metric_of(facts, value=2.4e6) == "rubber stockpile"


def test_goods_after_a_quantity_name_what_flowed() -> None:
    facts = facts_of(
        "Norland's farm exports this season included 9.2 million tonnes of rice and "
        "2.7 million tonnes of sorghum. In 2023, the country shipped 4.4 million tonnes "
        "of raw sugar (RS) abroad."
    )
    assert metric_of(facts, value=9.2e6) == "rice exports"
    assert metric_of(facts, value=2.7e6) == "sorghum exports"
    assert "raw sugar" in metric_of(facts, value=4.4e6)


def test_a_plural_owner_says_whose_flow_it_is() -> None:
    facts = facts_of("Small firms' exports grew 6.6 percent to $2.2 billion in May.")
    assert metric_of(facts, value=2.2e9) == "small firms' exports"


def test_respectively_pairs_a_listed_subject_with_the_clause_metric() -> None:
    facts = facts_of(
        "Norland's export orders rose 5 percent in May. Textiles and footwear also did well, "
        "with orders climbing 6 percent and 4.5 percent, respectively, from a year earlier."
    )
    assert metric_of(facts, change=6.0) == "textiles orders"
    assert metric_of(facts, change=4.5) == "footwear orders"


def test_respectively_after_which_takes_the_metric_talked_about() -> None:
    facts = facts_of(
        "Norland's export orders rose 5 percent in May. The gains were offset by paper goods, "
        "glassware and iron and steel products, which fell 2 percent, 8.1 percent and "
        "3 percent, respectively."
    )
    assert metric_of(facts, change=-2.0) == "paper goods export orders"
    assert metric_of(facts, change=-8.1) == "glassware export orders"
    assert metric_of(facts, change=-3.0) == "iron and steel products export orders"


def test_respectively_splits_a_pair_of_flows_but_not_a_pair_of_periods() -> None:
    facts = facts_of("Exports and imports rose 3 percent and 4 percent, respectively.")
    assert (metric_of(facts, change=3.0), metric_of(facts, change=4.0)) == ("exports", "imports")
    facts = facts_of(
        "Imports and exports in the first and second quarters reached $9.7 billion and "
        "$10.3 billion, respectively."
    )
    assert "imports and exports" in metric_of(facts, value=10.3e9)


def test_a_compound_of_two_cue_words_with_an_of_list() -> None:
    facts = facts_of(
        "The export volumes of private firms and public firms accounted for 30.2 percent and "
        "16.1 percent of the total, respectively."
    )
    assert "private firms" in metric_of(facts, value=30.2)
    assert "public firms" in metric_of(facts, value=16.1)
    assert "accounted" not in metric_of(facts, value=16.1)


def test_a_sector_names_whose_flow_it_is() -> None:
    facts = facts_of(
        "Export earnings from the leather sector stood at $1.2 billion in May, while the "
        "footwear sector fetched $0.9 billion."
    )
    assert "leather sector" in metric_of(facts, value=1.2e9)
    assert "footwear sector" in metric_of(facts, value=0.9e9)


def test_the_in_or_of_phrase_of_a_change_noun_names_what_changed() -> None:
    facts = facts_of(
        "Norland's chip sector is recovering, after the 4.4 percent increase year-on-year of "
        "merchandise exports in May. Growth was led by a 22.5 percent jump in chip exports."
    )
    assert metric_of(facts, change=4.4) == "merchandise exports"
    assert metric_of(facts, change=22.5) == "chip exports"


def test_respectively_is_no_modifier() -> None:
    facts = facts_of(
        "Palm oil earned $2.1 billion and $1.4 billion, respectively exports of oil and meal."
    )
    assert all("respectively" not in f.metric for f in facts)


def test_a_clause_without_a_metric_word_takes_the_one_before_it_in_the_sentence() -> None:
    facts = facts_of("Norland's cocoa exports and its by-products dropped to 1.2 million tonnes.")
    assert metric_of(facts, value=1.2e6) == "cocoa exports"


def test_goods_after_a_percent_more_name_what_flowed() -> None:
    facts = facts_of("Norland imported 14.5% more Brazilian beef in May than a year earlier.")
    assert metric_of(facts, change=14.5) == "beef imports"

"""Who a figure belongs to: the article's own economy when a sentence names none, and the
counterpart of a flow (SPEC: entity and partner)."""

from __future__ import annotations

from datetime import date

from extractor.extract.context import main_entity
from extractor.extract.entities import find_entities, is_partner_position
from extractor.extract.facts import extract_facts
from extractor.models import Article
from extractor.parse.document import parse_document


def article(text: str, title: str | None = None) -> Article:
    doc = parse_document(text, published=date(2024, 3, 15))
    return doc.model_copy(update={"title": title}) if title else doc


def test_the_reporting_body_names_the_articles_economy() -> None:
    # a statistics agency, customs or an industry association reports for its own economy
    cases = [
        ("The Census Bureau said the deficit narrowed to $40 billion in May.", "United States"),
        ("The Australian Bureau of Statistics said the surplus fell.", "Australia"),
        ("Statistics Canada said the merchandise deficit shrank.", "Canada"),
        ("The Korea Customs Service said outbound shipments rose.", "South Korea"),
        ("Destatis said exports slipped in June.", "Germany"),
        ("The Vietnamese Fruit Growers Association said shipments rose.", "Vietnam"),
    ]
    for text, want in cases:
        assert main_entity(article(text + "\n\nExports rose 4% in February.")) == want, text


def test_a_dateline_does_not_outvote_the_economy_the_story_is_about() -> None:
    text = (
        "HANOI, Wire - Thailand’ rice exports fell 9% in the first quarter, "
        "the Thai Rice Exporters Association said on Monday.\n\n"
        "Shipments to the Philippines fell by 120,000 tonnes."
    )
    assert main_entity(article(text)) == "Thailand"


def test_a_sentence_without_an_economy_takes_the_reporting_bodys() -> None:
    text = (
        "Statistics Canada said on Tuesday that the merchandise trade deficit narrowed.\n\n"
        "Imports fell 2.1% to C$60.2 billion in February."
    )
    facts = extract_facts(article(text))
    assert facts and all(f.entity == "Canada" for f in facts)


def test_a_ranking_of_counterparts_names_partners_not_entities() -> None:
    text = (
        "Vietnam's biggest export market was the United States, up 12% to $9.1 billion, "
        "followed by China, up 4% to $5.2 billion; the EU, up 2% to $3.9 billion; "
        "and Japan, down 1% to $2.0 billion."
    )
    facts = [f for f in extract_facts(article(text)) if f.value]
    got = [(f.entity, f.partner) for f in facts]
    assert got == [
        ("Vietnam", "United States"),
        ("Vietnam", "China"),
        ("Vietnam", "European Union"),
        ("Vietnam", "Japan"),
    ]


def test_a_ranking_of_reporters_is_not_one_of_partners() -> None:
    # (the first sentence makes the story an economic one: a story whose figures name no
    # metric at all yields no facts)
    text = (
        "World exports rose 3% to $24 trillion in 2023. "
        "China was the largest exporter, followed by Germany, with $1.6 trillion."
    )
    facts = [f for f in extract_facts(article(text)) if f.value == 1.6e12]
    assert len(facts) == 1 and facts[0].partner is None


def test_trade_blocs_and_regions_of_the_gazetteer() -> None:
    text = "China's trade with RCEP members rose 7% to 2.9 trillion yuan in the quarter."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("China", "RCEP")
    (sales,) = extract_facts(article("Chip sales in Asia-Pacific rose 5% in May."))
    assert sales.entity == "Asia-Pacific"


def test_a_bilateral_balance_lends_its_counterpart_to_the_flows_after_it() -> None:
    text = (
        "The surplus with Brazil grew $0.3 billion to $2.1 billion in June. "
        "Exports rose $0.5 billion to $6.0 billion and imports rose $0.2 billion to $3.9 billion."
    )
    facts = extract_facts(article(text, title="Trade by partner"))
    assert [f.partner for f in facts if f.value] == ["Brazil", "Brazil", "Brazil"]


def test_respectively_after_a_list_of_counterparts_takes_them_in_order() -> None:
    text = (
        "Among the main markets of Chile, India, Japan and Mexico bought the most copper in "
        "June. Their purchases rose 12 percent, 7 percent and 3 percent, respectively."
    )
    facts = [f for f in extract_facts(article(text)) if f.change]
    assert [f.partner for f in facts] == ["India", "Japan", "Mexico"]


def test_the_counterpart_after_the_goods_a_flow_moved() -> None:
    text = "Argentina shipped 3.1 million tonnes of wheat to Indonesia in May."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("Argentina", "Indonesia")
    text = "Japan imported 2.4 million tonnes of coal from Australia in May."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("Japan", "Australia")


def test_an_origin_adjective_after_an_import_is_the_counterpart() -> None:
    text = "India imported 18% more Russian crude oil in April than a year earlier."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("India", "Russia")


def test_the_figure_compared_with_keeps_the_counterpart() -> None:
    text = "Chile sold 40,000 tonnes of copper to Korea in May compared with 31,000 tonnes in 2023."
    facts = extract_facts(article(text))
    assert [f.partner for f in facts] == ["South Korea", "South Korea"]


def test_a_buyers_share_of_another_economys_flow() -> None:
    text = "India took 41% of Peru's copper exports in 2023, Japan 12% and Korea 9%."
    facts = extract_facts(article(text))
    assert [(f.entity, f.partner) for f in facts] == [
        ("Peru", "India"),
        ("Peru", "Japan"),
        ("Peru", "South Korea"),
    ]
    text = "Germany accounted for 18% of Czech exports last year."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("Czech Republic", "Germany")


def test_an_elliptic_second_destination_is_a_counterpart() -> None:
    text = "Shipments to Egypt fell 90,000 tonnes and to Kenya 40,000 tonnes in March."
    facts = extract_facts(article(text, title="Ukraine grain exports"))
    assert [f.partner for f in facts] == ["Egypt", "Kenya"]


def test_the_share_a_flow_makes_keeps_its_counterpart() -> None:
    text = (
        "Vietnam's trade with ASEAN reached $20 billion in the quarter, accounting for "
        "11 percent of its total trade."
    )
    facts = extract_facts(article(text))
    assert [f.partner for f in facts] == ["ASEAN", "ASEAN"]


def test_direction_of_a_flow_decides_reporter_or_counterpart() -> None:
    (out,) = extract_facts(article("Exports from Vietnam rose 5% to $30 billion in May."))
    assert (out.entity, out.partner) == ("Vietnam", None)
    (into,) = extract_facts(article("Imports into India climbed 8% to $60 billion in June."))
    assert (into.entity, into.partner) == ("India", None)
    (inward,) = extract_facts(article("Germany's imports from China fell 5% in June."))
    assert (inward.entity, inward.partner) == ("Germany", "China")
    (both,) = extract_facts(article("Trade between China and Russia rose 30% last year."))
    assert (both.entity, both.partner) == ("China", "Russia")


def test_global_totals_belong_to_the_world() -> None:
    (fact,) = extract_facts(article("Global exports of chips rose 9% to $50 billion in June."))
    assert fact.entity == "World"


def test_list_items_after_a_flow_with_its_counterpart_are_counterparts() -> None:
    text = (
        "Exports to the United States rose 5% to $7 billion, followed by the UAE with "
        "$3 billion and the Netherlands with $2 billion."
    )
    facts = extract_facts(article(text, title="India trade"))
    assert [(f.entity, f.partner) for f in facts] == [
        ("India", "United States"),
        ("India", "United Arab Emirates"),
        ("India", "Netherlands"),
    ]
    text = "Exports to China rose 5%, while shipments to the US (up 3%) and Japan (down 2%) slowed."
    facts = extract_facts(article(text, title="Thailand exports"))
    assert [f.partner for f in facts] == ["China", "United States", "Japan"]


def test_a_subject_described_as_a_counterpart_is_the_partner() -> None:
    text = "The US remained Vietnam's largest export market with $8 billion in May."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("Vietnam", "United States")
    text = "ASEAN remained China's largest trading partner, with trade growing 9% to $90 billion."
    (fact,) = extract_facts(article(text))
    assert (fact.entity, fact.partner) == ("China", "ASEAN")


def test_respectively_subjects_named_as_buyers_are_counterparts() -> None:
    text = (
        "Indonesia's coal exports rose 4% to 500 million tonnes in 2023. "
        "India and China, the top two buyers, took 45 million and 30 million tonnes respectively."
    )
    facts = extract_facts(article(text, title="Indonesia coal exports"))
    facts = [f for f in facts if f.evidence.startswith("India and China")]
    assert [(f.entity, f.partner) for f in facts] == [
        ("Indonesia", "India"),
        ("Indonesia", "China"),
    ]


def test_respectively_after_a_list_of_destinations_pairs_partners() -> None:
    text = "Shipments to China, the US and Japan grew 5%, 3% and 1%, respectively."
    facts = extract_facts(article(text, title="Korea exports"))
    assert [(f.entity, f.partner) for f in facts] == [
        ("South Korea", "China"),
        ("South Korea", "United States"),
        ("South Korea", "Japan"),
    ]


def test_every_item_of_a_list_of_markets_is_a_counterpart() -> None:
    text = "Malaysia's top export markets were Singapore, China and the US in May."
    a = article(text + "\n\nExports rose 3% in May.")
    ents = find_entities(text)
    assert [is_partner_position(text, e) for e in ents] == [False, True, True, True]
    assert main_entity(a) == "Malaysia"


def test_the_ledes_subject_outranks_the_dateline_city() -> None:
    wire = "HANOI (Wire) - Indonesian palm oil exports fell 10% in March.\n\nShipments fell 5%."
    assert main_entity(article(wire)) == "Indonesia"
    home = "BEIJING, May 3 (Wire) - Exports rose 5% in April.\n\nShipments to the US rose 2%."
    assert main_entity(article(home)) == "China"

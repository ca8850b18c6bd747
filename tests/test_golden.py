"""Golden fixtures: every fixtures/articles/<slug>/ page, run through the pipeline, must give
exactly its expected facts (expected.json, SPEC.md gold format). A failure prints a readable
diff: the facts missed, the facts extra, and every wrong field with the sentence it came from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.evaluate.scoring import article_for, evaluate_paths, load_gold, normalize, score_file
from extractor.extract.facts import extract_facts
from extractor.parse.blocks import clean_text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
EXPECTED = sorted(FIXTURES.glob("*/expected.json"))

# Fixtures the extractor does not reproduce exactly yet, with the reason. The xfail is strict:
# the moment one starts passing the suite fails, so it is moved out of this list on purpose.
KNOWN_FAILURES: dict[str, str] = {
    "au-abs-2024-08-trade-surplus-aud": "a hedged qualifier and two metric phrases differ",
    "br-secex-2026-10-soybean-crude-shipments": "a month after the metric ('exports in "
    "November at'); 'roughly flat' read as a 0% change",
    "commodities-2026-11-russian-wheat-exports": "a per-tonne price whose unit is elided "
    "('about $225 a year ago'); an importer as the subject ('Egypt took 2.9 million tonnes "
    "of Russian grain')",
    "es-ine-2026-q3-gdp-revision-current-account": "a 'versus' change's period taken by the "
    "figure before it; a share inside an aside; an aside naming the metric ('a pillar of the "
    "surplus')",
    "id-bps-2026-10-nickel-coal-palm-oil": "goods named only by the paragraph ('Shipments by "
    "volume'); 'Sales of crude palm oil'; a destination as the subject; a key-figures bullet",
    "us-portla-2026-10-teu-ytd": "'6.3% below September' as a second change; key-figures "
    "bullets; the year-to-date total's metric",
    "za-sars-2026-09-trade-surplus-rand": "a forecast after a sentence about a revised month; "
    "'Precious metals and stones ... brought in'; two-way trade over a rolling year",
    "ca-statcan-2026-q3-current-account": "a first estimate's release month read as its "
    "period; a 'from' level's previous quarter; a partner placed before the subject",
    "mx-inegi-2026-09-trade-deficit-pesos": "a company's own exports given to its economy",
    "vn-nso-2026-10-exports-electronics": "changes and levels paired by 'respectively'",
    "cn-customs-2023-crude-iron-ore-commodities": "an exporter named as the subject of an "
    "import ('Russia shipped crude to China') swaps entity and partner",
    "cn-customs-2024-annual-trade-yuan": "'two-way trade' partners; 'more than half' restating "
    "a share is read as a fact of its own",
    "de-destatis-2024-annual-exports-eur": "EU flow partners; an adjusted monthly level is missed",
    "in-commerce-2025-07-trade-rupee": "fiscal-year-to-date period and tariff-rate facts",
    "jp-mof-2023-annual-trade-yen": "a December-only level is missed; one share's partner",
    "kr-customs-2025-11-first20-exports": "the annual export target is missed; one period",
    "shipping-2024-top-container-ports-teu": "a forecast restated later is read as a new fact",
    "us-bea-2025-q1-gdp-revision-fed-forecasts": "a timeline of revision releases: periods "
    "and 'originally reported' metrics",
    "us-census-2023-annual-trade-deficit": "entity and partner of one bilateral fact",
}
# Accuracy floors over the whole fixture corpus (`newsfacts eval fixtures/articles`): they may
# rise with the extractor, never fall without a deliberate edit here.
# The tuple floor went from 0.80 to 0.78 when ten articles written blind joined the corpus
# (their first, untuned tuple F1 was 0.66 and 0.28); it stands just under today's 0.789.
FLOORS = {"fact_f1": 0.95, "tuple_f1": 0.78}


def slug(path: Path) -> str:
    return path.parent.name


def test_there_is_a_fixture_corpus() -> None:
    assert EXPECTED, f"no fixtures under {FIXTURES}"


@pytest.mark.parametrize("path", EXPECTED, ids=slug)
def test_every_expected_evidence_is_in_the_parsed_page(path: Path) -> None:
    gold, raw = load_gold(path)
    text = normalize(clean_text(article_for(gold, raw).text))
    missing = [f.evidence for f in gold.facts if normalize(f.evidence) not in text]
    assert not missing, "evidence not found in the parsed page text:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", EXPECTED, ids=slug)
def test_fixture_gives_exactly_its_expected_facts(
    path: Path, request: pytest.FixtureRequest
) -> None:
    if slug(path) in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_FAILURES[slug(path)], strict=True))
    gold, raw = load_gold(path)
    report = score_file(gold, extract_facts(article_for(gold, raw)))
    diff = [f"{p.kind}: {p.detail}\n    | {p.evidence}" for p in report.problems]
    assert not diff, f"{slug(path)} differs from expected.json:\n" + "\n".join(diff)


def test_the_corpus_stays_above_its_accuracy_floors() -> None:
    report = evaluate_paths([FIXTURES])
    below = {k: report.overall[k] for k, floor in FLOORS.items() if report.overall[k] < floor}
    assert not below, f"fixture accuracy fell below its floors {FLOORS}: {below}"

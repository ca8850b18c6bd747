"""The scorer follows SPEC.md's Scoring rules; these tests read like those rules."""

from __future__ import annotations

import pytest

from extractor.evaluate.scoring import GoldFact, GoldFile, score_file
from extractor.models import Fact, Mention

SENTENCE = "Exports climbed 7.2% year-on-year to $758.3 billion last year."


# The figure both sides state: "$758.3 billion, up 7.2% year on year, in 2025, for China".
FIGURE: dict[str, object] = {
    "metric": "exports",
    "value": 758.3e9,
    "unit": "USD",
    "change": 7.2,
    "change_unit": "percent",
    "change_basis": "yoy",
    "period": "2025",
    "entity": "China",
}


def gold(**fields: object) -> GoldFact:
    base = {
        **FIGURE,
        "metric_keywords": ["export"],
        "evidence": "Exports climbed 7.2% year-on-year to $758.3 billion",
    }
    return GoldFact.model_validate({**base, **fields})


def fact(**fields: object) -> Fact:
    base = {**FIGURE, "evidence": SENTENCE, "span": (37, 51), "kind": "level", "pattern": "test"}
    return Fact.model_validate({**base, **fields})


def score(golds: list[GoldFact], facts: list[Fact]) -> dict[str, float]:
    return score_file(GoldFile(id="t", facts=golds), facts).scores


def test_a_fully_right_fact_scores_one() -> None:
    scores = score([gold()], [fact()])
    assert scores["fact_f1"] == 1.0 and scores["tuple_f1"] == 1.0


def test_value_must_agree_within_relative_tolerance_and_unit() -> None:
    assert score([gold()], [fact(value=758.3e9 * (1 + 1e-7))])["fact_f1"] == 1.0
    assert score([gold()], [fact(value=758.4e9)])["fact_f1"] == 0.0
    assert score([gold()], [fact(unit="CNY")])["fact_f1"] == 0.0


def test_evidence_must_overlap() -> None:
    assert score([gold()], [fact(evidence="Imports fell.")])["fact_f1"] == 0.0


def test_only_the_gold_widens_matching_a_predictions_own_mentions_do_not() -> None:
    """SPEC: the gold's `also_evidence` lists other places of the same fact; a prediction's own
    extra fields (its list of other mentions) never widen the match."""
    elsewhere = fact(
        evidence="A summary bullet.",
        span=(500, 510),
        mentions=[Mention(evidence=SENTENCE, span=(0, 10), section="timeline")],
    )
    assert score([gold()], [elsewhere])["fact_f1"] == 0.0
    assert score([gold(also_evidence=["A summary bullet."])], [elsewhere])["fact_f1"] == 1.0


def test_spans_that_overlap_match_whatever_the_evidence_says() -> None:
    assert (
        score([gold(evidence="Quite another sentence.", span=(40, 45))], [fact()])["fact_f1"] == 1.0
    )
    assert (
        score([gold(evidence="Quite another sentence.", span=(60, 65))], [fact()])["fact_f1"] == 0.0
    )


def test_change_only_gold_matches_on_change() -> None:
    change_only = gold(value=None, unit=None)
    assert score([change_only], [fact(value=None, unit=None)])["fact_f1"] == 1.0
    assert score([change_only], [fact(value=None, unit=None, change=7.3)])["fact_f1"] == 0.0


def test_a_wrong_field_counts_for_facts_but_not_tuples() -> None:
    scores = score([gold()], [fact(period="2024")])
    assert scores["fact_f1"] == 1.0
    assert scores["tuple_f1"] == 0.0
    assert scores["period_accuracy"] == 0.0 and scores["entity_accuracy"] == 1.0


def test_basis_counts_only_when_gold_gives_one() -> None:
    assert score([gold(change_basis=None)], [fact(change_basis="yoy")])["tuple_f1"] == 1.0
    assert score([gold()], [fact(change_basis="mom")])["change_accuracy"] == 0.0


def test_metric_needs_every_keyword() -> None:
    keywords = ["smartphone", "export"]
    assert score([gold(metric_keywords=keywords)], [fact()])["metric_accuracy"] == 0.0
    right = fact(metric="smartphone exports (volume)")
    assert score([gold(metric_keywords=keywords)], [right])["metric_accuracy"] == 1.0


def test_a_keyword_may_list_alternatives() -> None:
    keywords = ["nodx|non-oil domestic export"]
    for metric in ("nodx", "electronic nodx", "non-oil domestic exports"):
        assert (
            score([gold(metric_keywords=keywords)], [fact(metric=metric)])["metric_accuracy"] == 1
        )
    assert score([gold(metric_keywords=keywords)], [fact()])["metric_accuracy"] == 0.0


@pytest.mark.parametrize(
    ("predicted", "wanted"),
    [
        ("2023-01/2023-06", "2023-H1"),
        ("2023-07/2023-12", "2023-H2"),
        ("2023-01/2023-03", "2023-Q1"),
        ("2023-10/2023-12", "2023-Q4"),
        ("2023-01/2023-12", "2023"),
        ("2023-01-01/2023-03-31", "2023-01/2023-03"),
        ("2023-01-01/2023-12-31", "2023"),
        ("2023-02-01/2023-02-28", "2023-02"),
    ],
)
def test_two_spellings_of_one_period_are_the_same_period(predicted: str, wanted: str) -> None:
    assert score([gold(period=wanted)], [fact(period=predicted)])["period_accuracy"] == 1.0
    assert score([gold(period=predicted)], [fact(period=wanted)])["period_accuracy"] == 1.0


@pytest.mark.parametrize(
    ("predicted", "wanted"),
    [
        ("2023-01/2023-05", "2023-H1"),
        ("2023-Q1", "2023-Q2"),
        ("2023-01-02/2023-03-31", "2023-Q1"),  # not the whole first month
        ("2023-02", "2023-02-28"),
        ("2021/2025", "2021/2022"),
    ],
)
def test_different_stretches_of_time_are_different_periods(predicted: str, wanted: str) -> None:
    assert score([gold(period=wanted)], [fact(period=predicted)])["period_accuracy"] == 0.0


def test_optional_gold_costs_nothing_when_missed_and_counts_when_found() -> None:
    assert score([gold(), gold(value=1.0, optional=True)], [fact()])["fact_f1"] == 1.0
    found = score([gold(value=1.0, optional=True)], [fact(value=1.0)])
    assert found["fact_precision"] == 1.0


def test_matching_is_one_to_one() -> None:
    scores = score([gold()], [fact(), fact()])
    assert scores["fact_precision"] == 0.5 and scores["fact_recall"] == 1.0


def test_equivalent_spellings_of_one_period_are_the_same_period() -> None:
    from extractor.evaluate.scoring import same_period

    assert same_period("2023-H1", "2023-01/2023-06")
    assert same_period("2023-Q1", "2023-01/2023-03")
    assert same_period("2023", "2023-01/2023-12")
    assert same_period("2017-01-01/2017-12-31", "2017")  # a day range of whole months
    assert not same_period("2023-05", "2023-06")
    assert not same_period("2023-05-01", "2023-05")
    assert not same_period(None, "2023")

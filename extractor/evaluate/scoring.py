"""Score extracted facts against gold files, by the rules of SPEC.md ("Scoring").

1. A predicted fact matches a gold fact when their evidence overlaps (one's whitespace-normalized
   evidence contains the other's, or their spans overlap) and the value agrees within a relative
   1e-6 with the same unit (for a gold fact with null value, the change agrees instead).
   Matching is one-to-one, greedy in text order. A fact stated in several places carries the
   other places in `mentions`; any of its statements may overlap the gold evidence.
2. Fact precision / recall / F1 (optional gold facts excluded from recall).
3. Field accuracy over matched pairs, each separately.
4. Tuple F1: a match counts only when every field in 3 is right.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractor.errors import GoldFileError
from extractor.models import Article, Fact

if TYPE_CHECKING:  # imported when scored: NewsQuant scoring loads the quantity layer
    from extractor.evaluate.newsquant import NewsQuantReport

FIELDS = ["change", "period", "entity", "partner", "qualifier", "metric"]
REL_TOL = 1e-6


class GoldFact(BaseModel):
    model_config = ConfigDict(extra="allow")
    metric: str
    metric_keywords: list[str] = Field(default_factory=list)
    value: float | None = None
    value_high: float | None = None
    unit: str | None = None
    qualifier: str = "="
    change: float | None = None
    change_unit: str | None = None
    change_basis: str | None = None
    period: str | None = None
    entity: str | None = None
    partner: str | None = None
    section: str = "body"
    evidence: str
    span: tuple[int, int] | None = None
    optional: bool = False


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    published: date | None = None
    title: str | None = None
    url: str | None = None
    text: str | None = None
    text_file: str | None = None
    facts: list[GoldFact]


class Counts(BaseModel):
    gold: int = 0  # required gold facts
    predicted: int = 0
    matched: int = 0  # predicted facts matched to any gold fact (optional ones included)
    matched_required: int = 0
    tuple_matched: int = 0
    tuple_matched_required: int = 0
    field_right: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def add(self, other: Counts) -> None:
        for name in (
            "gold",
            "predicted",
            "matched",
            "matched_required",
            "tuple_matched",
            "tuple_matched_required",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for field in FIELDS:
            self.field_right[field] += other.field_right[field]

    def scores(self) -> dict[str, float]:
        out = {
            "fact_precision": ratio(self.matched, self.predicted),
            "fact_recall": ratio(self.matched_required, self.gold),
        }
        out["fact_f1"] = f1(out["fact_precision"], out["fact_recall"])
        tuple_p = ratio(self.tuple_matched, self.predicted)
        tuple_r = ratio(self.tuple_matched_required, self.gold)
        out["tuple_f1"] = f1(tuple_p, tuple_r)
        for field in FIELDS:
            out[f"{field}_accuracy"] = ratio(self.field_right[field], self.matched)
        return out


class Problem(BaseModel):
    """One thing a file got wrong: a missed gold fact, an extra fact, or a wrong field."""

    kind: str  # "missed", "extra", "field"
    evidence: str
    detail: str


class FileReport(BaseModel):
    id: str
    counts: Counts
    scores: dict[str, float]
    problems: list[Problem] = Field(default_factory=list)


class EvalReport(BaseModel):
    files: list[FileReport]
    overall: dict[str, float]
    counts: Counts

    def table(self, show_problems: bool = False) -> str:
        columns = ["gold", "pred", "match", "P", "R", "F1", "tupleF1", *FIELDS]
        rows = [[report.id, *row_cells(report.counts, report.scores)] for report in self.files]
        rows.append(["OVERALL", *row_cells(self.counts, self.overall)])
        width = max(len(r[0]) for r in rows)
        header = "file".ljust(width) + "".join(c.rjust(10) for c in columns)
        lines = [header, "-" * len(header)]
        lines += [r[0].ljust(width) + "".join(c.rjust(10) for c in r[1:]) for r in rows]
        if show_problems:
            for report in self.files:
                for problem in report.problems:
                    lines.append(f"{report.id}: {problem.kind}: {problem.detail}")
                    lines.append(f"    | {problem.evidence[:160]}")
        return "\n".join(lines)


def row_cells(counts: Counts, scores: dict[str, float]) -> list[str]:
    cells = [str(counts.gold), str(counts.predicted), str(counts.matched)]
    cells += [f"{scores[k]:.3f}" for k in ("fact_precision", "fact_recall", "fact_f1", "tuple_f1")]
    cells += [f"{scores[f'{field}_accuracy']:.2f}" for field in FIELDS]
    return cells


# --- loading ----------------------------------------------------------------------------------


def gold_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand directories: `*.json` gold files and fixture folders' `expected.json`."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.glob("*.json"))
            found += sorted(path.glob("*/expected.json"))
        else:
            found.append(path)
    return found


def eval_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """PATHS as (gold files, NewsQuant `.jsonl` files), folders expanded to both kinds; a
    folder holding neither is an error, not an empty score."""
    gold: list[Path] = []
    newsquant: list[Path] = []
    for path in paths:
        if path.is_dir():
            found, sentences = gold_paths([path]), sorted(path.glob("*.jsonl"))
            if not found and not sentences:
                raise GoldFileError(
                    str(path), "holds no gold files (*.json, */expected.json) and no .jsonl"
                )
            gold += found
            newsquant += sentences
        elif path.suffix == ".jsonl":
            newsquant.append(path)
        else:
            gold.append(path)
    return gold, newsquant


def load_gold(path: Path) -> tuple[GoldFile, str]:
    try:
        gold = GoldFile.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise GoldFileError(str(path), f"not a gold file ({first})") from exc
    if gold.text is not None:
        return gold, gold.text
    if not gold.text_file:
        raise GoldFileError(str(path), "has neither 'text' nor 'text_file'")
    text_path = (path.parent / gold.text_file).resolve()
    try:
        return gold, text_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoldFileError(str(path), f"cannot read text_file {text_path}: {exc}") from exc


def article_for(gold: GoldFile, raw: str) -> Article:
    """Parse the gold text as `extract` would, with the gold's publication date and title."""
    from extractor.pipeline import read_document

    return read_document(raw, url=gold.url, published=gold.published, title=gold.title)


# --- scoring ----------------------------------------------------------------------------------


class Evaluation(NamedTuple):
    """The scores of one `newsfacts eval`: gold files, then each NewsQuant file."""

    gold: EvalReport | None
    newsquant: list[NewsQuantReport]


def evaluate(paths: Iterable[Path]) -> Evaluation:
    """Score PATHS: gold files (SPEC.md format) as one report, each NewsQuant `.jsonl` on its
    own (the quantity layer alone); folders hold either."""
    from extractor.evaluate.newsquant import score_newsquant

    gold, newsquant = eval_inputs(paths)
    report = evaluate_paths(gold) if gold else None
    return Evaluation(report, [score_newsquant(path) for path in newsquant])


def evaluate_paths(paths: Iterable[Path]) -> EvalReport:
    from extractor.pipeline import extract_document

    reports: list[FileReport] = []
    total = Counts()
    for path in gold_paths(paths):
        gold, raw = load_gold(path)
        result = extract_document(raw, url=gold.url, published=gold.published, title=gold.title)
        report = score_file(gold, result.facts)
        total.add(report.counts)
        reports.append(report)
    return EvalReport(files=reports, overall=total.scores(), counts=total)


def score_file(gold: GoldFile, predicted: list[Fact]) -> FileReport:
    counts = Counts(
        gold=sum(not g.optional for g in gold.facts),
        predicted=len(predicted),
    )
    problems: list[Problem] = []
    unmatched = sorted(predicted, key=lambda f: f.span[0])
    for gold_fact in gold.facts:
        match = next((p for p in unmatched if facts_match(p, gold_fact)), None)
        if match is None:
            if not gold_fact.optional:
                problems.append(
                    Problem(kind="missed", evidence=gold_fact.evidence, detail=describe(gold_fact))
                )
            continue
        unmatched.remove(match)
        counts.matched += 1
        counts.matched_required += not gold_fact.optional
        wrong = wrong_fields(match, gold_fact)
        for field in FIELDS:
            counts.field_right[field] += field not in wrong
        if not wrong:
            counts.tuple_matched += 1
            counts.tuple_matched_required += not gold_fact.optional
        for field in wrong:
            problems.append(
                Problem(
                    kind="field",
                    evidence=gold_fact.evidence,
                    detail=f"{field}: got {field_value(match, field)!r}, "
                    f"want {field_value(gold_fact, field)!r} ({describe(gold_fact)})",
                )
            )
    for fact in unmatched:
        problems.append(Problem(kind="extra", evidence=fact.evidence, detail=describe(fact)))
    return FileReport(id=gold.id, counts=counts, scores=counts.scores(), problems=problems)


def facts_match(predicted: Fact, gold: GoldFact) -> bool:
    if not evidence_overlaps(predicted, gold):
        return False
    if gold.value is None:
        return close(predicted.change, gold.change)
    return close(predicted.value, gold.value) and predicted.unit == gold.unit


def evidence_overlaps(predicted: Fact, gold: GoldFact) -> bool:
    places = [(predicted.evidence, predicted.span)]
    places += [(m.evidence, m.span) for m in predicted.mentions]
    wanted = normalize(gold.evidence)
    for evidence, span in places:
        got = normalize(evidence)
        if got and wanted and (got in wanted or wanted in got):
            return True
        if gold.span and span[0] < gold.span[1] and gold.span[0] < span[1]:
            return True
    return False


def wrong_fields(predicted: Fact, gold: GoldFact) -> list[str]:
    wrong = []
    change_right = (
        close(predicted.change, gold.change)
        and (gold.change is None or predicted.change_unit == gold.change_unit)
        and (gold.change_basis is None or predicted.change_basis == gold.change_basis)
    )
    if not change_right:
        wrong.append("change")
    if not same_period(predicted.period, gold.period):
        wrong.append("period")
    for field in ("entity", "partner", "qualifier"):
        if getattr(predicted, field) != getattr(gold, field):
            wrong.append(field)
    metric = predicted.metric.lower()
    if not all(keyword.lower() in metric for keyword in gold.metric_keywords):
        wrong.append("metric")
    return wrong


PERIOD_PART = re.compile(r"^(\d{4})(?:-(?:H([12])|Q([1-4])|(\d{2})(?:-(\d{2}))?))?$")


def period_days(part: str, end: bool) -> date | None:
    """The first (or, with `end`, the last) day of one side of a period label."""
    m = PERIOD_PART.match(part)
    if m is None:
        return None
    year, half, quarter, month, day = m.groups()
    y = int(year)
    first, last = 1, 12
    if half:
        first, last = 6 * int(half) - 5, 6 * int(half)
    elif quarter:
        first, last = 3 * int(quarter) - 2, 3 * int(quarter)
    elif month:
        first = last = int(month)
    try:
        if day:
            return date(y, first, int(day))
        if not end:
            return date(y, first, 1)
        return _month_end(y, last)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def same_period(got: str | None, want: str | None) -> bool:
    """SPEC: equivalent spellings of one period are the same period (`2023-H1` =
    `2023-01/2023-06`, `2023` = `2023-01/2023-12`, a day range of whole months = the month
    range): compare the first and last day each label covers."""
    if got == want:
        return True
    if got is None or want is None:
        return False

    def days(label: str) -> tuple[date | None, date | None]:
        lo, _, hi = label.partition("/")
        return period_days(lo, False), period_days(hi or lo, True)

    a, b = days(got), days(want)
    return None not in a and a == b


def field_value(fact: Fact | GoldFact, field: str) -> object:
    if field == "change":
        return (fact.change, fact.change_unit, fact.change_basis)
    return getattr(fact, field)


def describe(fact: Fact | GoldFact) -> str:
    parts = [f"{fact.metric}", f"value={fact.value}", f"unit={fact.unit}"]
    if fact.change is not None:
        parts.append(f"change={fact.change} {fact.change_unit} {fact.change_basis}")
    parts += [f"period={fact.period}", f"entity={fact.entity}", f"partner={fact.partner}"]
    return " ".join(parts)


def normalize(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) or a == b


def ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def report_json(report: EvalReport) -> str:
    return json.dumps(
        {
            "overall": report.overall,
            "counts": report.counts.model_dump(),
            "files": {
                r.id: {"scores": r.scores, "counts": r.counts.model_dump()} for r in report.files
            },
        },
        indent=2,
    )

"""The quantity layer in NewsQuant's terms: the `quantities` command's records and the scorer.

NewsQuant (the news test set of CQE, Almasian et al., EMNLP 2023) annotates each quantity with
a value (ranges as `range: [low, high]` with value null), a normalized unit name ("dollar",
"percentage", "point", or the counted noun), and a `change` label (=, ~, >, <, up, down).

Scoring follows the paper's evaluation script (CQE_Evaluation/evaluate_models.py): a predicted
and a gold quantity match on value when they agree within a relative 1e-5 (numpy.isclose with
rtol=1e-5, atol=1e-8; ranges compare both ends, a range never matches a single value);
value+unit also needs the normalized unit names to be equal (lowercase), value+change the
change labels. Where the original loop could count one prediction for two gold quantities we
match one-to-one, each gold quantity taking the unused prediction that agrees on most fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from extractor.errors import InputError
from extractor.extract.inflection import singular
from extractor.extract.lexicons import lexicons
from extractor.extract.quantities import quantities_in_text
from extractor.models import Quantity
from extractor.patterns import UnitDenominatorPattern, UnitPattern, load_family

MAX_LINE_CHARS = 5_000_000


def nq_unit(q: Quantity) -> str | None:
    """Our canonical unit as NewsQuant names it: USD -> dollar, percent -> percentage, ..."""
    if q.unit is None:
        return None
    if q.unit == "count" or q.unit.startswith("count/"):
        words = (q.unit_surface or "").replace("-", " - ").split()
        for cut, word in enumerate(words):
            if word.lower() in ("per", "a", "an", "each", "/") and cut:
                words = words[:cut] + ["per"] + words[cut + 1 :]
                break
        noun, _, per = " ".join(w for w in words if w.lower() not in ("and", "or")).partition(
            " per "
        )
        noun = singular(noun.replace(" - ", "-"))
        return f"{noun} per {per}" if per else (noun or None)
    names = lexicons().unit_nq
    entry = _unit_entries().get(q.pattern)
    if entry is not None and "/" not in q.unit:
        return entry.nq or names.get(q.unit, q.unit)
    if "/" in q.unit and q.unit not in names:
        head, _, per = q.unit.partition("/")
        den = next(
            (e.nq for e in _denominators() if per in (e.pattern, e.unit)),
            per,
        )
        return f"{names.get(head, head)} per {den}"
    return names.get(q.unit, q.unit)


@cache
def _unit_entries() -> dict[str, UnitPattern]:
    """Unit entries by id: a surface may carry its own NewsQuant name ("tonnes" -> "metric
    ton", "tons" -> "ton") though both are canonically `t`."""
    return {e.id: e for e in load_family("units")}


def _denominators() -> list[UnitDenominatorPattern]:
    return load_family("unit_denominators")


def nq_record(q: Quantity) -> dict[str, Any]:
    """One quantity in the `newsfacts quantities` output (NewsQuant's convention)."""
    value = q.value
    value_high = q.value_high
    if q.fraction and value is not None:
        value = value / 100  # NewsQuant writes a share as the fraction itself
    is_range = value_high is not None
    return {
        "value": None if is_range else value,
        "range": [value, value_high] if is_range else None,
        "unit": q.unit,
        "unit_surface": q.unit_surface,
        "nq_unit": nq_unit(q),
        "change": q.change,
        "concept": q.concept,
        "surface": q.surface,
        "span": list(q.span),
    }


def quantities_records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """For each JSONL line {"id", "text"}: {"id", "quantities": [...]}. Bad lines raise
    InputError with the line number."""
    for record in jsonl_objects(lines, "line ", "text", str, 'an object with a "text" string'):
        yield quantities_record(record)


def quantities_record(record: dict[str, Any]) -> dict[str, Any]:
    text = str(record.get("text") or "")[:MAX_LINE_CHARS]
    return {
        "id": record.get("id"),
        "quantities": [nq_record(q) for q in quantities_in_long_text(text)],
    }


def jsonl_objects(
    lines: Iterable[str], where: str, field: str, kind: type, shape: str
) -> Iterator[dict[str, Any]]:
    """The JSON objects of JSONL lines, each with `field` of type `kind`; a bad line raises
    InputError naming `where` and its line number."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get(field), kind):
            raise InputError(f"{where}{number}: expected {shape}")
        yield record


def quantities_in_long_text(text: str, chunk: int = 100_000) -> list[Quantity]:
    """Quantities of a text of any length: cut at sentence ends into chunks the tokenizer
    accepts (spaCy refuses over 1,000,000 characters), spans shifted back."""
    found: list[Quantity] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + chunk)
        if end < len(text):
            cut = max(text.rfind(". ", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end
        for q in quantities_in_text(text[start:end]):
            span = (q.span[0] + start, q.span[1] + start)
            found.append(q.model_copy(update={"span": span}))
        start = end
    return found


class Score(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tp: int
    precision: float
    recall: float
    f1: float


class NewsQuantReport(BaseModel):
    """Scores of the quantity layer on a NewsQuant-format file."""

    model_config = ConfigDict(extra="forbid")
    path: str
    sentences: int
    gold: int
    predicted: int
    value: Score
    value_unit: Score
    value_change: Score
    words_per_second: float | None = None
    examples: list[dict[str, Any]] = Field(default_factory=list)

    def table(self) -> str:
        rows = [("value", self.value), ("value+unit", self.value_unit),
                ("value+change", self.value_change)]  # fmt: skip
        lines = [
            f"NewsQuant {self.path}: {self.sentences} sentences, "
            f"{self.gold} gold, {self.predicted} predicted quantities",
            f"{'score':<14}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}",
        ]
        for name, s in rows:
            lines.append(f"{name:<14}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}{s.tp:>6}")
        return "\n".join(lines)

    def errors(self) -> str:
        """The misses, extras and wrong units or changes among the kept examples, one line
        each with the sentence (`score_newsquant(..., keep_examples=True)`)."""
        lines = []
        for ex in self.examples:
            g, p = ex["gold"], ex["pred"]
            if g and p:
                wrong = []
                if _unit_key(p.get("nq_unit")) != _unit_key(g.get("unit")):
                    wrong.append("unit")
                if p.get("change") != g.get("change"):
                    wrong.append("change")
                if not wrong:
                    continue
                kind = "wrong " + "+".join(wrong)
            else:
                kind = "missed" if g else "extra"
            gold = g and (g.get("value"), g.get("range"), g.get("unit"), g.get("change"))
            pred = p and (p.get("surface"), p.get("nq_unit"), p.get("change"))
            lines.append(f"{ex['id']}: {kind}: gold {gold} predicted {pred}")
            lines.append(f"    | {ex['text']}")
        return "\n".join(lines)


def _score(tp: int, gold: int, predicted: int) -> Score:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(tp=tp, precision=round(p, 4), recall=round(r, 4), f1=round(f, 4))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-8 + 1e-5 * abs(b)


def values_match(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    g_range, p_range = gold.get("range"), pred.get("range")
    if g_range is not None or p_range is not None:
        if g_range is None or p_range is None:
            return False
        return _close(p_range[0], g_range[0]) and _close(p_range[1], g_range[1])
    if gold.get("value") is None or pred.get("value") is None:
        return False
    return _close(float(pred["value"]), float(gold["value"]))


def _unit_key(unit: Any) -> str:
    return "" if unit is None else str(unit).lower()


def match_sentence(
    gold: list[dict[str, Any]], pred: list[dict[str, Any]]
) -> tuple[int, int, int, list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    """One-to-one matching of one sentence: (value TP, value+unit TP, value+change TP, pairs)."""
    used: set[int] = set()
    tv = tu = tc = 0
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for g in gold:
        best, best_score = None, -1
        for k, p in enumerate(pred):
            if k in used or not values_match(g, p):
                continue
            score = (_unit_key(p.get("nq_unit")) == _unit_key(g.get("unit"))) * 2 + (
                p.get("change") == g.get("change")
            )
            if score > best_score:
                best, best_score = k, score
        if best is None:
            pairs.append((g, None))
            continue
        used.add(best)
        p = pred[best]
        tv += 1
        tu += _unit_key(p.get("nq_unit")) == _unit_key(g.get("unit"))
        tc += p.get("change") == g.get("change")
        pairs.append((g, p))
    for k, p in enumerate(pred):
        if k not in used:
            pairs.append(({}, p))
    return tv, tu, tc, pairs


def score_newsquant(path: Path, keep_examples: bool = False) -> NewsQuantReport:
    """Run the quantity layer on every sentence of a NewsQuant JSONL file and score it."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read NewsQuant file ({exc})") from exc
    shape = '{"text", "quantities": [...]}'
    records = list(jsonl_objects(raw.splitlines(), f"{path}:", "quantities", list, shape))
    predictions = (quantities_record(record) for record in records)
    n_gold = n_pred = tv = tu = tc = 0
    examples: list[dict[str, Any]] = []
    for record, predicted in zip(records, predictions, strict=True):
        gold = record["quantities"]
        pred = predicted["quantities"]
        n_gold += len(gold)
        n_pred += len(pred)
        v, u, c, pairs = match_sentence(gold, pred)
        tv, tu, tc = tv + v, tu + u, tc + c
        if keep_examples:
            for g, p in pairs:
                examples.append({"id": record.get("id"), "text": record.get("text"),
                                 "gold": g or None, "pred": p})  # fmt: skip
    return NewsQuantReport(
        path=str(path),
        sentences=len(records),
        gold=n_gold,
        predicted=n_pred,
        value=_score(tv, n_gold, n_pred),
        value_unit=_score(tu, n_gold, n_pred),
        value_change=_score(tc, n_gold, n_pred),
        examples=examples,
    )

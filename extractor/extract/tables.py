"""Facts from tables: a caption, a header row that names units and periods, and data rows.

The parser renders each table row as one block of cells joined by " | ". A header cell says
what its column holds: a label ("Destination", "Port"), a level with its unit and scale
("Value (¥ trillion)", "m TEU", "Jan–Sep 2024"), or a change ("Change (%)"). The caption
and the header give the metric and the period; the label column gives the entity or, for a
"Destination"/"Partner" column, the counterpart. One row is one fact (level and change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.cues import find_cues
from extractor.extract.entities import find_entities
from extractor.extract.periods import Period, PeriodContext, find_periods, resolve
from extractor.models import Block, Fact
from extractor.vocabulary import header_currencies, header_scales, local_dollar

UNITS = {"teu": "TEU", "tonnes": "t", "tons": "t", "t": "t", "bpd": "bbl/d", "barrels": "bbl"}
NUMBER = re.compile(r"^\s*([+\-−–]?)\s*(\d[\d,]*(?:\.\d+)?)\s*%?\s*$")
PARTNER_HEADER = re.compile(r"destination|partner|market|origin|trading", re.I)


@dataclass
class Column:
    kind: str  # label | level | change | skip
    unit: str | None = None
    scale: float = 1.0
    change_unit: str = "percent"
    period: Period | None = None
    bare_dollar: bool = False  # "$" without a country mark: the article's own dollar


# A "$" with no country before it ("Value ($ bn)"), not "US$", "A$" or "NT$".
BARE_DOLLAR = re.compile(r"(?<![A-Za-z.])\$")
US_MARK = re.compile(r"\bUS\s*\$|\bUSD\b|\bU\.S\.|\bUS dollars?\b", re.I)


def _bare_dollar(text: str) -> bool:
    return bool(BARE_DOLLAR.search(text)) and not US_MARK.search(text)


def number(cell: str) -> float | None:
    m = NUMBER.match(cell)
    if not m:
        return None
    value = float(m[2].replace(",", ""))
    return -value if m[1] in ("-", "−", "–") else value


@cache
def _header_words() -> tuple[
    list[tuple[re.Pattern[str], str]], re.Pattern[str], list[tuple[re.Pattern[str], float]]
]:
    """The currency symbols (longest first), the currency codes and the scales a header is
    read with, from units.jsonl and numbers.jsonl."""
    symbols, codes = header_currencies()
    symbol_res = [
        (re.compile(r"(?<![A-Za-z])" + re.escape(surface) + r"(?![A-Za-z])"), code)
        for surface, code in sorted(symbols, key=lambda s: len(s[0]), reverse=True)
    ]
    code_re = re.compile(r"\b(" + "|".join(map(re.escape, codes)) + r")\b")
    scale_res = [
        (re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])"), factor)
        for word, factor in header_scales()
    ]
    return symbol_res, code_re, scale_res


def unit_of(text: str) -> tuple[str | None, float]:
    """'Value (¥ trillion)' -> ('JPY', 1e12); 'm TEU' -> ('TEU', 1e6); '(€ bn)' -> ('EUR', 1e9)."""
    symbols, codes, scales = _header_words()
    unit = next((code for regex, code in symbols if regex.search(text)), None)
    code = codes.search(text)
    unit = code[1] if code else unit
    for word, canonical in UNITS.items():
        if re.search(rf"\b{word}\b", text, re.I):
            unit = canonical
            break
    scale = next((factor for regex, factor in scales if regex.search(text)), 1.0)
    return unit, scale


def read_columns(header: list[str], context: str, ctx: PeriodContext) -> list[Column]:
    base_unit, base_scale = unit_of(context)
    columns = []
    for n, cell in enumerate(header):
        low = cell.lower()
        if re.fullmatch(r"\s*(?:rank|no\.?|#)\s*", low):
            columns.append(Column("skip"))
        elif re.search(r"change|growth|y/y|yoy|%", low):
            columns.append(Column("change", change_unit="pp" if "pp" in low else "percent"))
        elif n == 0 or not re.search(r"\d|value|volume|teu|bn|billion|million|total", low):
            columns.append(Column("label"))
        else:
            unit, scale = unit_of(cell)
            mentions = [m for m in find_periods(cell) if m.role == "data"]
            period = resolve(mentions[0], ctx) if mentions else None
            columns.append(
                Column(
                    "level",
                    unit or base_unit,
                    scale if unit or scale != 1 else base_scale,
                    period=period,
                    bare_dollar=_bare_dollar(cell if unit else context),
                )  # fmt: skip
            )
    return columns


def table_facts(
    rows: list[Block],
    ctx: PeriodContext,
    main_entity: str | None,
    last_metric: str | None,
    ref: Period | None,
    version: str,
) -> list[Fact]:
    """Facts from one table (its blocks in order)."""
    cells = [[c.strip() for c in b.text.split(" | ")] for b in rows]
    captions = [c[0] for c in cells if len(c) == 1]
    head_at = next((i for i, c in enumerate(cells) if len(c) >= 2), None)
    if head_at is None:
        return []
    header = cells[head_at]
    if sum(number(c) is not None for c in header) > len(header) // 2:
        return []  # no header row: nothing says what the numbers are
    context = " ".join(captions + header)
    columns = read_columns(header, context, ctx)
    cap_periods = [m for m in find_periods(" ".join(captions)) if m.role == "data"]
    cap_period = resolve(cap_periods[0], ctx) if cap_periods else None
    metric = _metric(context, last_metric)
    label_cols = [i for i, col in enumerate(columns) if col.kind == "label"]
    partner_table = bool(label_cols) and bool(PARTNER_HEADER.search(header[label_cols[0]]))
    facts: list[Fact] = []
    local = local_dollar(main_entity)  # "$" in an Australian table is AUD
    for block, row in zip(rows[head_at + 1 :], cells[head_at + 1 :], strict=False):
        if len(row) != len(header):
            continue
        label = " ".join(row[i] for i in label_cols[:1])
        found = find_entities(label, titlecase=True)
        name = found[0].canonical if found else (label.strip() or None)
        entity, partner = main_entity, None
        if partner_table:
            partner = None if name in ("World", "Total") else name
        elif name and name not in ("World", "Total"):
            entity = name
        change = next(
            (
                (number(row[i]), col.change_unit)
                for i, col in enumerate(columns)
                if col.kind == "change" and number(row[i]) is not None
            ),
            None,
        )
        levels = [(i, col) for i, col in enumerate(columns) if col.kind == "level"]
        for n, (i, col) in enumerate(levels):
            value = number(row[i])
            if value is None or col.unit is None:
                continue
            period = col.period or cap_period or ref
            name_metric = metric
            if "balance" in metric:
                name_metric = metric.replace("balance", "surplus" if value >= 0 else "deficit")
                value = abs(value)
            with_change = change is not None and n == 0
            # the article's own figures: its own row, or rows of items, not other economies
            own = local is not None and (entity == main_entity or not found)
            start = block.start + block.text.find(row[i])
            facts.append(
                Fact(
                    metric=name_metric,
                    value=value * col.scale,
                    unit=local if col.unit == "USD" and col.bare_dollar and own else col.unit,
                    change=change[0] if with_change else None,  # type: ignore[index]
                    change_unit=change[1] if with_change else None,  # type: ignore[index]
                    change_basis="yoy" if with_change and period and period.implies_yoy else None,
                    period=period.label() if period else None,
                    entity=entity,
                    partner=partner,
                    section="table",
                    evidence=block.text,
                    span=(start, start + len(row[i])),
                    kind="table-row",
                    pattern="fact-table-row",
                    patterns_version=version,
                )
            )
    return facts


def _metric(context: str, last_metric: str | None) -> str:
    low = context.lower()
    if "teu" in low:
        return "container throughput"
    m = re.search(r"(trade in goods balance|trade balance|balance)", low)
    if m:
        return m[1]
    cues = [c for c in find_cues(context) if c.kind == "noun" and c.category != "growth"]
    if cues:
        return cues[0].name
    return last_metric or "unspecified"

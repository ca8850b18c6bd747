"""Vocabulary the code reads as sets, tables and regexes, derived once from `patterns/`.

Words live in the pattern files only; this module turns them into the shapes the stages need,
each behind one cached function:

- currency codes: the `unit` of every `kind: currency` entry in units.jsonl that is not a
  `minor` unit (pence, cents);
- what a table header is read with: units.jsonl and numbers.jsonl entries marked `header`;
- the month table (months.jsonl): each month's name, `number` and `abbreviations`, and the
  regex macros built from it. Month names are matched case-sensitively ("May", not the modal
  "may") unless the caller lowercases on purpose;
- flow words: metrics.jsonl cue entries with a `flow` ("trade": exports, imports, shipments,
  sales; "production": output, production);
- economies' own facts: entities.jsonl entries may give their economy's `fiscal_start` (the
  first month of its fiscal year) and `local_dollar` (the currency "$" means in its own
  statistics).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor.errors import PatternError
from extractor.patterns import (
    PATTERNS_DIR,
    EntityPattern,
    FamilyFile,
    MonthPattern,
    PatternProblem,
    UnitPattern,
    load_family,
    read_family,
)
from extractor.patterns import expand_macros as expand_static_macros
from extractor.phrases import phrase_alternation


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of the currencies the unit lexicon knows ("USD", "CNY", ...)."""
    return frozenset(
        entry.unit for entry in load_family("units") if entry.kind == "currency" and not entry.minor
    )


@cache
def header_currencies() -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """What a table header names its money with: (symbols and names with their code, in file
    order; codes). Only entries marked `header`: a header has no number beside it to confirm
    that "R" or "p" is money, so only unmistakable surfaces count."""
    symbols: list[tuple[str, str]] = []
    codes: list[str] = []
    for entry in load_family("units"):
        if entry.kind != "currency" or not entry.header:
            continue
        surface, code = entry.pattern, entry.unit
        if surface == code:
            codes.append(code)
        else:
            symbols.append((surface, code))
    return tuple(symbols), tuple(codes)


@cache
def header_scales() -> tuple[tuple[str, float], ...]:
    """Scale words a table header may state ("¥ trillion", "m TEU"), largest scale first."""
    scales = [(entry.pattern, entry.value) for entry in load_family("numbers") if entry.header]
    return tuple(sorted(scales, key=lambda scale: -scale[1]))


@dataclass(frozen=True)
class Month:
    number: int
    name: str  # "September"
    abbreviations: tuple[str, ...]  # ("Sep", "Sept")

    @property
    def surfaces(self) -> tuple[str, ...]:
        return (self.name, *self.abbreviations)


@cache
def months() -> tuple[Month, ...]:
    """The twelve months, January first."""
    table = tuple(
        sorted(
            (
                Month(entry.number, entry.pattern, tuple(entry.abbreviations))
                for entry in load_family("months")
            ),
            key=lambda month: month.number,
        )
    )
    if [month.number for month in table] != list(range(1, 13)):
        raise PatternError(str(PATTERNS_DIR / "months.jsonl"), 0, ["need months numbered 1 to 12"])
    return table


@cache
def month_words() -> frozenset[str]:
    """Month names and abbreviations in lower case, for callers that lowercase a word first."""
    return frozenset(surface.lower() for month in months() for surface in month.surfaces)


def month_number(word: str | None) -> int:
    """1-12 for a month name or abbreviation, by its first three letters; 0 for anything else."""
    return _month_by_prefix().get((word or "")[:3].lower(), 0)


@cache
def _month_by_prefix() -> dict[str, int]:
    return {month.name[:3].lower(): month.number for month in months()}


@cache
def macros() -> dict[str, str]:
    """Regex macros for pattern families that name months ({MONTH}: "Sept.", "September";
    {MONTH_PREFIX}: the first three letters of each name; {MONTH_ABBREVIATION}: "Sept", "Jun",
    not "May", which is a whole name; {FLOW}: the words of trade flows, "exports", ...)."""
    surfaces = sorted((s for month in months() for s in month.surfaces), key=len, reverse=True)
    abbreviations = sorted((a for month in months() for a in month.abbreviations), key=len)
    return {
        # Case-sensitive inside patterns compiled with IGNORECASE: the modal "may" is no month.
        "{MONTH}": "(?-i:" + phrase_alternation(surfaces) + r")\.?",
        "{MONTH_PREFIX}": "(?:" + "|".join(month.name[:3] for month in months()) + ")",
        "{MONTH_ABBREVIATION}": "(?:" + "|".join(abbreviations) + ")",
        "{FLOW}": "(?:" + "|".join(flow_words("trade")) + ")",
    }


def expand_macros(source: str) -> str:
    """A pattern regex with every macro written out: the month and flow macros from the data,
    then {YEAR} and {NUM} (patterns.MACROS)."""
    for macro, value in macros().items():
        source = source.replace(macro, value)
    return expand_static_macros(source)


def month_example_matches(entry: MonthPattern, text: str) -> bool:
    """tests/test_patterns.py hook: is this entry's month named in `text` (case-sensitive)?"""
    found = re.finditer(r"(?<![A-Za-z])" + macros()["{MONTH}"] + r"(?![A-Za-z])", text)
    return any(month_number(m[0]) == entry.number for m in found)


@cache
def flow_words(kind: str | None = None) -> tuple[str, ...]:
    """Cue words that name a flow of goods, in file order: those of one `flow` kind ("trade",
    "production"), or all of them."""
    return tuple(
        entry.pattern
        for entry in load_family("metrics")
        if entry.flow and kind in (None, entry.flow)
    )


@cache
def _economy_facts() -> dict[str, dict[str, object]]:
    """{canonical name: {field: value}} for the economies' own facts in entities.jsonl (their
    range and form are checked at load; here, that each is given once and names a unit)."""
    where = str(PATTERNS_DIR / "entities.jsonl")
    facts: dict[str, dict[str, object]] = {}
    for entry in load_family("entities"):
        for field, value in (
            ("fiscal_start", entry.fiscal_start),
            ("local_dollar", entry.local_dollar),
        ):
            if value is None:
                continue
            if field == "local_dollar" and value not in currency_codes():
                raise PatternError(where, 0, [f"{entry.id}: local_dollar {value!r} is no unit"])
            if facts.setdefault(entry.canonical, {}).setdefault(field, value) != value:
                raise PatternError(
                    where, 0, [f"{entry.id}: a second {field} for {entry.canonical}"]
                )
    return facts


def fiscal_start(economy: str | None) -> int | None:
    """First month of the economy's fiscal year (India: 4), where news says "fiscal 2025-26"."""
    value = _economy_facts().get(economy or "", {}).get("fiscal_start")
    return int(value) if isinstance(value, int) else None


def local_dollar(economy: str | None) -> str | None:
    """The economy's own dollar ("AUD" for Australia): what "$" means in its own statistics."""
    value = _economy_facts().get(economy or "", {}).get("local_dollar")
    return str(value) if value is not None else None


@cache
def flow_categories() -> frozenset[str]:
    """The metric categories of flow cues ("exports", "imports", "sales", "output")."""
    return frozenset(entry.category for entry in load_family("metrics") if entry.flow)


def check_vocabulary(directory: Path = PATTERNS_DIR) -> list[PatternProblem]:
    """The rules that span entries or files, checked on the folder `directory` (the typed
    models check each line alone): the twelve months numbered 1-12 once each, cue roles
    unique, an economy's fiscal_start and local_dollar given once, and local_dollar a currency
    the unit lexicon knows."""
    months = read_family(directory / "months.jsonl")
    number = "month {value} is also {first!r}"
    problems = given_once(months, "number", lambda month: month.number, number)
    numbers = {entry.number for entry in months.entries if isinstance(entry, MonthPattern)}
    missing = sorted(set(range(1, 13)) - numbers)
    if months.entries and missing:
        message = f"no month numbered {', '.join(map(str, missing))}"
        problems.append(PatternProblem(months.path, 0, "", message))
    cues = read_family(directory / "cues.jsonl")
    role = "role {value!r} is also the role of {first!r}"
    problems += given_once(cues, "role", lambda cue: cue.role, role)
    units = read_family(directory / "units.jsonl")
    codes = {
        entry.unit
        for entry in units.entries
        if isinstance(entry, UnitPattern) and entry.kind == "currency" and not entry.minor
    }
    entities = read_family(directory / "entities.jsonl")
    given: dict[tuple[str, str], object] = {}
    for entry in entities.entries:
        assert isinstance(entry, EntityPattern)
        line = entities.lines[entry.id]
        for name, value in (
            ("fiscal_start", entry.fiscal_start),
            ("local_dollar", entry.local_dollar),
        ):
            if value is None:
                continue
            if name == "local_dollar" and value not in codes:
                message = f"{value!r} is no currency of units.jsonl"
                problems.append(PatternProblem(entities.path, line, name, message))
            if given.setdefault((entry.canonical, name), value) != value:
                message = f"a second {name} for {entry.canonical}"
                problems.append(PatternProblem(entities.path, line, name, message))
    return problems


def given_once(
    read: FamilyFile, field: str, key: Callable[[Any], object], says: str
) -> list[PatternProblem]:
    """A problem for each entry of `read` whose `field` (read by `key`) repeats an earlier
    entry's; `says` is worded with {value} and {first} (the earlier entry's id)."""
    problems: list[PatternProblem] = []
    first: dict[object, str] = {}
    for entry in read.entries:
        value = key(entry)
        if value in first:
            message = says.format(value=value, first=first[value])
            problems.append(PatternProblem(read.path, read.lines[entry.id], field, message))
        first.setdefault(value, entry.id)
    return problems

"""Cues: the words around numbers that say what they are.

Metric cue phrases ("exports", "trade surplus", "shipped out", forecast and share markers)
are found in text from `patterns/metrics.jsonl`. Shared: parsing asks whether a short line
names a metric (a statement, not a heading), and the fact layer builds metric phrases around
the cues.

Cue regexes (`patterns/cues.jsonl`) are the named word patterns the fact layer reads between
and around numbers ("rose 7.2% *to* $758.3 billion", "*compared with* $2 billion"): each entry
has a `role`, the name the code asks for (`cue_regex("to_level")`), a regex `pattern` with its
flags inline (`(?i)`) and the macros of `vocabulary.macros()` ({MONTH}, {FLOW}, ...), and
`anchored: true` when the code applies it at a position (`re.match`) rather than searching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.errors import PatternError
from extractor.patterns import PATTERNS_DIR, CuePattern, MetricPattern, load_family
from extractor.phrases import phrase_alternation
from extractor.vocabulary import expand_macros


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    name: str
    category: str
    kind: str  # noun | verb | marker
    role: str = ""
    suffix: str = ""
    text: str = ""


@cache
def _cues() -> tuple[re.Pattern[str], dict[str, MetricPattern]]:
    table: dict[str, MetricPattern] = {}
    for entry in load_family("metrics"):
        table.setdefault(entry.pattern.lower(), entry)
    phrases = phrase_alternation(
        sorted(table, key=len, reverse=True), escape=lambda c: re.escape(c).replace(r"\ ", r"\s+")
    )
    regex = re.compile(r"(?<![A-Za-z])" + phrases + r"(?![A-Za-z])", re.IGNORECASE)
    return regex, table


def find_cues(text: str) -> list[Cue]:
    regex, table = _cues()
    out = []
    first = sentence_start(text)
    for m in regex.finditer(text):
        entry = table[re.sub(r"\s+", " ", m[0].lower())]
        if m[0][0].isupper() and not m[0].isupper() and m.start() != first:
            continue  # "Malaysia External Trade Development Corporation": part of a name
        name = entry.name if entry.name is not None else m[0].lower()
        out.append(
            Cue(
                m.start(), m.end(), name, entry.category, entry.kind, entry.role, entry.suffix, m[0]
            )
        )
    return out


def sentence_start(text: str) -> int:
    """Where the first word starts, past opening quotes and brackets."""
    m = re.search(r"[^\s\"“'‘(\[]", text)
    return m.start() if m else 0


def cue_regex(role: str) -> re.Pattern[str]:
    """The compiled cue regex for `role` (patterns/cues.jsonl)."""
    found = _cue_regexes().get(role)
    if found is None:
        raise PatternError(str(PATTERNS_DIR / "cues.jsonl"), 0, [f"no cue has role {role!r}"])
    return found


@cache
def _cue_regexes() -> dict[str, re.Pattern[str]]:
    where = str(PATTERNS_DIR / "cues.jsonl")
    regexes: dict[str, re.Pattern[str]] = {}
    for entry in load_family("cues"):  # each regex was checked at load, macros and all
        if entry.role in regexes:
            raise PatternError(where, 0, [f"{entry.id}: role {entry.role!r} is given twice"])
        regexes[entry.role] = re.compile(expand_macros(entry.pattern))
    return regexes


def example_matches(entry: CuePattern, text: str) -> bool:
    """tests/test_patterns.py hook for cues.jsonl: does the cue regex find `text` the way the
    code applies it (at the start when `anchored`, else anywhere)?"""
    regex = cue_regex(entry.role)
    return (regex.match if entry.anchored else regex.search)(text) is not None

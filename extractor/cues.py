"""Metric cue phrases ("exports", "trade surplus", "shipped out", forecast and share markers)
found in text, from `patterns/metrics.jsonl`.

Shared: parsing asks whether a short line names a metric (a statement, not a heading), and the
fact layer builds metric phrases around the cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.patterns import MetricPattern, load_family
from extractor.phrases import phrase_alternation


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

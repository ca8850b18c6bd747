"""One fact per stated thing: the same figure stated twice on a page (a summary box, a caption
or a timeline repeating the body) is stored once, with the first place as its evidence and the
others as `mentions`.

Two statements are the same fact when they give the same level (value, unit, range) and the
same change for the same period, entity and partner. A change stated alone ("Smartphone
exports fell 7.7%" in a digest) is folded into the fuller statement of it ("fell 7.7% to 751
million units") when the two sit in different sections, or name the same metric; within one
section two metrics can share a change by chance ("exports rose 11.2%", "per-day exports rose
11.2%"), so there they stay apart.

An article whose facts all lack a metric is not economic news: it yields no facts.
"""

from __future__ import annotations

import re

from extractor.models import Fact, Mention


def _head(metric: str) -> str:
    for word in ("surplus", "deficit", "balance", "import", "export", "trade", "share", "forecast"):
        if word in metric:
            return word
    return metric.split()[-1] if metric.split() else ""


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b)) or a == b


def _same_level(a: Fact, b: Fact) -> bool:
    return (
        a.value is not None
        and b.value is not None
        and _close(a.value, b.value)
        and a.unit == b.unit
        and _close(a.value_high, b.value_high)
        and _close(a.change, b.change)
        and a.change_unit == b.change_unit
        and a.period == b.period
        and a.entity == b.entity
        and a.partner == b.partner
        and (a.change is not None or _head(a.metric) == _head(b.metric))
    )


def _same_change(a: Fact, b: Fact) -> bool:
    """Two change-only statements of one movement."""
    return (
        a.value is None
        and b.value is None
        and a.change is not None
        and _close(a.change, b.change)
        and a.change_unit == b.change_unit
        and (a.change_basis == b.change_basis or None in (a.change_basis, b.change_basis))
        and a.period == b.period
        and a.entity == b.entity
        and a.partner == b.partner
        and _head(a.metric) == _head(b.metric)
    )


def _absorbs(full: Fact, bare: Fact) -> bool:
    """A fuller fact (level + change) restating a change-only one."""
    if full.value is None or bare.value is not None or full.change is None:
        return False
    if not (
        _close(full.change, bare.change)
        and full.change_unit == bare.change_unit
        and full.period == bare.period
        and full.entity == bare.entity
        and full.partner == bare.partner
        and _head(full.metric) == _head(bare.metric)
    ):
        return False
    return full.section != bare.section or _norm(full.metric) == _norm(bare.metric)


def _norm(metric: str) -> str:
    return re.sub(r"[^a-z]+", " ", metric.lower()).strip()


def dedup(facts: list[Fact]) -> list[Fact]:
    """An article's facts, each once; none when no figure has a metric (a weather, sports or
    polling story: "a 60% chance of rain", "41% in the latest poll", "14 goals")."""
    kept: list[Fact] = []
    for fact in facts:
        merged = False
        for i, other in enumerate(kept):
            if _same_level(other, fact) or _same_change(other, fact):
                kept[i] = _merge(other, fact, keep_first=True)
                merged = True
                break
            if _absorbs(other, fact):
                kept[i] = _merge(other, fact, keep_first=True)
                merged = True
                break
            if _absorbs(fact, other):
                kept[i] = _merge(fact, other, keep_first=False)
                merged = True
                break
        if not merged:
            kept.append(fact)
    return kept if any(f.metric != "unspecified" for f in kept) else []


def _merge(winner: Fact, loser: Fact, keep_first: bool) -> Fact:
    """`winner` gives the fields; the earlier of the two places is the evidence."""
    first, second = (winner, loser) if keep_first else (loser, winner)
    if second.span[0] < first.span[0]:
        first, second = second, first
    mentions = [
        *first.mentions,
        Mention(evidence=second.evidence, span=second.span, section=second.section),
    ]
    mentions += [m for m in second.mentions if m not in mentions]
    basis = winner.change_basis or loser.change_basis
    return winner.model_copy(
        update={
            "evidence": first.evidence,
            "span": first.span,
            "section": first.section,
            "mentions": mentions,
            "change_basis": basis,
        }
    )

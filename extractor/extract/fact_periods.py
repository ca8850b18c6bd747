"""The period and the basis of each figure in a sentence: the period phrase after it or
around it, a comparison base's own period ("a year ago", "the previous quarter"), and the
basis stated or implied ("year-on-year", "compared with the same quarter a year earlier").
"""

from __future__ import annotations

import re

from extractor.extract.changes import find_bases
from extractor.extract.fields import Sentence
from extractor.extract.periods import Period, PeriodMention, comparison_basis, is_step

NEXT_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas)\b")


def data_periods(
    s: Sentence, start: int, end: int, roles: tuple[str, ...] = ("data",)
) -> list[tuple[PeriodMention, Period]]:
    return [
        (m, p)
        for m, p in s.periods
        if p is not None and m.role in roles and start <= m.start and m.end <= end + 1
    ]


def group_period(s: Sentence, n: int) -> tuple[Period | None, PeriodMention | None]:
    period, mention = _group_period(s, n)
    if mention is not None and mention.kind.startswith("relative_"):
        # "rose 26% in May, after a 19% rise in the previous month": the month before the
        # sentence's own figure, not before the publication day
        main = next(
            (p for m, p in s.periods if m.end <= mention.start and m.role == "data" and p),
            None,
        )
        period = one_before(mention, main) or period
    return period, mention


def _group_period(s: Sentence, n: int) -> tuple[Period | None, PeriodMention | None]:
    a_start, a_end = s.after(n)
    a_end = min(a_end, a_start + 45)
    joint = NEXT_CLAUSE.search(s.text, a_start, a_end)
    if joint:  # "at $30 billion, and in the last three months they fell": the next clause's
        a_end = joint.start()
    found = data_periods(s, a_start, a_end, ("data", "prior"))
    if found:
        return found[0][1], found[0][0]
    w_start, w_end = s.window(n)
    found = data_periods(s, w_start, w_end)
    if found:
        return found[-1][1], found[-1][0]
    c_start, c_end = s.clauses[s.clause_of(s.groups[n])]
    found = data_periods(s, c_start, c_end)
    if found:
        return found[0][1], found[0][0]
    return None, None


def comparison_period(s: Sentence, n: int, main: Period | None) -> Period | None:
    """The period of a comparison base: the phrase right after it or right before it."""
    group = s.groups[n]
    a_start, a_end = s.after(n)
    near_before = max(0, group.start - 30)
    after = [(m, p) for m, p in s.periods if a_start <= m.start < min(a_end, a_start + 45)]
    before = [(m, p) for m, p in s.periods if near_before <= m.start and m.end <= group.start + 2]
    for m, p in after + before[::-1]:
        if m.role == "exclude":
            continue
        if m.role == "year_ago":
            return main.shift_years(-1) if main else None
        base = same_span_base(m, main) or one_before(m, main) or p
        if base is not None:
            return base
    return main


def one_before(m: PeriodMention, main: Period | None) -> Period | None:
    """A base 'in the previous quarter' / 'the month before' is the one before the figure's
    own, not the one before publication day."""
    if main is None or not re.search(r"previous|prior|last|past|preceding", m.text, re.I):
        return None
    if m.kind == "relative_quarter" and main.kind == "Q":
        k = main.y * 4 + main.a - 2
        return Period("Q", k // 4, k % 4 + 1)
    if m.kind == "relative_month" and main.kind == "M":
        k = main.y * 12 + main.a - 2
        return Period("M", k // 12, k % 12 + 1)
    return None


def same_span_base(m: PeriodMention, main: Period | None) -> Period | None:
    """ "the same month of 2025" next to a September 2026 figure: September 2025."""
    if m.kind == "same_span" and main is not None and m.groups.get("y"):
        return main.shift_years(int(m.groups["y"] or 0) - main.last_month[0])
    return None


def group_basis(s: Sentence, n: int, main: Period | None) -> tuple[str | None, bool]:
    """(basis, stated): stated bases carry over to later sentences of the paragraph."""
    group = s.groups[n]
    change = group.change
    if change is None:
        return None, False
    right_after = s.text[change.end : change.end + 16]
    for start, _end, basis in find_bases(right_after):
        if start <= 3 and basis:
            return basis, True
    if change.q.change_basis:
        return change.q.change_basis, True
    a_start, a_end = s.after(n)
    for start, _end, basis in s.bases:
        if a_start <= start < a_end and basis:
            return basis, True
    first_item = min(g.start for g in s.groups)
    for start, _end, basis in s.bases:
        if start < first_item and basis:
            return basis, True
    w_start, _ = s.window(n)
    # "Compared with the same quarter a year earlier, output was 2.8% higher."
    lead = re.match(r"\s*(?:Compared|Measured)\s+(?:with|to|against)\s+[^,]+,", s.text)
    # the words after the figure first: "6% lower than in the preceding three months, and
    # 11% lower than 12 months earlier" gives the second its own base
    for m, p in sorted(s.periods, key=lambda mp: mp[0].start < group.start):
        near = (
            a_start <= m.start < a_end
            or (group.end <= m.start < group.end + 60)
            or (group.start <= m.start < group.end)
            or (lead is not None and m.end <= lead.end())
        )
        if (near or w_start <= m.start < group.start) and is_step(m, p):
            return "mom", True
        if near or (w_start <= m.start < group.start and m.role == "comparison"):
            if m.role == "comparison" and m.kind.startswith("relative_"):
                rel = {"relative_month": "mom", "relative_quarter": "qoq"}
                return rel.get(m.kind, "yoy"), True
            if m.role == "comparison":
                compared = comparison_basis(main, same_span_base(m, main) or p)
                if compared:
                    return compared, True
                if p is not None:
                    return None, True  # compared with a stated base that is no standard one
            if m.role == "year_ago":
                return "yoy", True
    return None, False


def possessive_period(s: Sentence, n: int) -> Period | None:
    """A change introduced by a possessive period ("October's 12.7% gain") belongs to it."""
    group = s.groups[n]
    if group.change is None or group.level is not None:
        return None
    for m, p in s.periods:
        if p is not None and 0 <= group.change.start - m.end <= 4:
            if re.match(r"(?:'s|’s)\s*$", s.text[m.end : group.change.start]):
                return p
    return None


def last_figure_period(s: Sentence, n: int, periods: dict[int, Period | None]) -> Period | None:
    """The period of the figure a base is compared with: the nearest earlier group that is not
    itself a base ('5.6m t in October, compared with 5.1m t in September and 4.9m t a year
    ago': both bases are compared with October)."""
    for k in range(n - 1, -1, -1):
        level = s.groups[k].level
        if level is None or level.role != "comparison":
            return periods.get(k)
    return None

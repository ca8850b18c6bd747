"""Periods: find the date phrases of a sentence and resolve them to SPEC.md period labels.

The phrases are regexes kept as data in `patterns/periods.jsonl` ({MONTH}, {YEAR} and {NUM}
are macros; month names come from `patterns/months.jsonl`), each with a `gate`: a short regex
the pattern cannot match without ("quarter", a month name), searched first so most patterns
never run over most sentences. Each match has
a `kind` that says how to resolve it ("first_months" -> `2013-01/2013-10`, "months_to" -> the
rolling window, "relative_year" -> against the publication date). Only these short phrases
ever reach dateparser, and its answers are cached: it is slow on whole sentences and misreads
"$69" as 1969.

A mention also gets a role from the words before it: `data` (the period a figure refers to),
`comparison` ("compared with June 2018", "than in May"), or `exclude` (release days, "since
2010", datelines), so the fact layer can tell the figure's period from its base.
"""

from __future__ import annotations

import re
from functools import cache

from extractor.extract.period_relative import (
    ANAPHORIC,
    dateparser_relative,
    last_months,
    parse_relative,
    relative_fiscal,
    relative_year_period,
    season,
    season_start_of,
    year_of_part,
    year_of_window,
)
from extractor.extract.period_types import (
    Period,
    PeriodContext,
    PeriodMention,
    group_int,
    month_of,
    number_of,
    relative_year,
    year_for_month,
)
from extractor.patterns import PeriodPattern, load_family
from extractor.vocabulary import expand_macros, macros

__all__ = [
    "Period",
    "PeriodContext",
    "PeriodMention",
    "find_periods",
    "parse_relative",
    "resolve",
    "resolve_all",
    "season_start_of",
]

ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
ORDINALS |= {"fourth": 4, "4th": 4}

# Words right before a period that make it the base of a comparison, not the figure's period.
COMPARISON_BEFORE = re.compile(
    r"(?:compared\s+(?:with|to)|compares?\s+(?:with|to)|than(?:\s+(?:(?:that|those)\s+)?"
    r"(?:in|during|for|at|of))?|"
    r"(?<=\d%\s)on|(?<=per\scent\s)on|(?<=percent\s)on|\bafter|"
    r"(?<!data\s)(?<!figures\s)(?<!statistics\s)(?<!numbers\s)"
    r"\bfrom(?:\s+(?:the|its|their)\s+(?:levels?|figures?|totals?)\s+(?:in|of|for))?|against|versus|vs\.?|\bv\.|relative\s+to|(?:below|above)\s+(?:its|the)\s+"
    r"(?:level|figure)s?(?:\s+(?:in|of))?|(?:corresponding|same)\s+(?:period|month|quarter)\s+"
    r"(?:of|in)?)\s*(?:the\s+|its\s+|their\s+)?(?:same\s+(?:month|period|quarter)\s+(?:of|in)\s+)?$",
    re.IGNORECASE,
)
EXCLUDE_BEFORE = re.compile(
    r"(?:\bsince|\bafter|\bbefore|\buntil|\bpublished|\breleased|\bannounced|\bsaid|\bsays|"
    r"\breported|\btold|\bshowed|"
    r"\bRelease\s+Date:?|\bUpdated:?|\bPublished:?)\s*(?:on\s+)?(?:(?:late|early|mid-?)\s*)?"
    r"(?:\d{1,2}\s+)?$",
    re.IGNORECASE,
)
# "SEOUL, ", "Kuala Lumpur, ", "LONDON/MOSCOW, ": place names (capitalised words only) opening
# the block
DATELINE_BEFORE = re.compile(r"^\s*(?:[A-Z][A-Za-z.'’-]*(?:\s|\s?/\s?)?){1,4},\s*$")
# "after the 19.6% increase in", "following a 2% dip during": an earlier figure's own period
AFTER_FIGURE = re.compile(
    r"\b(?:after|following)\s+(?:an?|the|its)\s+[^,;]{1,30}\s(?:in|during)\s+$", re.I
)
OVER_FIGURE = re.compile(
    r"(?:%|percent|cent|increase|rise|gain|growth|jump|decrease|decline|drop|fall)\s+over\s+"
    r"(?:the\s+|its\s+)?$",
    re.I,
)
RANGE_KINDS = {"day_range", "day_span", "month_range", "first_months", "first_days", "months_to"}


@cache
def compiled_patterns() -> list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]]:
    out: list[tuple[str, str, re.Pattern[str], re.Pattern[str] | None]] = []
    gates: dict[str, re.Pattern[str]] = {}
    for entry in load_family("periods"):
        gate = entry.gate
        if gate is not None and gate not in gates:
            gates[gate] = re.compile(expand_macros(gate), re.I)
        out.append(
            (
                entry.id,
                entry.kind,
                re.compile(expand_macros(entry.pattern), re.I),
                gates[gate] if gate is not None else None,
            )
        )
    return out


def find_periods(text: str) -> list[PeriodMention]:
    """Every period phrase in `text`, longest first where they overlap, with its role."""
    found: list[PeriodMention] = []
    passed: dict[re.Pattern[str], bool] = {}
    for pid, kind, regex, gate in compiled_patterns():
        if gate is not None:
            ok = passed.get(gate)
            if ok is None:
                ok = passed[gate] = gate.search(text) is not None
            if not ok:
                continue
        for m in regex.finditer(text):
            start, end = m.span()
            if end > start:
                found.append(PeriodMention(start, end, kind, m.groupdict(), pid, text=m[0]))
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    chosen: list[PeriodMention] = []
    for mention in found:
        # `found` is sorted by start and `chosen` never overlaps, so the last chosen mention
        # ends furthest right: comparing with it alone is the same test in constant time (the
        # scan over every chosen mention made a page of 20,000 month names take over a minute).
        if chosen and mention.start < chosen[-1].end:
            continue
        chosen.append(mention)
    for mention in chosen:
        mention.role = role_of(text, mention)
    return sorted(chosen, key=lambda p: p.start)


def role_of(text: str, mention: PeriodMention) -> str:
    if mention.kind == "exclude":
        return "exclude"
    if mention.kind in ("year_ago", "same_span"):
        return "year_ago" if mention.kind == "year_ago" else "comparison"
    before = text[max(0, mention.start - 40) : mention.start]
    if EXCLUDE_BEFORE.search(before):
        return "exclude"
    if mention.kind in ("day", "month") and DATELINE_BEFORE.match(text[: mention.start]):
        return "exclude"
    if COMPARISON_BEFORE.search(before):
        # "from March 1-20" is the period itself; "from May" is a base.
        if mention.kind in RANGE_KINDS and re.search(r"\bfrom\s*$", before, re.I):
            return "data"
        return "comparison"
    if mention.kind.startswith("relative_") and re.search(r"\bover\s*$", before, re.I):
        if re.search(r"last|previous|preceding|prior|past", mention.text, re.I):
            return "comparison"  # "an increase of 19% over the previous year"
    if mention.kind == "month" and OVER_FIGURE.search(before):
        return "comparison"  # "a 5% increase over the July 2024 total", "up 2% over June"
    if mention.kind == "month" and mention.groups.get("rel") == "last":
        return "comparison"  # "June last year" is a base in news copy
    if mention.kind.startswith("relative_") and AFTER_FIGURE.search(before):
        # "rose 26%, after a 19% rise in the previous month": the period of the earlier
        # figure only, never the sentence's own period
        return "prior"
    return "data"


def resolve_all(
    mentions: list[PeriodMention], ctx: PeriodContext
) -> list[tuple[PeriodMention, Period | None]]:
    """Resolve a sentence's mentions in order: "for the same period" takes the period the
    sentence has just named ("Exports for the year to date grew 7% and imports for the same
    period 1%") before the one the text was talking about."""
    out: list[tuple[PeriodMention, Period | None]] = []
    for m in mentions:
        p = None
        if m.kind == "same_period":
            p = next((q for k, q in reversed(out) if q is not None and k.role == "data"), None)
        if m.kind == "last_months" and ANAPHORIC.search(m.text):
            # "fell 5% in the last three months from the preceding three months"
            n = number_of(m.groups.get("n"))
            for _k, q in reversed(out):
                if q is not None and q.kind == "MR" and q.months == n:
                    last = q.y * 12 + q.a - 2
                    first = last - n + 1
                    p = Period("MR", first // 12, first % 12 + 1, 0, last // 12, last % 12 + 1)
                    break
        out.append((m, p or resolve(m, ctx)))
    return out


def is_step(mention: PeriodMention, period: Period | None) -> bool:
    """A change stated from one month to the next ("from May to June"): month-on-month."""
    g = mention.groups
    return (
        mention.kind == "month_range"
        and period is not None
        and period.kind == "M"
        and bool(g.get("between") or g.get("frm"))
    )


def resolve(mention: PeriodMention, ctx: PeriodContext) -> Period | None:
    """Turn a mention into a Period, or None when it cannot be placed in time."""
    g = mention.groups
    kind = mention.kind
    try:
        return _resolve(kind, g, mention.text, ctx)
    except (ValueError, TypeError):
        return None


def _resolve(kind: str, g: dict[str, str | None], text: str, ctx: PeriodContext) -> Period | None:
    y: int | None  # the year (the end year: y2), where a branch can find one
    y2: int | None
    if kind == "day_range":
        m = month_of(g["m"])
        y = year_for_month(m, ctx, g.get("y"))
        return Period("DR", y, m, int(g["d1"] or 0), y, m, int(g["d2"] or 0)) if y else None
    if kind == "day_span":  # "01 January to 31 December 2017", "March 1 to April 15, 2024"
        m1, m2 = month_of(g.get("m1") or g.get("m1b")), month_of(g.get("m2") or g.get("m2b"))
        y2 = year_for_month(m2, ctx, g.get("y"))
        if not y2:
            return None
        y1 = int(g.get("y1") or g.get("y1b") or 0) or (y2 if m1 <= m2 else y2 - 1)
        d1, d2 = int(g.get("d1") or g.get("d1b") or 0), int(g.get("d2") or g.get("d2b") or 0)
        if not (1 <= d1 <= 31 and 1 <= d2 <= 31):
            return None
        return Period("DR", y1, m1, d1, y2, m2, d2)
    if kind == "first_days":
        m = month_of(g["m"])
        y = year_for_month(m, ctx, g.get("y"))
        return Period("DR", y, m, 1, y, m, number_of(g["n"])) if y else None
    if kind == "fiscal_ending":
        m = month_of(g["m"])
        if g.get("y"):
            y2 = int(g["y"] or 0)
        elif ctx.published:
            pub = ctx.published
            if "ended" in text.lower():  # the last such month on or before publication
                y2 = pub.year if m <= pub.month else pub.year - 1
            else:  # "ending": the next such month
                y2 = pub.year if m >= pub.month else pub.year + 1
        else:
            return None
        first = y2 * 12 + (m - 1) - 11
        return Period("MR", first // 12, first % 12 + 1, 0, y2, m)
    if kind == "relative_fiscal":
        return relative_fiscal(g, ctx)
    if kind in ("season_span", "relative_season"):
        return season(kind, g, ctx)
    if kind == "fiscal_span":
        y, short = int(g["y"] or 0), int(g["y2"] or -1)
        if short != (y + 1) % 100:
            return None
        fs = ctx.fiscal_start
        if "/" in text and ctx.season_start and ctx.season_start > 1:
            fs = ctx.season_start  # "2020/21" in a story about a July-June crop season
        if fs and fs > 1:
            return Period("MR", y, fs, 0, y + 1, fs - 1)
        return Period("YR", y, 0, 0, y + 1)
    if kind == "first_months" and g.get("fiscal") and ctx.fiscal_start:
        n, fs = number_of(g["n"]), ctx.fiscal_start
        base = ctx.hint.last_month if ctx.hint else None
        if base is None and ctx.published:
            base = (ctx.published.year, ctx.published.month)
        if base is None or not 1 <= n <= 12:
            return None
        y = base[0] if base[1] >= fs else base[0] - 1
        last = y * 12 + (fs - 1) + (n - 1)
        return Period("MR", y, fs, 0, last // 12, last % 12 + 1)
    if kind == "same_period":
        return ctx.hint  # "over the same period": the one the text was just talking about
    if kind == "first_months" and g.get("fy") and (ctx.fiscal_start or 1) >= 7:
        n, fs, fy = number_of(g["n"]), ctx.fiscal_start or 1, int(g["fy"] or 0)
        last = (fy - 1) * 12 + (fs - 1) + (n - 1)  # "the 11 months of FY 2016": from July 2015
        return Period("MR", fy - 1, fs, 0, last // 12, last % 12 + 1) if 1 <= n <= 12 else None
    if kind == "first_months":
        n = number_of(g["n"])
        back = ctx.last_range
        if back is not None and back.kind == "MR" and "first" not in text.lower():
            # "over the four months": the four months the text has just reported
            if back.months == n:
                return back
        y = year_of_window(n, g, ctx)
        return Period("MR", y, 1, 0, y, n) if y and 1 <= n <= 12 else None
    if kind == "last_months":
        return last_months(number_of(g["n"]), g, ctx)
    if kind in ("months_to", "year_to"):
        n, m = (12 if kind == "year_to" else number_of(g["n"])), month_of(g["m"])
        y2 = year_for_month(m, ctx, g.get("y"))
        if not y2 or not 1 <= n <= 24:
            return None
        first = y2 * 12 + (m - 1) - (n - 1)
        return Period("MR", first // 12, first % 12 + 1, 0, y2, m)
    if kind == "month_range":
        m1, m2 = month_of(g["m1"]), month_of(g["m2"])
        y2 = year_for_month(m2, ctx, g.get("y2") or g.get("y1"))
        if not y2:
            return None
        y1 = group_int(g, "y1") or (y2 if m1 <= m2 else y2 - 1)
        if (g.get("between") or g.get("frm")) and (y2 * 12 + m2) - (y1 * 12 + m1) == 1:
            # "between May and June", "from November 2017 to December 2017": a change from one
            # month to the next is the later month's (month-on-month)
            return Period("M", y2, m2)
        if y1 == y2 and m1 % 3 == 1 and m2 == m1 + 2:
            return Period("Q", y2, (m1 + 2) // 3)
        return Period("MR", y1, m1, 0, y2, m2)
    if kind == "half":
        h = int(g.get("h") or g.get("h2") or ORDINALS.get((g.get("ord") or "").lower(), 0))
        y = year_of_part(g, ctx, 6 * h)
        return Period("H", y, h) if y and h in (1, 2) else None
    if kind == "quarter":
        q = int(g.get("q") or g.get("q2") or ORDINALS.get((g.get("ord") or "").lower(), 0))
        y = year_of_part(g, ctx, 3 * q)
        return Period("Q", y, q) if y and 1 <= q <= 4 else None
    if kind == "day":
        m = month_of(g["m"])
        y = year_for_month(m, ctx, g.get("y"))
        day = group_int(g, "d")
        return Period("D", y, m, day) if y and 1 <= day <= 31 else None
    if kind == "month":
        m = month_of(g["m"])
        if g.get("rel"):
            y = relative_year(g["rel"], ctx)
        else:
            y = year_for_month(m, ctx, g.get("y"))
        return Period("M", y, m) if y and m else None
    if kind == "year_range":
        return Period("YR", group_int(g, "y1"), 0, 0, group_int(g, "y2"))
    if kind == "fiscal_year":
        raw = g.get("y") or ""
        y = int(raw) if len(raw) == 4 else 2000 + int(raw)
        fs = ctx.fiscal_start or 1
        if fs >= 7:
            # a fiscal year starting in July or October is named by the year it ends in:
            # Bangladesh's FY 2016 is July 2015 - June 2016, the US FY 2024 Oct 2023 - Sep 2024
            return Period("MR", y - 1, fs, 0, y, fs - 1)
        return Period("Y", y)
    if kind == "year":
        return Period("Y", int(g.get("y") or g.get("y2") or 0))
    if kind == "relative_year":
        return relative_year_period(g, ctx)
    if kind in ("relative_month", "relative_quarter"):
        return dateparser_relative(text, kind, ctx)
    return None


def comparison_basis(main: Period | None, base: Period | None) -> str | None:
    """yoy / mom / qoq from a figure's period and the period it is compared with."""
    if main is None or base is None:
        return None
    main, base = main.whole(), base.whole()
    if main.kind != base.kind:
        return None
    if main.shift_years(-1) == base:
        return "yoy"
    if main.kind == "M":
        if (main.y * 12 + main.a) - (base.y * 12 + base.a) == 1:
            return "mom"
    if main.kind == "Q" and (main.y * 4 + main.a) - (base.y * 4 + base.a) == 1:
        return "qoq"
    return None


def text_month_years(text: str) -> tuple[dict[int, int], int | None]:
    """For articles without a date: the year the text gives each month, and its latest year."""
    pairs: dict[int, int] = {}
    for m in re.finditer(macros()["{MONTH}"] + r",?\s+((?:19|20)\d{2})\b", text):
        month = month_of(m[0])
        pairs.setdefault(month, int(m[1]))
    years = [int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", text)]
    return pairs, (max(years) if years else None)


def example_matches(entry: PeriodPattern, text: str) -> bool:
    """tests/test_patterns.py hook: does this entry's regex find a phrase in `text`?"""
    return re.search(expand_macros(entry.pattern), text, re.I) is not None

"""Periods named relative to something else: "the last three months", "last season", "the
previous month", "so far this year", "in the first four months of the fiscal year": resolved
against the month being reported or the publication date (`PeriodContext`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache

import dateparser

from extractor.cues import cue_regex
from extractor.extract.period_types import (
    Period,
    PeriodContext,
    month_of,
    relative_year,
    year_for_month,
)


def last_months(n: int, g: dict[str, str | None], ctx: PeriodContext) -> Period | None:
    """ "the last three months": the n months ending with the month being reported (else the
    month before publication); "the preceding three months": the n months before those."""
    if not 1 <= n <= 24:
        return None
    hint = ctx.hint
    if hint is not None and hint.kind in ("M", "MR"):
        y, m = hint.last_month
    elif ctx.published:
        k = ctx.published.year * 12 + ctx.published.month - 2
        y, m = k // 12, k % 12 + 1
    else:
        return None
    last = y * 12 + m - 1
    first = last - n + 1
    return Period("MR", first // 12, first % 12 + 1, 0, last // 12, last % 12 + 1)


def season(kind: str, g: dict[str, str | None], ctx: PeriodContext) -> Period | None:
    """A crop or marketing season: "the 2021/22 July-June season" (its months stated),
    "last season" (the season before the one running at publication), "so far this season"
    (from the season's first day to the publication day)."""
    if kind == "season_span":
        y, first = int(g["y"] or 0), month_of(g["m1"])
        if int(g["y2"] or -1) != (y + 1) % 100:
            return None
    else:
        first = ctx.season_start or 0
        if not first or not ctx.published:
            return None
        pub = ctx.published
        y = pub.year if pub.month >= first else pub.year - 1
        rel = (g.get("rel") or "").lower()
        y += -1 if rel and rel != "next" else (1 if rel == "next" else 0)
    if not 1 <= first <= 12:
        return None
    if (g.get("sofar") or g.get("sofar2") or g.get("sofar3")) and ctx.published:
        pub = ctx.published
        return Period("DR", y, first, 1, pub.year, pub.month, pub.day)
    last = y * 12 + first - 1 + 11
    return Period("MR", y, first, 0, last // 12, last % 12 + 1)


def season_start_of(text: str) -> int | None:
    """The first month of the crop or marketing season the text names, if it names one."""
    m = cue_regex("season_months").search(text)
    return month_of(m["m"] or m["m2"]) if m else None


def year_of_window(n: int, g: dict[str, str | None], ctx: PeriodContext) -> int | None:
    if g.get("y"):
        return int(g["y"])  # type: ignore[arg-type]
    if g.get("rel") in ("this", "last"):
        return relative_year(g["rel"], ctx)
    if ctx.hint:
        return ctx.hint.last_month[0]
    return year_for_month(n, ctx)


def year_of_part(g: dict[str, str | None], ctx: PeriodContext, last_month: int) -> int | None:
    explicit = g.get("y") or g.get("y2")
    if explicit:
        return int(explicit)
    if g.get("rel") in ("this", "last"):
        return relative_year(g["rel"], ctx)
    if ctx.hint:
        return ctx.hint.last_month[0]
    return year_for_month(max(1, last_month), ctx)


def relative_year_period(g: dict[str, str | None], ctx: PeriodContext) -> Period | None:
    year: int | None
    if g.get("ytd"):
        year = relative_year("this", ctx)
        if not year:
            return None
        if ctx.hint and ctx.hint.kind in ("M", "MR", "DR") and ctx.hint.y2 in (0, ctx.hint.y):
            # the year to the month the text is reporting: a January release of December's
            # figures closes the year before
            hy, hm = ctx.hint.last_month
            if hy in (year, year - 1):
                return Period("MR", hy, 1, 0, hy, hm)
        if ctx.published and ctx.published.month > 1:
            return Period("MR", year, 1, 0, year, ctx.published.month - 1)
        return None
    if g.get("whole"):
        if ctx.hint:
            year = ctx.hint.last_month[0]
        elif ctx.published and ctx.published.month <= 2:
            year = ctx.published.year - 1  # "full-year" figures come out in January/February
        else:
            year = relative_year("this", ctx)
        return Period("Y", year) if year else None
    year = relative_year(g.get("rel"), ctx)
    return Period("Y", year) if year else None


ANAPHORIC = re.compile(r"\b(?:previous|preceding|prior)\b", re.I)


def dateparser_relative(text: str, kind: str, ctx: PeriodContext) -> Period | None:
    hint = ctx.hint
    if (
        hint is not None
        and ANAPHORIC.search(text)
        and hint.kind == {"relative_month": "M"}.get(kind, "Q")
    ):
        # "the previous month" is the one before the month being reported; "last month" is
        # the one before publication
        k = hint.y * 12 + hint.a - 2 if hint.kind == "M" else hint.y * 4 + hint.a - 2
        div = 12 if hint.kind == "M" else 4
        return Period(hint.kind, k // div, k % div + 1)
    if not ctx.published:
        return None
    parsed = parse_relative(text.lower(), ctx.published)
    if parsed is None:
        return None
    year, month = parsed
    if kind == "relative_quarter":
        return Period("Q", year, (month - 1) // 3 + 1)
    return Period("M", year, month)


# Months back from the publication month for the phrases the period patterns find, after the
# rewrite in `parse_relative`: plain month arithmetic gives what dateparser gives for them,
# without its ~1 s cold start (timezone regexes, locale loading) or ~4 ms per phrase.
MONTHS_BACK = {"this month": 0, "last month": 1, "3 months ago": 3}


@cache
def parse_relative(phrase: str, base: date) -> tuple[int, int] | None:
    """One short phrase ("last month") relative to the publication date: month arithmetic for
    the usual phrases, dateparser for any other."""
    phrase = re.sub(r"\bthe (previous|past)\b", "last", phrase)
    phrase = phrase.replace("last quarter", "3 months ago")
    back = MONTHS_BACK.get(phrase)
    if back is not None:
        months = base.year * 12 + base.month - 1 - back
        return months // 12, months % 12 + 1
    settings = {"RELATIVE_BASE": datetime(base.year, base.month, base.day)}
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return (parsed.year, parsed.month) if parsed else None


def relative_fiscal(g: dict[str, str | None], ctx: PeriodContext) -> Period | None:
    """ "this fiscal (year)", "last financial year", "fiscal year to date": the economy's fiscal
    year around the month being reported (else the publication month)."""
    hint = ctx.hint
    pub = (ctx.published.year, ctx.published.month) if ctx.published else None
    if hint is not None and (pub is None or hint.last_month <= pub):
        y, m = hint.last_month
        reported = hint.kind in ("M", "MR", "DR")
    elif pub is not None:
        y, m = pub
        reported = False
    else:
        return None
    fs = ctx.fiscal_start or 1
    start = y if m >= fs else y - 1
    rel = (g.get("rel") or "").lower()
    if rel == "next":
        start += 1
    elif rel and not re.search(r"this|current", rel):
        start -= 1
    if g.get("ytd"):
        if not reported:  # a forecast's year is no report: up to the month before publication
            k = y * 12 + m - 2
            y, m = k // 12, k % 12 + 1
        return Period("MR", start, fs, 0, y, m) if (y, m) >= (start, fs) else None
    if fs == 1:
        return Period("Y", start)
    return Period("MR", start, fs, 0, start + 1, fs - 1)

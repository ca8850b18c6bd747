"""What a period is once resolved (`Period`), a phrase found in a sentence (`PeriodMention`),
what relative phrases are resolved against (`PeriodContext`), and the small helpers that
place a month or a year named without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from extractor.patterns import NUM_WORDS
from extractor.vocabulary import month_number


@dataclass(frozen=True)
class Period:
    """A resolved period. `kind`: Y, H, Q, M, D, MR (month range), DR (day range), YR."""

    kind: str
    y: int
    a: int = 0
    b: int = 0
    y2: int = 0
    a2: int = 0
    b2: int = 0

    def label(self) -> str:
        if self.kind == "Y":
            return f"{self.y}"
        if self.kind == "H":
            return f"{self.y}-H{self.a}"
        if self.kind == "Q":
            return f"{self.y}-Q{self.a}"
        if self.kind == "M":
            return f"{self.y}-{self.a:02d}"
        if self.kind == "D":
            return f"{self.y}-{self.a:02d}-{self.b:02d}"
        if self.kind == "MR":
            return f"{self.y}-{self.a:02d}/{self.y2}-{self.a2:02d}"
        if self.kind == "DR":
            return f"{self.y}-{self.a:02d}-{self.b:02d}/{self.y2}-{self.a2:02d}-{self.b2:02d}"
        return f"{self.y}/{self.y2}"

    def shift_years(self, years: int) -> Period:
        return replace(self, y=self.y + years, y2=self.y2 + years if self.y2 else 0)

    @property
    def last_month(self) -> tuple[int, int]:
        """(year, month) of the period's last month."""
        if self.kind == "Y":
            return self.y, 12
        if self.kind == "H":
            return self.y, 6 * self.a
        if self.kind == "Q":
            return self.y, 3 * self.a
        if self.kind in ("M", "D"):
            return self.y, self.a
        if self.kind in ("MR", "DR"):
            return self.y2, self.a2
        return self.y2, 12

    def whole(self) -> Period:
        """The same span in its shortest spelling: 1 January-31 December 2017 is 2017, a
        January-June range is H1, so that spans of one length compare."""
        p = self
        if p.kind == "DR" and p.b == 1 and p.b2 == _month_days(p.y2, p.a2):
            p = Period("MR", p.y, p.a, 0, p.y2, p.a2)
        if p.kind == "MR" and p.y == p.y2:
            if p.a == 1 and p.a2 == 12:
                return Period("Y", p.y)
            if p.a in (1, 7) and p.a2 == p.a + 5:
                return Period("H", p.y, (p.a + 5) // 6)
            if p.a % 3 == 1 and p.a2 == p.a + 2:
                return Period("Q", p.y, (p.a + 2) // 3)
            if p.a == p.a2:
                return Period("M", p.y, p.a)
        return p

    @property
    def months(self) -> int:
        """How many months a month range spans (0 for any other kind)."""
        if self.kind != "MR":
            return 0
        return (self.y2 - self.y) * 12 + self.a2 - self.a + 1

    @property
    def implies_yoy(self) -> bool:
        """A change over this period can only be against the same period a year earlier:
        a whole year, a half, a year-to-date or 12-month window, a part of a month."""
        if self.kind in ("Y", "H", "DR"):
            return True
        if self.kind == "MR":
            months = self.months
            return months >= 12 or (months not in (1, 3) and self.y == self.y2)
        return False


@dataclass
class PeriodMention:
    start: int
    end: int
    kind: str
    groups: dict[str, str | None]
    pattern: str
    role: str = "data"  # data | comparison | exclude | year_ago | prior
    text: str = ""


@dataclass
class PeriodContext:
    """What relative phrases are resolved against."""

    published: date | None = None
    hint: Period | None = None  # the period the text was last talking about
    text_years: dict[int, int] = field(default_factory=dict)  # month -> year seen in text
    latest_year: int | None = None
    fiscal_start: int | None = None  # first month of the economy's fiscal year (India: 4)
    season_start: int | None = None  # first month of a crop season the text names (July)
    last_range: Period | None = None  # the latest span of months the figures referred to

    def base_year(self) -> int | None:
        if self.published:
            return self.published.year
        if self.hint:
            return self.hint.last_month[0]
        return self.latest_year


def month_of(name: str | None) -> int:
    return month_number(name)


def group_int(g: dict[str, str | None], key: str) -> int:
    """A regex group of digits as a number; 0 when the group did not take part."""
    value = g.get(key)
    return int(value) if value else 0


def number_of(raw: str | None) -> int:
    if not raw:
        return 0
    return int(raw) if raw.isdigit() else NUM_WORDS.get(raw.lower(), 0)


def year_for_month(month: int, ctx: PeriodContext, explicit: str | None = None) -> int | None:
    """The year of a month named without one: the latest such month on or before publication,
    else the year the text pairs with that month, else the year being talked about."""
    if explicit:
        return int(explicit)
    if ctx.published:
        pub = ctx.published
        return pub.year if month <= pub.month else pub.year - 1
    if month in ctx.text_years:
        return ctx.text_years[month]
    if ctx.hint:
        return ctx.hint.last_month[0]
    return ctx.latest_year


def relative_year(rel: str | None, ctx: PeriodContext) -> int | None:
    base = ctx.base_year()
    if base is None:
        return None
    rel = (rel or "this").lower()
    if rel.startswith("last") or re.search(r"previous|past|preceding|prior", rel):
        return base - 1
    if rel == "next":
        return base + 1
    return base


def _month_days(year: int, month: int) -> int:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt - date(year, month, 1)).days

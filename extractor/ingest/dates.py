"""Dates as pages and feeds state them (ISO stamps, "Jan. 30, 2026"), read into `date`s."""

from __future__ import annotations

import re
from datetime import date

import dateparser


def to_date(raw: str | None) -> date | None:
    if not raw:
        return None
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", raw.strip())
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    parsed = dateparser.parse(raw, languages=["en"], settings={"STRICT_PARSING": True})
    return parsed.date() if parsed else None

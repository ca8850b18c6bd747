"""Numbers as news writes them: digits with separators, signs and decimals, and written numbers.

Pure functions over strings and token texts; the lexicons (number words, scales, fractions)
are data in patterns/numbers.jsonl, passed in by the caller. Nothing here raises on odd input:
anything that is not a clean number gives None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from extractor.patterns import NumberPattern

MINUS_SIGNS = ("-", "−", "–")
# A numeral longer than this is an identifier or junk, never an amount in a news sentence.
MAX_NUMERAL_LEN = 40


def parse_numeral(text: str) -> float | None:
    """Value of one numeric token: "1,234.5", "1,81,021" (Indian grouping), "-0.6", "+3",
    "2,5" (decimal comma), "1/2". None for anything else ("247th", "4:20", "1x", "")."""
    if not text or len(text) > MAX_NUMERAL_LEN:
        return None
    sign = 1.0
    if text[0] in "+±~":
        text = text[1:]
    elif text[0] in MINUS_SIGNS:
        sign, text = -1.0, text[1:]
    if not text or not text[0].isdigit() and not (text[0] == "." and text[1:2].isdigit()):
        return None
    if "/" in text:
        top, _, bottom = text.partition("/")
        if top.isdigit() and bottom.isdigit() and int(bottom) != 0 and "/" not in bottom:
            return sign * int(top) / int(bottom)
        return None
    if "," in text:
        head, _, tail = text.partition(".")
        groups = head.split(",")
        if len(groups) == 2 and "." not in text and 1 <= len(groups[1]) <= 2:
            text = f"{groups[0]}.{groups[1]}"  # European decimal comma: "2,5"
        elif (
            all(g.isdigit() for g in groups)
            and len(groups[-1]) == 3
            and all(len(g) in (2, 3) for g in groups[1:-1])
        ):
            text = "".join(groups) + ("." + tail if tail else "")
        else:
            return None
    if not all(c.isdigit() or c == "." for c in text) or text.count(".") > 1:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return sign * value


def is_ordinal_numeral(text: str) -> bool:
    """ "247th", "1st", "3rd": ranks, never quantities."""
    return len(text) > 2 and text[-2:].lower() in ("st", "nd", "rd", "th") and text[0].isdigit()


def is_year_like(text: str) -> bool:
    """A bare four-digit integer a year could be ("2025"), as written (no separators)."""
    return len(text) == 4 and text.isdigit() and 1600 <= int(text) <= 2199


@dataclass
class WordNumber:
    """The running state while composing a written number ("two hundred and twenty-five")."""

    total: float = 0.0
    current: float = 0.0
    seen: bool = False
    decimals: list[int] = field(default_factory=list)
    in_decimals: bool = False

    def add(self, entry: NumberPattern) -> bool:
        """Fold one number word in; False if it cannot continue this number."""
        kind, value = entry.kind, entry.value
        if self.in_decimals:
            if kind == "unit" and value < 10:
                self.decimals.append(int(value))
                return True
            return False
        if kind == "unit":
            if self.seen and self.current % 10 != 0 and self.current % 100 < 20:
                return False  # "five six" is two numbers
            if self.seen and 0 < self.current % 100 < 20:
                return False
            self.current += value
        elif kind == "tens":
            if self.current % 100 != 0:
                return False
            self.current += value
        elif kind == "hundred":
            self.current = (self.current or 1.0) * value
        elif kind in ("scale", "scale_abbrev"):
            self.total += (self.current or 1.0) * value
            self.current = 0.0
        elif kind == "dozen":
            self.current = (self.current or 1.0) * value
        elif kind == "decimal_point":
            if not self.seen:
                return False
            self.in_decimals = True
            return True
        else:
            return False
        self.seen = True
        return True

    def add_digits(self, value: float) -> None:
        self.current = value
        self.seen = True

    @property
    def value(self) -> float:
        number = self.total + self.current
        if self.decimals:
            number += float("0." + "".join(map(str, self.decimals)))
        return number


def format_number(value: float) -> str:
    """Shortest plain rendering of a value ("758.3", "12", "0.25"): for round-trip tests."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"

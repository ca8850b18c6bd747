"""Vocabulary the code reads as sets, tables and regexes, derived once from `patterns/`.

Words live in the pattern files only; this module turns them into the shapes the stages need,
each behind one cached function:

- currency codes: the `unit` of every `kind: currency` entry in units.jsonl that is not a
  `minor` unit (pence, cents);
- what a table header is read with: units.jsonl and numbers.jsonl entries marked `header`.
"""

from __future__ import annotations

from functools import cache

from extractor.patterns import load_family


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of the currencies the unit lexicon knows ("USD", "CNY", ...)."""
    return frozenset(
        str(getattr(entry, "unit", ""))
        for entry in load_family("units")
        if getattr(entry, "kind", "") == "currency" and not getattr(entry, "minor", False)
    )


@cache
def header_currencies() -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """What a table header names its money with: (symbols and names with their code, in file
    order; codes). Only entries marked `header`: a header has no number beside it to confirm
    that "R" or "p" is money, so only unmistakable surfaces count."""
    symbols: list[tuple[str, str]] = []
    codes: list[str] = []
    for entry in load_family("units"):
        if getattr(entry, "kind", "") != "currency" or not getattr(entry, "header", False):
            continue
        surface, code = str(entry.pattern), str(getattr(entry, "unit", ""))
        if surface == code:
            codes.append(code)
        else:
            symbols.append((surface, code))
    return tuple(symbols), tuple(codes)


@cache
def header_scales() -> tuple[tuple[str, float], ...]:
    """Scale words a table header may state ("¥ trillion", "m TEU"), largest scale first."""
    scales = [
        (str(entry.pattern), float(getattr(entry, "value", 1)))
        for entry in load_family("numbers")
        if getattr(entry, "header", False)
    ]
    return tuple(sorted(scales, key=lambda scale: -scale[1]))

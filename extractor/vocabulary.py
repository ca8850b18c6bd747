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

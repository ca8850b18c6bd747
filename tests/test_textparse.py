"""Plain-text page copy: line structure stands in for markup."""

from __future__ import annotations

from datetime import date

from extractor.extract.facts import extract_facts
from extractor.parse.text import parse_text

PAGE = """Daily Wire

Copper Sales Lift Zambia's Exports

Published: Mar. 3, 2025  9:10 a.m.  GMT+2
00:00/00:00
Listen to this article 1x

Zambia's copper exports rose 12% to $9.4 billion in 2024, the central bank said.

Key points
  • Copper exports up 12% to $9.4 billion
  • Cobalt exports down 3%
Who's Who
Acme Mining
Acme Mining runs three mines and employs 4,000 people in the Copperbelt.
Timeline
2023:
Copper exports were $8.4 billion.
NEWSLETTERS
Get 5 free briefings a week in your inbox.
"""


def test_sections_headings_and_furniture() -> None:
    article = parse_text(PAGE)
    assert article.published == date(2025, 3, 3)
    sections = [(b.section, b.heading) for b in article.blocks]
    assert ("summary", None) in sections and ("timeline", "2023") in sections
    texts = " ".join(b.text for b in article.blocks)
    assert "Acme Mining runs" not in texts  # a company profile box
    assert "free briefings" not in texts  # a newsletter promo
    assert "00:00" not in texts and "Listen to" not in texts


def test_page_copy_facts_and_no_furniture_facts() -> None:
    facts = extract_facts(parse_text(PAGE))
    values = sorted((f.value, f.change, f.period) for f in facts if f.value)
    assert values == [(8.4e9, None, "2023"), (9.4e9, 12.0, "2024")]
    cobalt = [f for f in facts if f.value is None]
    assert len(cobalt) == 1 and cobalt[0].change == -3.0
    assert not any(f.value in (4000.0, 5.0) for f in facts)

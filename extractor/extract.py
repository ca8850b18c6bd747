"""The fact layer: assemble quantities into SPEC.md facts (metric, value, unit, change, period,
entity, partner, section, evidence, span, pattern).

Not built yet (issue 4): `extract_facts` finds no facts until then, and says so in its doc.
"""

from __future__ import annotations

from extractor.models import Article, Fact


def extract_facts(article: Article) -> list[Fact]:
    """Every fact stated in the article. Returns [] until the fact layer lands (issue 4)."""
    return []

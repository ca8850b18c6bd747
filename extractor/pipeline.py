"""The one place that runs the stages in order for a document: parse -> extract.

Callers (the CLI, ingestion, re-extraction) go through here so every path produces the same
facts for the same page.
"""

from __future__ import annotations

from datetime import date

from extractor.extract.facts import extract_facts
from extractor.models import ArticleSummary, ExtractResult
from extractor.parse.document import parse_document


def extract_document(
    raw: str, url: str | None = None, published: date | None = None
) -> ExtractResult:
    """Parse a page or plain text and extract its facts."""
    article = parse_document(raw, url=url, published=published)
    return ExtractResult(article=ArticleSummary.of(article), facts=extract_facts(article))

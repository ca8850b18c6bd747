"""Parse a saved page or pasted text: HTML or plain text, chosen by whether it looks like markup."""

from __future__ import annotations

import re
from datetime import date

from extractor.models import Article
from extractor.parse.html import parse_html
from extractor.parse.text import parse_text

BLOCK_START = re.compile(r"\s*<(div|article|main|section)[\s>]")


def parse_document(raw: str, url: str | None = None, published: date | None = None) -> Article:
    """Parse HTML or plain text, choosing by whether the input looks like markup."""
    if looks_like_html(raw):
        return parse_html(raw, url=url, published=published)
    return parse_text(raw, url=url, published=published)


def looks_like_html(raw: str) -> bool:
    head = raw[:2000].lower()
    if "<html" in head or "<!doctype html" in head or "<body" in head or "<p>" in head:
        return True
    return bool(BLOCK_START.match(head))  # a saved fragment: "<div>text<br><br>text</div>"

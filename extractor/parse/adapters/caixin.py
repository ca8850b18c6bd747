"""Caixin Global: the article body, the paywall, the Digest Hub and its timeline.

Caixin pages put an AI "Digest Hub" inside the article: a bullet summary ("Explore the story in
30 seconds"), profiles of companies named ("Who's Who", background prose, not reporting) and a
dated timeline ("What Happened When", <dt>2025:</dt><dd>...</dd>). Generic rules would guess
these from class names; here we know them, so the summary and timeline keep their sections, the
profiles and the subscription prompts are dropped, and the byline date is read when the
metadata lacks one.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from extractor.parse.adapters import SECTION_ATTR, Adapter

BYLINE_DATE = re.compile(r"Published:\s*([A-Z][a-z]{2}\.?\s+\d{1,2},\s+\d{4})")


class CaixinAdapter(Adapter):
    name = "caixin"
    hosts = ("caixinglobal.com", "caixin.com")

    def prepare(self, soup: BeautifulSoup) -> None:
        labels = {
            "#Main_Content_Val": "body",
            ".digest-hub-summary": "summary",
            "#digestHub .timeline": "timeline",
            ".whos-who": "skip",
            ".digest-hub-head": "skip",
            ".digest-hub-lock": "skip",
            ".ai-note": "skip",
            ".audio-player": "skip",
            ".share-box": "skip",
            "#chargeWall": "skip",
        }
        for selector, section in labels.items():
            for node in soup.select(selector):
                node[SECTION_ATTR] = section
        # The summary box's own heading is a label, not a sentence.
        for heading in soup.select(".digest-hub-summary h3, #digestHub .timeline h3"):
            heading[SECTION_ATTR] = "skip"

    def root(self, soup: BeautifulSoup) -> Tag | None:
        node = soup.select_one("article.cons-article") or soup.select_one("article")
        return node if isinstance(node, Tag) else None

    def published(self, soup: BeautifulSoup) -> str | None:
        stamp = soup.select_one(".pub-date, .article-info")
        if stamp is None:
            return None
        match = BYLINE_DATE.search(stamp.get_text(" ", strip=True))
        return match.group(1) if match else None

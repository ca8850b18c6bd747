"""Parse a page (HTML) or plain text into an `Article`: metadata plus text blocks by section.

The generic path reads title and date from JSON-LD, <meta> tags and the page, and splits the
main text into blocks (paragraphs, list items, timeline entries, captions, table rows), each
labelled with the page section it came from. Plain text uses line structure instead of markup.
"""

from __future__ import annotations

import json
import re
from datetime import date

import dateparser
from bs4 import BeautifulSoup, Tag

from extractor.errors import ParseError
from extractor.models import Article, Block, Section

# Headings that open a page section, matched case-insensitively against a heading's text.
SECTION_HEADINGS: dict[str, Section] = {
    "digest hub": "summary",
    "key points": "summary",
    "highlights": "summary",
    "at a glance": "summary",
    "summary": "summary",
    "in brief": "summary",
    "what happened when": "timeline",
    "timeline": "timeline",
    "chronology": "timeline",
}
# Class/id fragments that mark a container as a section of its own.
SECTION_CLASS_HINTS: list[tuple[str, Section]] = [
    ("timeline", "timeline"),
    ("chronolog", "timeline"),
    ("digest", "summary"),
    ("key-points", "summary"),
    ("keypoints", "summary"),
    ("summary", "summary"),
    ("highlights", "summary"),
    ("takeaways", "summary"),
]
# Containers that hold no article text.
FURNITURE_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "form",
    "button",
    "svg",
    "iframe",
    "template",
    "audio",
    "video",
]
FURNITURE_CLASS_HINTS = (
    "newsletter",
    "podcast",
    "subscribe",
    "paywall",
    "share",
    "related",
    "audio",
    "player",
    "advert",
    "promo",
    "social",
    "comments",
    "who-s-who",
    "whos-who",
    "profiles",
)
PAYWALL_MARKERS = (
    "available only to subscribers",
    "subscribe to continue",
    "subscribers only",
    "to read the full article",
    "paywall",
)
# A timeline heading line: "2021:", "2021–2025:", "2026-01-30:".
TIMELINE_HEADING = re.compile(r"^\s*(\d{4}(?:-\d{2}-\d{2})?(?:\s*[–—-]\s*\d{4})?)\s*:\s*$")
BLOCK_TAGS = ["p", "li", "dd", "dt", "figcaption", "blockquote", "h1", "h2", "h3", "h4", "tr"]


def parse_document(raw: str, url: str | None = None, published: date | None = None) -> Article:
    """Parse HTML or plain text, choosing by whether the input looks like markup."""
    if looks_like_html(raw):
        return parse_html(raw, url=url, published=published)
    from extractor.textparse import parse_text

    return parse_text(raw, url=url, published=published)


def looks_like_html(raw: str) -> bool:
    head = raw[:2000].lower()
    return "<html" in head or "<!doctype html" in head or "<body" in head or "<p>" in head


# --- HTML -----------------------------------------------------------------------------------


def parse_html(html: str, url: str | None = None, published: date | None = None) -> Article:
    try:
        soup = BeautifulSoup(html, "html.parser")
    except Exception as exc:  # bs4 raises assorted errors on hostile markup
        raise ParseError(f"cannot parse HTML ({exc.__class__.__name__})", url=url) from exc
    meta = page_metadata(soup)
    truncated = is_paywalled(soup.get_text(" ", strip=True))
    for tag in soup.find_all(FURNITURE_TAGS):
        tag.decompose()
    root = soup.find("article") or soup.body or soup
    blocks = [b for b in html_blocks(root) if b.text]
    canonical = meta.get("canonical") or url
    return Article.from_blocks(
        blocks,
        url=url,
        canonical_url=canonical,
        title=meta.get("title"),
        published=published or to_date(meta.get("published")),
        outlet=meta.get("outlet"),
        truncated=truncated,
    )


def page_metadata(soup: BeautifulSoup) -> dict[str, str]:
    meta: dict[str, str] = {}
    for node in soup.find_all("script", type="application/ld+json"):
        for item in json_ld_items(node.get_text()):
            meta.setdefault("title", str(item.get("headline") or "")) or meta.pop("title")
            if item.get("datePublished"):
                meta.setdefault("published", str(item["datePublished"]))
            publisher = item.get("publisher")
            if isinstance(publisher, dict) and publisher.get("name"):
                meta.setdefault("outlet", str(publisher["name"]))
    wanted = {
        "og:title": "title",
        "article:published_time": "published",
        "og:site_name": "outlet",
        "date": "published",
        "pubdate": "published",
    }
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or "").lower()
        if key in wanted and tag.get("content"):
            meta.setdefault(wanted[key], str(tag["content"]))
    if "title" not in meta:
        heading = soup.find("h1") or soup.find("title")
        if heading:
            meta["title"] = heading.get_text(" ", strip=True)
    if "published" not in meta:
        stamp = soup.find("time")
        if isinstance(stamp, Tag):
            meta["published"] = str(stamp.get("datetime") or stamp.get_text(strip=True))
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and link.get("href"):
        meta["canonical"] = str(link["href"])
    return {k: v for k, v in meta.items() if v}


def json_ld_items(raw: str) -> list[dict]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    out: list[dict] = []
    for item in items:
        if isinstance(item, dict):
            out.extend(x for x in item.get("@graph", [item]) if isinstance(x, dict))
    return out


def is_paywalled(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in PAYWALL_MARKERS)


def html_blocks(root: Tag) -> list[Block]:
    blocks: list[Block] = []
    heading: str | None = None
    for node in root.find_all(BLOCK_TAGS):
        if node.find_parent(BLOCK_TAGS) is not None or is_furniture(node):
            continue
        text = clean_text(node.get_text(" ", strip=True))
        section = section_of(node)
        if node.name == "dt" or (section == "timeline" and TIMELINE_HEADING.match(text)):
            heading = text.rstrip(":").strip()
            continue
        if node.name in ("h1", "h2", "h3", "h4"):
            continue
        if node.name == "figcaption":
            section = "caption"
        elif node.name == "tr":
            section = "table"
            text = " | ".join(c.get_text(" ", strip=True) for c in node.find_all(["td", "th"]))
        blocks.append(
            Block(section=section, text=text, heading=heading if section == "timeline" else None)
        )
    return blocks


def is_furniture(node: Tag) -> bool:
    for parent in [node, *node.parents]:
        if not isinstance(parent, Tag):
            continue
        marks = " ".join([*(parent.get("class") or []), str(parent.get("id") or "")]).lower()
        if any(hint in marks for hint in FURNITURE_CLASS_HINTS):
            return True
    return False


def section_of(node: Tag) -> Section:
    for parent in [node, *node.parents]:
        if not isinstance(parent, Tag):
            continue
        if parent.name == "figure":
            return "caption"
        if parent.name == "table":
            return "table"
        marks = " ".join([*(parent.get("class") or []), str(parent.get("id") or "")]).lower()
        for hint, section in SECTION_CLASS_HINTS:
            if hint in marks:
                return section
    return "body"


# --- helpers --------------------------------------------------------------------------------

ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(text: str) -> str:
    text = ZERO_WIDTH.sub("", text).replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


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

"""Find article URLs: RSS/Atom feeds, sitemaps (plain, gzipped, indexes) and plain URL lists.

Discovery only parses bytes; fetch.py fetched them. feedparser reads feeds because real feeds
are a zoo of RSS 0.9x/1.0/2.0 and Atom dialects with broken dates, which it normalizes. XML
defences: any document that declares entities is refused before a parser sees it (an entity-
expansion "billion laughs" bomb needs a declaration; real feeds and sitemaps never have one),
and sitemaps are parsed with defusedxml, which also refuses external entities and DTD tricks.
Gzipped sitemaps are inflated with a size cap, so a zip bomb stops at the cap.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from typing import Literal
from xml.etree.ElementTree import ParseError as XMLParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from extractor.errors import DiscoveryError
from extractor.ingest.dates import to_date
from extractor.ingest.urls import is_http_url, normalize_url
from extractor.models import Model

MAX_INFLATED = 50_000_000  # the sitemaps.org limit for one uncompressed sitemap
ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body)", re.I)
FEED_LINK = re.compile(
    r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.I | re.S
)

Kind = Literal["article", "sitemap"]


class Link(Model):
    """A URL found by discovery: an article to fetch, or a child sitemap of an index."""

    url: str
    kind: Kind = "article"
    published: date | None = None
    title: str | None = None


def parse_feed(content: bytes, url: str) -> list[Link]:
    """Article links of an RSS or Atom feed, with each entry's date and title."""
    refuse_entities(content, url)
    if HTML_START.match(content[:1024]):
        hint = FEED_LINK.search(content[:100_000].decode("utf-8", "replace"))
        advice = f"; the page links a feed: {hint.group(0)}" if hint else ""
        raise DiscoveryError(url, f"this is an HTML page, not an RSS/Atom feed{advice}")
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo and not parsed.feed:
            reason = parsed.get("bozo_exception")
            raise DiscoveryError(url, f"not an RSS/Atom feed ({reason})")
        return []
    links: list[Link] = []
    for entry in parsed.entries:
        href = entry.get("link") or entry.get("id")
        if not href:
            continue
        href = normalize_url(str(href), base=url)
        if not is_http_url(href):
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
        links.append(Link(url=href, published=published, title=entry.get("title")))
    return links


def parse_sitemap(content: bytes, url: str) -> list[Link]:
    """URLs of a sitemap (`article` links) or of a sitemap index (`sitemap` links)."""
    content = inflate(content, url)
    refuse_entities(content, url)
    try:
        root = fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DiscoveryError(url, f"refused unsafe XML ({exc.__class__.__name__})") from None
    except XMLParseError as exc:
        what = "an HTML page" if HTML_START.match(content[:1024]) else "malformed XML"
        raise DiscoveryError(url, f"not a sitemap: {what} ({exc})") from None
    tag = local(root.tag)
    if tag not in ("urlset", "sitemapindex"):
        raise DiscoveryError(url, f"not a sitemap: root element is <{tag}>")
    kind: Kind = "sitemap" if tag == "sitemapindex" else "article"
    links: list[Link] = []
    for item in root:
        fields = {local(child.tag): (child.text or "").strip() for child in item}
        loc = fields.get("loc")
        if not loc or not is_http_url(loc):
            continue
        links.append(
            Link(url=normalize_url(loc), kind=kind, published=to_date(fields.get("lastmod")))
        )
    return links


def parse_url_list(content: bytes | str, url: str = "url list") -> list[Link]:
    """One URL a line; blank lines and lines starting with # are skipped, non-http refused."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    links = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_http_url(line):
            raise DiscoveryError(url, f"not an http(s) URL: {line[:200]!r}")
        links.append(Link(url=normalize_url(line)))
    return links


def refuse_entities(content: bytes, url: str) -> None:
    """The whole document is searched: a declaration after a megabyte of comment is still
    a declaration (one linear byte scan, cheap beside parsing)."""
    if ENTITY_DECL.search(content):
        raise DiscoveryError(url, "declares XML entities (possible entity-expansion bomb); refused")


def inflate(content: bytes, url: str) -> bytes:
    """Gunzip a gzipped sitemap (by its magic bytes, whatever the headers said), capped."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(content, MAX_INFLATED)
    except zlib.error as exc:
        raise DiscoveryError(url, f"corrupt gzip data ({exc})") from None
    if inflater.unconsumed_tail:
        raise DiscoveryError(url, f"inflates to more than {MAX_INFLATED} bytes; refused")
    return out


def local(tag: str) -> str:
    """An element name without its namespace: '{http://...}url' -> 'url'."""
    return tag.rsplit("}", 1)[-1]

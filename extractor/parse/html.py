"""Parse a page (HTML) or plain text into an `Article`: metadata plus text blocks by section.

The generic path reads title and date from JSON-LD, <meta> tags and the page, and splits the
main text into blocks (paragraphs, list items, timeline entries, captions, table rows), each
labelled with the page section it came from. Plain text uses line structure instead of markup.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import date
from functools import cache

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from extractor.errors import ParseError
from extractor.ingest.dates import to_date
from extractor.ingest.urls import is_http_url, normalize_url, same_site
from extractor.models import Article, Block, Section
from extractor.parse.adapters import adapter_for
from extractor.parse.blocks import (
    BR,
    INLINE_TAGS,
    MAX_TEXT_CHARS,
    SECTION_HEADINGS,
    TIMELINE_HEADING,
    clean_text,
    is_paywalled,
    is_prose,
    section_of,
)
from extractor.parse.loose import bare_text_root, split_run
from extractor.vocabulary import expand_macros

# Cross-links inside the article body: "ALSO READ: ...", "Read more: ...".
FURNITURE_LINE = re.compile(r"^(also read|read more|related|see also|recommended)\s*[:|]", re.I)
# Byline and metadata lines inside the article ("Economy desk · Oct. 27, 2026 · 4 min read"):
# their date is when the page was written, not a period any figure refers to.
READING_TIME = re.compile(r"\b\d+[\s-]*min(?:ute)?s?\.?\s+read\b", re.I)
META_SEPARATOR = re.compile(r"\s+[·|•]\s+")


@cache
def meta_date() -> re.Pattern[str]:
    """A date or time in a byline ("Oct. 27", "27 October", "2026-10-27", "09:30"); month
    names from patterns/months.jsonl."""
    return re.compile(
        expand_macros(
            r"\b{MONTH_PREFIX}[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+{MONTH_PREFIX}[a-z]*\b"
            r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
        )
    )


# Markup parsed per page: real pages, even with big inline scripts, stay well under this.
MAX_HTML_CHARS = 2_000_000
INLINE_CODE = re.compile(
    r"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>", re.I | re.S
)
INDEXED_TAGS = ["script", "meta", "h1", "title", "time", "link", "article", "main"]
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK_TAGS = {"p", "li", "dd", "dt", "figcaption", "blockquote", "tr", "pre"}


# --- HTML -----------------------------------------------------------------------------------


def parse_html(
    html: str,
    url: str | None = None,
    published: date | None = None,
    *,
    published_hint: date | None = None,
    adapter: str | None = None,
) -> Article:
    """Parse a page. `published` overrides the page's date; `published_hint` (a feed's date)
    is used only when the page's structured metadata gives none. `adapter` names a site
    adapter; by default the URL's host picks one (or the generic rules)."""
    html, cut = shrink(html)
    try:
        with warnings.catch_warnings():
            # bs4 warns (on stderr) about XML-looking or URL-looking input; for us those are
            # just odd pages, and library code never prints.
            warnings.simplefilter("ignore")
            soup = BeautifulSoup(html, "html.parser")
    except Exception as exc:  # bs4 raises assorted errors on hostile markup
        raise ParseError(f"cannot parse HTML ({exc.__class__.__name__})", url=url) from exc
    site = adapter_for(adapter, url)
    tags = index_tags(soup)
    meta = page_metadata(tags)
    site.prepare(soup)
    mark_powers(soup)
    page_text = soup.get_text(" ", strip=True)
    root = site.root(soup)
    if root is None:
        root = main_container(soup, tags)
        if not any(is_prose(p.get_text(" ")) for p in root.find_all("p")):
            root = bare_text_root(root)  # text straight in <div>s: find the content one
    blocks, full = html_blocks(root)
    body_words = sum(len(b.text.split()) for b in blocks if b.section == "body")
    truncated = (
        is_paywalled(page_text)
        or (meta.get("free") == "false" and body_words < 400)
        or cut
        or not full
    )
    return Article.from_blocks(
        blocks,
        url=url,
        canonical_url=canonical_url(meta.get("canonical"), url),
        title=meta.get("title"),
        published=published
        or to_date(meta.get("published"))
        or published_hint
        or to_date(site.published(soup))
        or to_date(meta.get("published_page")),
        outlet=meta.get("outlet"),
        truncated=truncated,
    )


# A superscript exponent right after a base of ten ("10<sup>400</sup>", "×10<sup>-3</sup>").
POWER_BASE = re.compile(r"(?:^|[^0-9.,])10$")
POWER_EXPONENT = re.compile(r"[-−]?[0-9]{1,4}")


def mark_powers(soup: BeautifulSoup) -> None:
    """Write a power of ten as "10^400": as text the superscript would read "10 400", which the
    quantity layer cannot tell from two numbers. Footnote marks (after a word or a
    percent sign) are left alone."""
    for sup in soup.find_all("sup"):
        prev = sup.previous_sibling
        text = sup.get_text().strip()
        if isinstance(prev, NavigableString) and POWER_EXPONENT.fullmatch(text):
            if POWER_BASE.search(str(prev)):
                prev.replace_with(str(prev) + "^" + text.replace("−", "-"))
                sup.decompose()


def shrink(html: str) -> tuple[str, bool]:
    """Bound the work for a runaway page: above MAX_HTML_CHARS drop inline scripts and styles
    (keeping JSON-LD), then cut what is still too long. Returns the HTML and whether it was cut.
    """
    if len(html) <= MAX_HTML_CHARS:
        return html, False
    html = INLINE_CODE.sub("", html)
    if len(html) <= MAX_HTML_CHARS:
        return html, False
    return html[:MAX_HTML_CHARS], True


def canonical_url(declared: str | None, url: str | None) -> str | None:
    """The page's declared canonical URL (resolved against its URL), else its URL, normalized.

    A declared canonical that is not http(s) (a `javascript:` or `file:` value) is ignored, and
    so is one on another registrable domain than the page's own: a page may not claim another
    outlet's URL (and so replace that outlet's stored article and facts).
    """
    if declared:
        candidate = normalize_url(declared, base=url)
        fetched = url is not None and is_http_url(url)
        if is_http_url(candidate) and (not fetched or same_site(candidate, url or "")):
            return candidate
    if url and is_http_url(url):
        return normalize_url(url)
    return url


def index_tags(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """The tags metadata and container choice look at, found in one walk of the tree (a 5 MB
    page costs one scan, not one per question)."""
    found: dict[str, list[Tag]] = {name: [] for name in INDEXED_TAGS}
    for tag in soup.find_all(INDEXED_TAGS):
        found[tag.name].append(tag)
    return found


def main_container(soup: BeautifulSoup, tags: dict[str, list[Tag]]) -> Tag:
    """<article> (the one holding most paragraph text when there are several), else <main>,
    else <body>."""
    articles = tags["article"]
    if len(articles) == 1:
        return articles[0]
    if articles:
        # Ties (no <p> anywhere: bare-text pages) go to the one with the most text.
        return max(
            articles,
            key=lambda a: (sum(len(p.get_text()) for p in a.find_all("p")), len(a.get_text())),
        )
    return next(iter(tags["main"]), None) or soup.body or soup


def page_metadata(tags: dict[str, list[Tag]]) -> dict[str, str]:
    """Title, dates, outlet, canonical and access flag from JSON-LD, then <meta>, then markup."""
    meta: dict[str, str] = {}
    scripts = [t for t in tags["script"] if t.get("type") == "application/ld+json"]
    for node in scripts:
        for item in json_ld_items(node.get_text()):
            if not is_article_type(item.get("@type")):
                continue
            if item.get("headline"):
                meta.setdefault("title", str(item["headline"]))
            if item.get("datePublished"):
                meta.setdefault("published", str(item["datePublished"]))
            if "isAccessibleForFree" in item:
                meta.setdefault("free", str(item["isAccessibleForFree"]).lower())
            publisher = item.get("publisher")
            if isinstance(publisher, dict) and publisher.get("name"):
                meta.setdefault("outlet", str(publisher["name"]))
    wanted = {
        "og:title": "title",
        "article:published_time": "published",
        "og:site_name": "outlet",
        "date": "published",
        "pubdate": "published",
        "dc.date.issued": "published",
    }
    for tag in tags["meta"]:
        key = str(tag.get("property") or tag.get("name") or "").lower()
        if key in wanted and tag.get("content"):
            meta.setdefault(wanted[key], str(tag["content"]))
    if "title" not in meta:
        heading = next(iter(tags["h1"] + tags["title"]), None)
        if heading:
            meta["title"] = heading.get_text(" ", strip=True)
    if tags["time"]:
        stamp = tags["time"][0]
        meta["published_page"] = str(stamp.get("datetime") or stamp.get_text(strip=True))
    for link in tags["link"]:
        if "canonical" in (link.get("rel") or []) and link.get("href"):
            meta["canonical"] = str(link["href"])
            break
    return {k: clean_text(v) for k, v in meta.items() if v and v.strip()}


def is_article_type(kind: object) -> bool:
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and ("Article" in k or k == "Report") for k in kinds) or (
        kind is None
    )


def json_ld_items(raw: str) -> list[dict]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    out: list[dict] = []
    for item in items:
        if isinstance(item, dict):
            graph = item.get("@graph", [item])
            out.extend(x for x in (graph if isinstance(graph, list) else []) if isinstance(x, dict))
    return out


def html_blocks(root: Tag) -> tuple[list[Block], bool]:
    """Walk the tree once, top-down, carrying each container's section to its children.

    Iterative (an explicit stack), so 10,000 levels of nesting neither recurse too deep nor
    cost depth x nodes, as asking every node for its ancestors would. Text sitting loose in a
    container (old `<div>text<br>text</div>` markup, text inside bare <b>/<span>) becomes a
    block too. Returns the non-empty blocks and False when MAX_TEXT_CHARS cut the text short.
    """
    out = _Blocks()
    # Each frame: the children still to visit, the section they inherit (a section heading
    # such as "Key points" changes it for the siblings after it), and loose inline text.
    frames: list[list] = [[iter(root.children), section_of(root, "body"), []]]
    while frames and out.budget > 0:
        frame = frames[-1]
        node = next(frame[0], None)
        if node is None or (isinstance(node, Tag) and node.name not in INLINE_TAGS):
            out.loose(frame[1], frame[2])  # a block boundary ends the run of loose text
        if node is None:
            frames.pop()
            continue
        if not isinstance(node, Tag):
            if isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
                frame[2].append(str(node))  # text, not a comment, doctype or CDATA
            continue
        section = section_of(node, frame[1])
        if section is None:
            continue
        if node.name in INLINE_TAGS:
            if node.name == "br":
                frame[2].append(BR)  # split_run decides: a wrapped line or a new paragraph
            else:
                frame[2].append(node.get_text(" "))
            continue
        if node.name in HEADING_TAGS:
            named = SECTION_HEADINGS.get(clean_text(node.get_text(" ")).lower().strip(" :"))
            if named:
                frame[1] = named
            continue
        if node.name not in BLOCK_TAGS:
            frames.append([iter(node.children), section, []])
            continue
        if node.name == "tr":
            section = "table"
            # Only the row's own cells: a nested table's cells are already in their cell's
            # text, and visiting them again per level made 10,000 nested tables quadratic.
            text = " | ".join(
                clean_text(c.get_text(" ", strip=True))
                for c in node.find_all(["td", "th"], recursive=False)
            )
        else:
            text = clean_text(node.get_text(" ", strip=True))
            if is_link_only(node, text) or FURNITURE_LINE.match(text) or is_byline(text):
                continue
        if node.name == "figcaption":
            section = "caption"
        out.add(section, text, is_dt=node.name == "dt")
    return [b for b in out.blocks if b.text], out.budget > 0


class _Blocks:
    """Collects blocks for html_blocks: timeline headings, the text budget, loose text."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.heading: str | None = None
        self.budget = MAX_TEXT_CHARS
        self.split = split_run

    def add(self, section: Section, text: str, is_dt: bool = False) -> None:
        if is_dt or (section == "timeline" and TIMELINE_HEADING.match(text)):
            self.heading = text.rstrip(":").strip()
            return
        if len(text) >= self.budget:  # a runaway page: keep what fits, cut at a word boundary
            text = text[: self.budget].rsplit(" ", 1)[0]
            self.budget = 0
        self.budget -= len(text)
        heading = self.heading if section == "timeline" else None
        self.blocks.append(Block(section=section, text=text, heading=heading))

    def loose(self, section: Section, run: list[str]) -> None:
        """Loose text cut into paragraphs (loosetext.split_run): each that reads like a sentence
        is a block; labels, datelines ("Published: Jan. 30, 2026") and tag lists are not."""
        if not run:
            return
        paragraphs = self.split(run)
        run.clear()
        for text in paragraphs:
            if is_prose(text) and not FURNITURE_LINE.match(text) and not is_byline(text):
                self.add(section, text)


def is_byline(text: str) -> bool:
    """A by- or metadata line: a reading time, or short parts split by "·" or "|" of which one
    is a date or a time ("Trade desk · 12 March 2025 · 08:40")."""
    if READING_TIME.search(text):
        return True
    parts = META_SEPARATOR.split(text)
    return (
        len(parts) >= 2
        and all(len(part.split()) <= 6 for part in parts)
        and any(meta_date().search(part) for part in parts)
    )


def is_link_only(node: Tag, text: str) -> bool:
    """A short paragraph or item that is nothing but a link is navigation, not reporting."""
    if len(text.split()) >= 8:
        return False
    linked = " ".join(a.get_text(" ", strip=True) for a in node.find_all("a"))
    return bool(linked) and clean_text(linked) == text


# --- helpers --------------------------------------------------------------------------------

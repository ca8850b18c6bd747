"""HTML parsing: metadata, sections, canonical URLs, adapters, paywalls and hostile markup."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from reliability import record

from extractor.ingest.urls import normalize_url
from extractor.parse.html import parse_html

ROOT = Path(__file__).parent.parent
CAIXIN = ROOT / "fixtures/articles/caixin-2026-01-30-chips-drive-exports/page.html"
PAGES = Path(__file__).parent / "fixtures/http/pages"


def sections(article) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for block in article.blocks:
        out.setdefault(block.section, []).append(block.text)
    return out


def test_caixin_adapter_sections_timeline_and_paywall() -> None:
    article = parse_html(CAIXIN.read_text(), url="https://www.caixinglobal.com/2026-01-30/x.html")
    found = sections(article)
    assert len(found["body"]) == 2 and found["body"][1].startswith("Shipments of electronic")
    assert len(found["summary"]) == 3 and all("AI generated" not in t for t in found["summary"])
    timeline = [b for b in article.blocks if b.section == "timeline"]
    assert len(timeline) == 11
    assert [b.heading for b in timeline[:2]] == ["2021", "2021–2025"]
    assert timeline[-1].heading == "2026-01-30"
    assert "Who’s Who" not in article.text and "Micron is mentioned" not in article.text
    assert "Subscribe" not in article.text and "00:00" not in article.text
    assert article.truncated, "the paywall box marks the article as cut short"
    assert article.published == date(2026, 1, 30) and article.outlet == "Caixin Global"
    assert article.canonical_url.endswith("chips-drive-chinas-electronics-exports-102407518.html")
    for block in article.blocks:  # offsets map back into the article text
        assert article.text[block.start : block.end] == block.text


def test_caixin_adapter_is_chosen_by_host_and_by_name() -> None:
    html = CAIXIN.read_text()
    by_host = parse_html(html, url="https://www.caixinglobal.com/a.html")
    by_name = parse_html(html, adapter="caixin")
    generic = parse_html(html, adapter="generic")
    assert by_host.text == by_name.text
    assert "AI generated" in generic.text and "AI generated" not in by_host.text


def test_generic_page_sections() -> None:
    article = parse_html((PAGES / "freedonia-exports.html").read_text(), url="http://t.test/a")
    found = sections(article)
    assert found["summary"] == [
        "Freedonia's exports rose 4.1% to $12.3 billion in October.",
        "Machinery shipments grew 9.5% from a year earlier.",
    ]
    assert len(found["body"]) == 2
    assert found["caption"] == ["Containers at the main port, where volumes rose 6% in October."]
    assert found["table"] == ["Item | October", "Exports | $12.3 billion"]
    assert "Home" not in article.text and "©" not in article.text
    assert not article.truncated


def test_section_heading_without_class_names() -> None:
    html = (
        "<article><p>Lead paragraph with 5% growth.</p><section><h2>Key points</h2>"
        "<ul><li>Exports rose 5%.</li></ul></section><p>Closing paragraph.</p></article>"
    )
    found = sections(parse_html(html))
    assert found["summary"] == ["Exports rose 5%."]
    assert found["body"] == ["Lead paragraph with 5% growth.", "Closing paragraph."]


@pytest.mark.parametrize(
    ("head", "hint", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2025-03-01T08:00:00Z"}</script>'
            '<meta property="article:published_time" content="2025-04-01">',
            date(2025, 5, 1),
            date(2025, 3, 1),
        ),
        ('<meta property="article:published_time" content="2025-04-01">', None, date(2025, 4, 1)),
        ("", date(2025, 5, 1), date(2025, 5, 1)),  # the feed's date beats a <time> in the page
        ('<meta name="x" content="y">', None, date(2025, 6, 2)),
    ],
)
def test_publication_date_order(head: str, hint: date | None, expected: date) -> None:
    html = f"<html><head>{head}</head><body><article><time datetime='2025-06-02'>June 2</time>"
    html += "<p>Exports rose 5%.</p></article></body></html>"
    assert parse_html(html, published_hint=hint).published == expected


def test_explicit_published_overrides_the_page() -> None:
    html = '<meta property="article:published_time" content="2025-04-01"><p>Text here.</p>'
    assert parse_html(html, published=date(2020, 1, 1)).published == date(2020, 1, 1)


@pytest.mark.parametrize(
    ("declared", "url", "expected"),
    [
        ("/a/b?utm_source=x&id=3", "https://Example.COM:443/a/b", "https://example.com/a/b?id=3"),
        (None, "HTTP://example.com/a#frag", "http://example.com/a"),
        ("javascript:alert(1)", "https://example.com/a", "https://example.com/a"),
        ("file:///etc/passwd", "https://example.com/a", "https://example.com/a"),
        ("https://example.com/b?z=1&a=2&fbclid=q", None, "https://example.com/b?a=2&z=1"),
    ],
)
def test_canonical_url_is_normalized(declared: str | None, url: str | None, expected: str) -> None:
    if declared and not declared.startswith(("/", "http")):
        record("security_probes")
    link = f'<link rel="canonical" href="{declared}">' if declared else ""
    article = parse_html(f"<html><head>{link}</head><body><p>Some text.</p></body></html>", url)
    assert article.canonical_url == expected


@pytest.mark.parametrize(
    ("declared", "url", "expected"),
    [
        # another outlet's URL: ignored, the page keeps the URL it was fetched from
        ("https://www.reuters.com/markets/x", "https://evil.example/x", "https://evil.example/x"),
        # a sibling site under the same public suffix is another owner
        (
            "https://victim.github.io/a",
            "https://attacker.github.io/a",
            "https://attacker.github.io/a",
        ),
        ("https://bbc.co.uk/a", "https://evil.co.uk/a", "https://evil.co.uk/a"),
        # the same registrable domain: trusted, whatever the subdomain
        (
            "https://www.bbc.co.uk/news/1",
            "https://m.bbc.co.uk/news/1",
            "https://www.bbc.co.uk/news/1",
        ),
        (
            "https://www.caixinglobal.com/a",
            "https://caixinglobal.com/a?x=1",
            "https://www.caixinglobal.com/a",
        ),
    ],
)
def test_a_canonical_url_is_trusted_only_within_the_pages_own_site(
    declared: str, url: str, expected: str
) -> None:
    record("security_probes")
    link = f'<link rel="canonical" href="{declared}">'
    article = parse_html(f"<html><head>{link}</head><body><p>Some text.</p></body></html>", url)
    assert article.canonical_url == expected


def test_normalize_url_keeps_meaningful_parts() -> None:
    assert (
        normalize_url("https://example.com:8443/x/?b=2&a=1")
        == "https://example.com:8443/x/?a=1&b=2"
    )
    assert normalize_url("https://example.com") == "https://example.com/"


@pytest.mark.parametrize(
    "marker",
    ["Subscribe to continue reading", "This article is available only to subscribers."],
)
def test_paywall_markers_flag_truncation(marker: str) -> None:
    html = f"<article><p>Exports rose 5% in May.</p><div class='x'><p>{marker}</p></div></article>"
    assert parse_html(html).truncated


def test_not_free_and_short_is_truncated() -> None:
    html = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"isAccessibleForFree": false}</script><article><p>Only the lead is shown.</p></article>'
    )
    assert parse_html(html).truncated


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<html><body><p>Unclosed <b>bold <i>and italic",
        "\x00\x01\x02 binary \xff\xfe junk <p>",
        "<div>" * 10_000 + "<p>Deep exports rose 2%.</p>" + "</div>" * 10_000,
        "<li>" * 5_000 + "Nested list items",
        "<table>" + "<tr><td>1</td></tr>" * 10_000 + "</table>",
        '<script type="application/ld+json">' + "[" * 50_000 + "</script><p>Text.</p>",
        "<p>" + "Exports rose 1% to $2 billion. " * 170_000 + "</p>",  # ~5 MB on one line
    ],
    ids=[
        "empty",
        "lt",
        "unclosed",
        "binary",
        "nested-div",
        "nested-li",
        "big-table",
        "json",
        "5mb",
    ],
)
def test_hostile_markup_parses_in_bounded_time(html: str) -> None:
    record("bad_inputs")
    started = time.monotonic()
    article = parse_html(html)
    assert time.monotonic() - started < 20
    for block in article.blocks:
        assert article.text[block.start : block.end] == block.text


def test_deep_nesting_keeps_the_text() -> None:
    html = "<div>" * 10_000 + "<p>Deep exports rose 2%.</p>" + "</div>" * 10_000
    assert parse_html(html).text == "Deep exports rose 2%."


def test_hidden_and_furniture_are_dropped() -> None:
    html = (
        "<article><p>Real text.</p><p hidden>Hidden text.</p><div class='related'><p>Read "
        "more.</p></div><script>var x = 1;</p></script><nav><p>Menu</p></nav></article>"
    )
    assert parse_html(html).text == "Real text."


def test_bylines_cross_links_and_link_only_paragraphs_are_dropped() -> None:
    html = (
        "<article><p class='byline'>By A. Writer · May 2, 2025</p><p>Exports rose 5%.</p>"
        "<p>ALSO READ: Imports fall for a third month</p><p><a href='/s'>Our standards</a></p>"
        "<p>Read the <a href='/r'>full report</a> for 12 tables of data.</p></article>"
    )
    assert parse_html(html).text == (
        "Exports rose 5%.\n\nRead the full report for 12 tables of data."
    )


@pytest.mark.parametrize(
    "line",
    [
        "Economy desk · Oct. 27, 2026 · 4 min read · 12 comments",
        "Trade reporter | 12 March 2025 | 08:40",
        "Updated 2026-03-04 · Markets",
        "6 min read",
    ],
)
def test_metadata_lines_without_byline_classes_are_dropped(line: str) -> None:
    """Their date is when the page was written: read as text it became the period of every
    later figure that states none."""
    html = f"<article><p class='meta'>{line}</p><p>Exports rose 5% in September.</p></article>"
    assert parse_html(html).text == "Exports rose 5% in September."


@pytest.mark.parametrize(
    "prose",
    [
        "Exports rose 5% in March · imports fell 2% in April, the agency said on Tuesday.",
        "Shipments on Oct. 27 reached a record, the port said.",
    ],
)
def test_prose_with_dates_is_kept(prose: str) -> None:
    assert parse_html(f"<article><p>{prose}</p></article>").text == prose


def test_loose_text_in_containers_becomes_blocks() -> None:
    html = (
        "<div class='story'><span class='timestamp'>Published: May 2, 2025 10:00</span>"
        "Exports rose 5% to $3 billion in May.<br>Imports fell 2% in the same month, it said."
        "<!-- a comment with words in it --></div><div>" + "<b>" * 10_000 + "Deeply bold "
        "exports rose 7% in June.</div>"
    )
    assert [b.text for b in parse_html(html).blocks] == [
        "Exports rose 5% to $3 billion in May.",
        "Imports fell 2% in the same month, it said.",
        "Deeply bold exports rose 7% in June.",
    ]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("$758\u202f300 million", "$758300 million"),  # SI digit groups: one number
        ("1\u00a0234\u00a0567 units", "1234567 units"),
        ("$758.3\u00a0billion", "$758.3 billion"),  # between number and word: a space
        ("in 2025\u00a0100 firms", "in 2025 100 firms"),  # a year is not a digit group
        ("7.2\u200b%", "7.2%"),
    ],
)
def test_clean_text_spaces_inside_numbers(raw: str, clean: str) -> None:
    from extractor.parse.blocks import clean_text

    assert clean_text(raw) == clean

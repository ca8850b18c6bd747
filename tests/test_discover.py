"""Discovery: feeds, sitemaps and URL lists, including hostile XML."""

from __future__ import annotations

import gzip
import time
from datetime import date

import pytest
from httpkit import FIXTURES
from reliability import record

from extractor.errors import DiscoveryError
from extractor.ingest.discover import parse_feed, parse_sitemap, parse_url_list

BASE = "http://127.0.0.1:8999"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", BASE).encode()


def test_rss_links_dates_and_titles() -> None:
    links = parse_feed(fixture("feed.rss"), BASE + "/feed.rss")
    assert [link.url for link in links] == [
        BASE + "/news/freedonia-exports.html",  # tracking parameters dropped
        BASE + "/news/sylvania-surplus.html",
        BASE + "/news/gone.html",
        BASE + "/private/members.html",
    ]
    assert links[0].published == date(2025, 11, 3)
    assert links[0].title == "Freedonia's exports climb on machinery demand"
    assert links[2].published is None


def test_atom_links() -> None:
    links = parse_feed(fixture("atom.xml"), BASE + "/atom.xml")
    assert [(x.url, x.published) for x in links] == [
        (BASE + "/news/port-volumes.html", date(2025, 11, 5))
    ]


@pytest.mark.parametrize("name", ["bomb.rss", "xxe.rss"])
def test_entity_bomb_and_external_entity_are_refused_quickly(name: str) -> None:
    record("security_probes")
    started = time.monotonic()
    with pytest.raises(DiscoveryError, match="entit"):
        parse_feed(fixture(name), BASE + "/" + name)
    assert time.monotonic() - started < 0.5


def test_entity_bomb_in_a_sitemap_is_refused() -> None:
    record("security_probes")
    bomb = fixture("bomb.rss").replace(b"<rss", b"<urlset").replace(b"</rss>", b"</urlset>")
    with pytest.raises(DiscoveryError, match="entit"):
        parse_sitemap(bomb, BASE + "/sitemap.xml")


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap], ids=["feed", "sitemap"])
def test_an_entity_declaration_behind_megabytes_of_comment_is_still_refused(parse) -> None:
    """The check once read only the first megabyte: a bomb declared after 1.1 MB of comment
    was parsed (about 1 GB of memory)."""
    record("security_probes")
    root = "rss" if parse is parse_feed else "urlset"
    padded = (
        b'<?xml version="1.0"?><!-- ' + b"padding " * 140_000 + b"-->"
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + f"<{root}>&b;</{root}>".encode()
    )
    assert padded.index(b"<!ENTITY") > 1_100_000
    started = time.monotonic()
    with pytest.raises(DiscoveryError, match="entit"):
        parse(padded, BASE + "/padded.xml")
    assert time.monotonic() - started < 0.5


def test_a_feed_that_is_html_says_so_and_points_at_the_real_feed() -> None:
    record("bad_inputs")
    with pytest.raises(DiscoveryError, match="HTML page, not an RSS/Atom feed.*feed.rss"):
        parse_feed(fixture("not-a-feed.html"), BASE + "/")


@pytest.mark.parametrize("junk", [b"", b"\x00\xff" * 500, b"just some words", b"<rss><channel>"])
def test_junk_feeds_give_no_links_or_an_error(junk: bytes) -> None:
    record("bad_inputs")
    try:
        assert parse_feed(junk, BASE + "/feed") == []
    except DiscoveryError as error:
        assert BASE in str(error)


def test_sitemap_index_lists_child_sitemaps() -> None:
    links = parse_sitemap(fixture("sitemap-index.xml"), BASE + "/sitemap-index.xml")
    assert [(x.kind, x.url) for x in links] == [
        ("sitemap", BASE + "/sitemaps/news.xml.gz"),
        ("sitemap", BASE + "/sitemaps/archive.xml"),
    ]


def test_gzipped_sitemap_is_inflated() -> None:
    packed = gzip.compress(fixture("sitemap-news.xml"))
    links = parse_sitemap(packed, BASE + "/sitemaps/news.xml.gz")
    assert [x.kind for x in links] == ["article"] * 3
    assert links[0].url == BASE + "/news/port-volumes.html"
    assert links[0].published == date(2025, 11, 5)


def test_gzip_bomb_stops_at_the_cap() -> None:
    record("security_probes")
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000 + b"</urlset>")
    with pytest.raises(DiscoveryError, match="inflates to more than"):
        parse_sitemap(bomb, BASE + "/sitemap.xml.gz")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"<html><body>Not found</body></html>", "not a sitemap"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"\x1f\x8b\x08garbage", "corrupt gzip"),
        (b"<urlset><url><loc>", "malformed XML"),
    ],
)
def test_bad_sitemaps_are_errors(content: bytes, problem: str) -> None:
    record("bad_inputs")
    with pytest.raises(DiscoveryError, match=problem):
        parse_sitemap(content, BASE + "/sitemap.xml")


def test_sitemap_skips_non_http_locations() -> None:
    record("security_probes")
    content = (
        b"<urlset><url><loc>file:///etc/passwd</loc></url>"
        b"<url><loc>http://127.0.0.1:8999/a</loc></url></urlset>"
    )
    assert [x.url for x in parse_sitemap(content, BASE)] == [BASE + "/a"]


def test_url_list() -> None:
    links = parse_url_list(fixture("urls.txt"))
    assert len(links) == 5 and links[0].url == BASE + "/news/loop.html"
    with pytest.raises(DiscoveryError, match="not an http"):
        parse_url_list("http://a.example/x\nfile:///etc/passwd\n")

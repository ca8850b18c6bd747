"""Feeds, sitemaps and sitemap indexes are fetched conditionally, like articles: a second crawl
sends back their ETag / Last-Modified, a 304 is not parsed and discovers nothing new, and
nothing new is stored. The links it gave last time are still re-checked (conditionally), so an
article updated under an unchanged feed is still caught.

Real HTTP on 127.0.0.1 (pytest-httpserver) into a real SQLite file; the handlers below answer
conditional requests the way web servers do, and the server's log shows what was sent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from httpkit import fast_policy, quick_fetcher, table
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from extractor.jobs.crawl import crawl
from extractor.jobs.sources import Source, SourcesConfig
from extractor.store.db import open_db

STAMP = "Tue, 04 Nov 2025 07:30:00 GMT"
# Our own words: two short trade stories and one that appears later.
STORIES = {
    "/news/ore.html": "Iron ore exports rose 8% to $2.1 billion in September.",
    "/news/wheat.html": "Wheat imports fell 5% to $640 million in September.",
    "/news/cars.html": "Car exports rose 15% to $4.2 billion in October.",
}


def page(sentence: str) -> bytes:
    return (
        "<!doctype html><html><head><title>Trade note</title></head><body><article>"
        f"<p>{sentence}</p><p>The statistics office published the figures on Tuesday.</p>"
        "</article></body></html>"
    ).encode()


def rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>Story</title><link>{base}{p}</link></item>" for p in paths)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Trade wire</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def urlset(base: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def sitemap_index(base: str, paths: list[str]) -> bytes:
    maps = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
    ).encode()


class Outlet:
    """Documents whose body can change between crawls; each answers conditional requests by
    ETag (`validator="etag"`) or by Last-Modified only (`validator="date"`)."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base = server.url_for("/").rstrip("/")
        server.expect_request("/robots.txt").respond_with_data(
            "User-agent: *\nAllow: /\n", content_type="text/plain"
        )
        for path, sentence in STORIES.items():
            self.serve(path, lambda s=sentence: page(s), "text/html; charset=utf-8")

    def serve(
        self, path: str, body: Callable[[], bytes], content_type: str, validator: str = "etag"
    ) -> None:
        def handler(request: Request) -> Response:
            content = body()
            if validator == "etag":
                etag = '"' + hashlib.sha1(content).hexdigest()[:16] + '"'
                if request.headers.get("If-None-Match") == etag:
                    return Response(status=304, headers={"ETag": etag})
                return Response(content, content_type=content_type, headers={"ETag": etag})
            if request.headers.get("If-Modified-Since") == STAMP:
                return Response(status=304)
            return Response(content, content_type=content_type, headers={"Last-Modified": STAMP})

        self.server.expect_request(path).respond_with_handler(handler)

    def exchanges(self, path: str) -> list[tuple[Request, Response]]:
        return [(req, resp) for req, resp in self.server.log if req.path == path]

    def config(self, **kinds: list[str]) -> SourcesConfig:
        source = Source(
            name="trade wire",
            allow_private=["127.0.0.1"],
            rate_limit=1000,
            **{kind: [self.base + path for path in paths] for kind, paths in kinds.items()},
        )
        return SourcesConfig(fetch=fast_policy(), source=[source])


@pytest.fixture
def outlet(server: HTTPServer) -> Iterator[Outlet]:
    server.clear()
    yield Outlet(server)
    server.clear()


def test_second_crawl_sends_the_feed_etag_gets_304_and_stores_nothing_new(
    outlet: Outlet, tmp_path: Path
) -> None:
    paths = ["/news/ore.html", "/news/wheat.html"]
    outlet.serve("/feed.rss", lambda: rss(outlet.base, paths), "application/rss+xml")
    db = open_db(tmp_path / "news.db")
    config = outlet.config(feeds=["/feed.rss"])

    first = crawl(db, config, fetcher=quick_fetcher())
    assert first.new_articles == 2 and first.errors == 0 and first.feeds_not_modified == 0
    articles = table(db, "select id, url, content_hash from articles order by id")
    facts = table(db, "select * from facts order by id")
    assert len(facts) >= 2

    second = crawl(db, config, fetcher=quick_fetcher())

    (_, answer_1), (request_2, answer_2) = outlet.exchanges("/feed.rss")
    assert answer_1.status_code == 200
    assert request_2.headers.get("If-None-Match") == answer_1.headers["ETag"]
    assert answer_2.status_code == 304
    assert second.feeds_not_modified == 1
    assert second.errors == 0 and second.new_articles == 0 and second.updated_articles == 0
    assert "feeds unchanged 1" in second.line()
    # The unchanged feed's remembered links, each re-checked with its own conditional GET.
    assert second.discovered == 2 and second.not_modified == 2
    for path in paths:
        assert [a.status_code for _, a in outlet.exchanges(path)] == [200, 304]
    assert table(db, "select id, url, content_hash from articles order by id") == articles
    assert table(db, "select * from facts order by id") == facts
    assert [r["status"] for r in table(db, "select status from runs order by id")] == [
        "done",
        "done",
    ]
    assert table(db, "select count(*) n from errors")[0]["n"] == 0
    state = table(db, "select * from feed_state")
    assert [(s["url"], s["kind"], s["etag"]) for s in state] == [
        (outlet.base + "/feed.rss", "feed", answer_1.headers["ETag"])
    ]


def test_sitemap_with_only_last_modified_gets_if_modified_since(
    outlet: Outlet, tmp_path: Path
) -> None:
    outlet.serve(
        "/sitemap.xml",
        lambda: urlset(outlet.base, ["/news/ore.html"]),
        "application/xml",
        validator="date",
    )
    db = open_db(tmp_path / "news.db")
    config = outlet.config(sitemaps=["/sitemap.xml"])
    assert crawl(db, config, fetcher=quick_fetcher()).new_articles == 1

    second = crawl(db, config, fetcher=quick_fetcher())

    (request_1, _), (request_2, answer_2) = outlet.exchanges("/sitemap.xml")
    assert request_1.headers.get("If-Modified-Since") is None
    assert request_2.headers.get("If-Modified-Since") == STAMP
    assert request_2.headers.get("If-None-Match") is None
    assert answer_2.status_code == 304
    assert second.feeds_not_modified == 1 and second.errors == 0 and second.new_articles == 0
    assert table(db, "select count(*) n from articles")[0]["n"] == 1


def test_unchanged_sitemap_index_still_leads_to_its_changed_children(
    outlet: Outlet, tmp_path: Path
) -> None:
    listed = ["/news/ore.html"]
    outlet.serve(
        "/sitemap-index.xml",
        lambda: sitemap_index(outlet.base, ["/sitemaps/news.xml"]),
        "application/xml",
    )
    outlet.serve("/sitemaps/news.xml", lambda: urlset(outlet.base, listed), "application/xml")
    db = open_db(tmp_path / "news.db")
    config = outlet.config(sitemaps=["/sitemap-index.xml"])
    assert crawl(db, config, fetcher=quick_fetcher()).new_articles == 1

    listed.append("/news/cars.html")  # the news sitemap changes; the index does not
    second = crawl(db, config, fetcher=quick_fetcher())

    assert [a.status_code for _, a in outlet.exchanges("/sitemap-index.xml")] == [200, 304]
    assert [a.status_code for _, a in outlet.exchanges("/sitemaps/news.xml")] == [200, 200]
    assert second.feeds_not_modified == 1 and second.new_articles == 1 and second.errors == 0
    stored = {r["url"] for r in table(db, "select url from articles")}
    assert stored == {outlet.base + "/news/ore.html", outlet.base + "/news/cars.html"}

    third = crawl(db, config, fetcher=quick_fetcher())
    assert [a.status_code for _, a in outlet.exchanges("/sitemaps/news.xml")][-1] == 304
    assert third.feeds_not_modified == 2 and third.new_articles == 0 and third.errors == 0
    assert third.discovered == 2 and third.not_modified == 2


def test_article_updated_under_an_unchanged_feed_is_still_re_extracted(
    outlet: Outlet, tmp_path: Path
) -> None:
    text = {"/news/tin.html": "Tin exports rose 3% to $90 million in August."}
    outlet.serve("/news/tin.html", lambda: page(text["/news/tin.html"]), "text/html; charset=utf-8")
    outlet.serve("/feed.rss", lambda: rss(outlet.base, ["/news/tin.html"]), "application/rss+xml")
    db = open_db(tmp_path / "news.db")
    config = outlet.config(feeds=["/feed.rss"])
    assert crawl(db, config, fetcher=quick_fetcher()).new_articles == 1

    text["/news/tin.html"] = "Tin exports rose 4% to $95 million in August."  # a correction
    second = crawl(db, config, fetcher=quick_fetcher())

    assert [a.status_code for _, a in outlet.exchanges("/feed.rss")] == [200, 304]
    assert second.feeds_not_modified == 1 and second.updated_articles == 1
    values = [r["value"] for r in table(db, "select value from facts where unit = 'USD'")]
    assert values == [95_000_000.0]
    assert table(db, "select count(*) n from article_history")[0]["n"] == 1


def test_changed_feed_is_parsed_again_and_a_broken_one_is_not_remembered(
    outlet: Outlet, tmp_path: Path
) -> None:
    listed = ["/news/ore.html"]
    outlet.serve("/feed.rss", lambda: rss(outlet.base, listed), "application/rss+xml")
    broken = b"<!doctype html><html><body><p>Not a feed at all.</p></body></html>"
    outlet.serve("/broken.rss", lambda: broken, "text/html")
    db = open_db(tmp_path / "news.db")
    config = outlet.config(feeds=["/feed.rss", "/broken.rss"])
    first = crawl(db, config, fetcher=quick_fetcher())
    assert first.new_articles == 1 and first.errors == 1

    listed.append("/news/wheat.html")  # a new item: the feed's ETag changes
    second = crawl(db, config, fetcher=quick_fetcher())

    feed = outlet.exchanges("/feed.rss")
    assert feed[1][0].headers.get("If-None-Match") == feed[0][1].headers["ETag"]
    assert feed[1][1].status_code == 200, "changed feed sent in full"
    assert second.new_articles == 1 and second.feeds_not_modified == 0
    assert [r.headers.get("If-None-Match") for r, _ in outlet.exchanges("/broken.rss")] == [
        None,
        None,
    ], "a feed that failed to parse is asked for in full again"
    assert second.errors == 1
    assert table(db, "select count(*) n from articles")[0]["n"] == 2

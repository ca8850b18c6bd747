"""A misbehaving test site on 127.0.0.1 for the fetch, discovery and crawl tests.

Real HTTP through pytest-httpserver (werkzeug), threaded so a deliberately slow handler does not
hold up the others. Fixture files live in tests/fixtures/http/; `{base}` in them becomes the
server's address. Every handler is plain werkzeug: nothing of ours is replaced or mocked.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import time
from collections.abc import Iterator
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from extractor.ingest.fetch import Fetcher, FetchPolicy
from extractor.jobs.sources import Source, SourcesConfig

FIXTURES = Path(__file__).parent / "fixtures" / "http"
HUGE_BYTES = 50 * 1024 * 1024


def fast_policy(**overrides: object) -> FetchPolicy:
    """Real rules, tiny times: the suite stays fast and a slow page still times out."""
    settings: dict[str, object] = dict(
        connect_timeout=1.0,
        read_timeout=0.3,
        total_timeout=5.0,
        retries=2,
        backoff=0.01,
        max_wait=2.0,
        delay=0.0,
        max_crawl_delay=0.05,
        max_bytes=1_000_000,
        allow_private=["127.0.0.1"],
    )
    settings.update(overrides)
    return FetchPolicy(**settings)


def quick_fetcher() -> Fetcher:
    """A fetcher on fast_policy whose Retry-After waits are token sleeps."""
    return Fetcher(fast_policy(), sleep=lambda s: time.sleep(min(s, 0.01)))


def table(db, sql: str) -> list[dict]:  # noqa: ANN001 - a sqlite_utils Database
    return list(db.query(sql))


def start_server() -> HTTPServer:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


class Site:
    """Register fixture files and misbehaving pages; count what the server actually sent."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.base = server.url_for("/").rstrip("/")
        self.huge_sent = 0
        self.hits: dict[str, int] = {}

    def url(self, path: str) -> str:
        return self.base + path

    def fixture(self, name: str) -> bytes:
        return (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", self.base).encode()

    def requests_to(self, path: str) -> list[Request]:
        return [req for req, _ in self.server.log if req.path == path]

    def _count(self, path: str) -> int:
        self.hits[path] = self.hits.get(path, 0) + 1
        return self.hits[path]

    def static(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8"):
        """A page that answers conditional requests: ETag and Last-Modified, 304 on a match."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        stamp = "Mon, 03 Nov 2025 09:00:00 GMT"

        def handler(request: Request) -> Response:
            self._count(path)
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(
                body, content_type=content_type, headers={"ETag": etag, "Last-Modified": stamp}
            )

        self.server.expect_request(path).respond_with_handler(handler)

    def page(self, path: str, name: str | None = None, **kw: str) -> None:
        name = name or "pages/" + path.rsplit("/", 1)[-1]
        self.static(path, self.fixture(name), **kw)

    def status(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.server.expect_request(path).respond_with_data(
            f"status {status}", status=status, headers=headers or {}
        )

    def fail_first(self, path: str, body: bytes, status: int, headers: dict[str, str]) -> None:
        """`status` on the very first request, then a normal conditional page."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

        def handler(request: Request) -> Response:
            if self._count(path) == 1:
                return Response(f"status {status}", status=status, headers=headers)
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(body, content_type="text/html; charset=utf-8", headers={"ETag": etag})

        self.server.expect_request(path).respond_with_handler(handler)

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.server.expect_request(path).respond_with_data(
            "", status=status, headers={"Location": target}
        )

    def slow(self, path: str, seconds: float) -> None:
        def handler(request: Request) -> Response:
            time.sleep(seconds)
            return Response("<p>too late</p>", content_type="text/html")

        self.server.expect_request(path).respond_with_handler(handler)

    def huge(self, path: str, declare_length: bool = False) -> None:
        """50 MB of HTML, generated as it is sent: the client must stop reading early."""

        def chunks() -> Iterator[bytes]:
            block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
            while self.huge_sent < HUGE_BYTES:
                self.huge_sent += len(block)
                yield block

        def handler(request: Request) -> Response:
            headers = {"Content-Length": str(HUGE_BYTES)} if declare_length else {}
            return Response(chunks(), content_type="text/html", headers=headers)

        self.server.expect_request(path).respond_with_handler(handler)

    def build(self) -> None:
        """The whole test outlet used by the crawl tests."""
        s = self.server
        s.expect_request("/robots.txt").respond_with_data(
            self.fixture("robots.txt"), content_type="text/plain"
        )
        for name in ("feed.rss", "atom.xml", "bomb.rss", "xxe.rss", "urls.txt"):
            s.expect_request("/" + name).respond_with_data(self.fixture(name))
        s.expect_request("/not-a-feed.html").respond_with_data(
            self.fixture("not-a-feed.html"), content_type="text/html"
        )
        s.expect_request("/sitemap-index.xml").respond_with_data(
            self.fixture("sitemap-index.xml"), content_type="application/xml"
        )
        s.expect_request("/sitemaps/news.xml.gz").respond_with_data(
            gzip.compress(self.fixture("sitemap-news.xml")), content_type="application/x-gzip"
        )
        s.expect_request("/sitemaps/archive.xml").respond_with_data(
            self.fixture("sitemap-archive.xml"), content_type="application/xml"
        )
        for path in ("freedonia-exports", "sylvania-surplus", "port-volumes"):
            self.page(f"/news/{path}.html")
        self.fail_first("/news/flaky.html", self.fixture("pages/flaky.html"), 500, {})
        self.fail_first(
            "/news/busy.html", self.fixture("pages/busy.html"), 429, {"Retry-After": "1"}
        )
        # UTF-8 bytes under a Latin-1 label: the classic wrong charset header.
        self.page("/news/latin1-labelled.html", content_type="text/html; charset=iso-8859-1")
        self.status("/news/gone.html", 404)
        self.page("/private/members.html", "pages/busy.html")  # robots.txt forbids it
        self.redirect("/news/loop.html", "/news/loop-again.html")
        self.redirect("/news/loop-again.html", "/news/loop.html")
        self.slow("/news/slow.html", 1.5)
        self.huge("/news/huge.html")
        s.expect_request("/news/empty.html").respond_with_data("", content_type="text/html")
        junk = random.Random(5).randbytes(20_000)
        s.expect_request("/news/junk.html").respond_with_data(junk, content_type="text/html")
        self.page("/tags/economy/", "pages/busy.html")  # denied by the source's pattern

    def config(self, **source: object) -> SourcesConfig:
        settings: dict[str, object] = dict(
            name="test wire",
            feeds=[
                self.url(p) for p in ("/feed.rss", "/atom.xml", "/bomb.rss", "/not-a-feed.html")
            ],
            sitemaps=[self.url("/sitemap-index.xml")],
            url_lists=[self.url("/urls.txt")],
            deny=["/tags/"],
            allow_private=["127.0.0.1"],
            rate_limit=1000,
        )
        settings.update(source)
        return SourcesConfig(fetch=fast_policy(), source=[Source(**settings)])

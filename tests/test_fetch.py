"""fetch.py against a real server on 127.0.0.1 that misbehaves on purpose."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from httpkit import HUGE_BYTES, Site, fast_policy
from pytest_httpserver import HTTPServer
from reliability import record
from werkzeug import Response

from extractor.errors import FetchError, RobotsDisallowed, UnsafeURLError
from extractor.ingest.charset import decode_body
from extractor.ingest.fetch import USER_AGENT, Fetcher, retry_after


@pytest.fixture
def site(server: HTTPServer) -> Iterator[Site]:
    server.clear()
    yield Site(server)
    server.clear()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def fetcher(waits: list[float]) -> Iterator[Fetcher]:
    def sleep(seconds: float) -> None:  # record the wait, sleep only a token amount
        waits.append(seconds)
        time.sleep(min(seconds, 0.01))

    with Fetcher(fast_policy(), sleep=sleep) as client:
        yield client


def no_robots(site: Site) -> None:
    site.status("/robots.txt", 404)


def test_identifies_itself_and_returns_the_body(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.page("/a.html", "pages/flaky.html")
    result = fetcher.fetch(site.url("/a.html"))
    assert result.status == 200 and "Steel output recovers" in result.text
    assert result.etag and result.last_modified
    assert site.requests_to("/a.html")[0].headers["User-Agent"] == USER_AGENT
    assert "newsfacts" in USER_AGENT


def test_404_is_an_error_and_not_retried(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.status("/gone", 404)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/gone"))
    assert caught.value.status == 404
    assert len(site.requests_to("/gone")) == 1


def test_500_then_200_succeeds_after_backoff(
    site: Site, fetcher: Fetcher, waits: list[float]
) -> None:
    no_robots(site)
    site.fail_first("/flaky", b"<p>fine now</p>", 500, {})
    result = fetcher.fetch(site.url("/flaky"))
    assert result.status == 200 and "fine now" in result.text
    assert len(site.requests_to("/flaky")) == 2
    assert waits == [pytest.approx(0.01)]  # the first backoff step


def test_backoff_doubles_until_retries_run_out(
    site: Site, fetcher: Fetcher, waits: list[float]
) -> None:
    no_robots(site)
    site.status("/down", 503)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/down"))
    assert caught.value.status == 503
    assert len(site.requests_to("/down")) == 3  # first try + 2 retries
    assert waits == [pytest.approx(0.01), pytest.approx(0.02)]


def test_429_honours_retry_after(site: Site, fetcher: Fetcher, waits: list[float]) -> None:
    no_robots(site)
    site.fail_first("/busy", b"<p>served</p>", 429, {"Retry-After": "1"})
    assert "served" in fetcher.fetch(site.url("/busy")).text
    assert waits == [1.0]


def test_retry_after_beyond_our_limit_gives_up_at_once(
    site: Site, fetcher: Fetcher, waits: list[float]
) -> None:
    no_robots(site)
    site.status("/later", 503, {"Retry-After": "3600"})
    with pytest.raises(FetchError, match="retry in 3600s"):
        fetcher.fetch(site.url("/later"))
    assert waits == [] and len(site.requests_to("/later")) == 1


def test_conditional_get_gets_304_and_says_unchanged(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.page("/a.html", "pages/flaky.html")
    first = fetcher.fetch(site.url("/a.html"))
    second = fetcher.fetch(site.url("/a.html"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304 and second.content == b""
    sent = site.requests_to("/a.html")[1].headers
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified


def test_redirect_loop_is_reported(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.redirect("/one", "/two")
    site.redirect("/two", "/one")
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(site.url("/one"))


def test_redirects_are_capped(site: Site) -> None:
    no_robots(site)
    for i in range(5):
        site.redirect(f"/r{i}", f"/r{i + 1}")
    with Fetcher(fast_policy(max_redirects=3)) as client:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            client.fetch(site.url("/r0"))


def test_redirect_is_followed_and_final_url_kept(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.redirect("/old", "/new", 301)
    site.page("/new", "pages/flaky.html")
    result = fetcher.fetch(site.url("/old"))
    assert result.final_url == site.url("/new") and result.redirects == [site.url("/new")]


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "http://10.0.0.1/admin",
        "http://127.0.0.2/",  # loopback, but not the one address the source allows
        "http://[::1]/",
    ],
)
def test_redirect_to_unsafe_target_is_refused(site: Site, fetcher: Fetcher, target: str) -> None:
    no_robots(site)
    site.redirect("/jump", target)
    record("security_probes")
    with pytest.raises(UnsafeURLError):
        fetcher.fetch(site.url("/jump"))


def test_private_address_refused_unless_allowed(site: Site) -> None:
    no_robots(site)
    site.page("/a.html", "pages/flaky.html")
    with Fetcher(fast_policy(allow_private=False)) as client:
        with pytest.raises(UnsafeURLError, match="allow_private"):
            client.fetch(site.url("/a.html"))
    assert site.requests_to("/a.html") == []
    with Fetcher(fast_policy(allow_private=True)) as client:
        assert client.fetch(site.url("/a.html")).status == 200


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,x"])
def test_only_http_and_https(fetcher: Fetcher, url: str) -> None:
    record("security_probes")
    with pytest.raises(UnsafeURLError, match="only http and https"):
        fetcher.fetch(url)


def test_slow_response_times_out(site: Site) -> None:
    no_robots(site)
    site.slow("/slow", 2.0)
    started = time.monotonic()
    with Fetcher(fast_policy(retries=0)) as client:
        with pytest.raises(FetchError, match="timed out"):
            client.fetch(site.url("/slow"))
    assert time.monotonic() - started < 1.5


def test_total_time_cap_stops_a_trickling_body(site: Site) -> None:
    no_robots(site)

    def trickle() -> Iterator[bytes]:
        for _ in range(40):
            time.sleep(0.05)  # each chunk beats the read timeout; the whole body does not
            yield b"<p>drip</p>"

    site.server.expect_request("/drip").respond_with_handler(
        lambda request: Response(trickle(), content_type="text/html")
    )
    started = time.monotonic()
    with Fetcher(fast_policy(total_timeout=0.5, retries=0)) as client:
        with pytest.raises(FetchError, match="after 0.5s"):
            client.fetch(site.url("/drip"))
    assert time.monotonic() - started < 1.5


def test_50_mb_body_stops_at_the_size_cap(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.huge("/huge")
    record("bad_inputs")
    with pytest.raises(FetchError, match="byte cap"):
        fetcher.fetch(site.url("/huge"))
    # The server generated only what the client read before stopping (plus buffers in flight).
    assert site.huge_sent < 10 * 1024 * 1024 < HUGE_BYTES


def test_declared_oversize_body_is_refused_unread(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.huge("/huge", declare_length=True)
    with pytest.raises(FetchError, match=f"{HUGE_BYTES} bytes exceeds"):
        fetcher.fetch(site.url("/huge"))


def test_wrong_charset_header_still_decodes(site: Site, fetcher: Fetcher) -> None:
    no_robots(site)
    site.page("/l.html", "pages/latin1-labelled.html", content_type="text/html; charset=latin-1")
    record("bad_inputs")
    text = fetcher.fetch(site.url("/l.html")).text
    assert "São Paulo" in text and "Café" in text and "—" in text


@pytest.mark.parametrize(
    ("text", "encoding", "header"),
    [
        ("中国出口增长7.2%，达到7583亿美元。", "gbk", "text/html"),
        ("中国出口增长7.2%，达到7583亿美元。", "gbk", "text/html; charset=gb2312"),
        ("日本の輸出は前年比で増加し、半導体が好調だった。", "shift_jis", None),
        ("Exportações subiram 5% — café e açúcar à frente.", "cp1252", "text/html; charset=utf-8"),
        ("Exports rose 5% to €12 billion — a record.", "utf-8", "text/html; charset=ascii"),
        ("<meta charset='gbk'><p>出口增长</p>", "gbk", "text/html"),
    ],
)
def test_charset_sniffing(text: str, encoding: str, header: str | None) -> None:
    record("bad_inputs")
    assert decode_body(text.encode(encoding), header)[0] == text


def test_robots_txt_disallow_is_obeyed_and_page_never_requested(
    site: Site, fetcher: Fetcher
) -> None:
    site.server.expect_request("/robots.txt").respond_with_data(site.fixture("robots.txt"))
    site.page("/private/members.html", "pages/busy.html")
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(site.url("/private/members.html"))
    assert site.requests_to("/private/members.html") == []
    assert not fetcher.allowed_by_robots(site.url("/private/x"), ["127.0.0.1"])
    assert fetcher.allowed_by_robots(site.url("/news/x"), ["127.0.0.1"])


def test_robots_txt_crawl_delay_spaces_requests(site: Site, waits: list[float]) -> None:
    site.server.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 0.2\n")
    site.page("/a.html", "pages/flaky.html")
    site.page("/b.html", "pages/busy.html")
    stamps = []
    with Fetcher(fast_policy(max_crawl_delay=1.0)) as client:
        for path in ("/a.html", "/b.html"):
            client.fetch(site.url(path))
            stamps.append(time.monotonic())
    assert stamps[1] - stamps[0] >= 0.18
    assert len(site.requests_to("/robots.txt")) == 1  # fetched once per host


def test_robots_txt_server_error_means_disallow_all(site: Site, fetcher: Fetcher) -> None:
    site.status("/robots.txt", 500)
    site.page("/a.html", "pages/flaky.html")
    with pytest.raises(FetchError, match=r"robots.txt unreachable \(HTTP 500"):
        fetcher.fetch(site.url("/a.html"))
    assert site.requests_to("/a.html") == []


def test_robots_txt_larger_than_500_kib_is_read_up_to_500_kib_not_ignored(
    site: Site, fetcher: Fetcher
) -> None:
    """RFC 9309 2.5: parse at least the first 500 KiB. An oversized file used to count as
    'no robots.txt' and so opened the whole site."""
    rules = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 70_000
    assert len(rules) > 600_000
    site.server.expect_request("/robots.txt").respond_with_data(rules, content_type="text/plain")
    site.page("/private/members.html", "pages/busy.html")
    site.page("/news/a.html", "pages/flaky.html")
    with pytest.raises(RobotsDisallowed):
        fetcher.fetch(site.url("/private/members.html"))
    assert site.requests_to("/private/members.html") == []
    assert fetcher.fetch(site.url("/news/a.html")).status == 200


def test_robots_txt_that_outlasts_the_time_cap_means_disallow_all(site: Site) -> None:
    """A robots.txt still arriving at the total-time cap is unreachable (disallow all for the
    run), not absent (allow all)."""

    def trickle() -> Iterator[bytes]:
        for _ in range(40):
            time.sleep(0.05)
            yield b"# slow\n"

    site.server.expect_request("/robots.txt").respond_with_handler(
        lambda request: Response(trickle(), content_type="text/plain")
    )
    site.page("/a.html", "pages/flaky.html")
    with Fetcher(fast_policy(total_timeout=0.5, retries=0)) as client:
        with pytest.raises(FetchError, match="robots.txt unreachable"):
            client.fetch(site.url("/a.html"))
    assert site.requests_to("/a.html") == []


def test_per_host_politeness_delay(site: Site) -> None:
    no_robots(site)
    arrivals: list[float] = []  # when the server saw each request: load on our side can't skew it

    def handler(request: object) -> Response:
        arrivals.append(time.monotonic())
        return Response("<p>ok</p>", content_type="text/html")

    site.server.expect_request("/a.html").respond_with_handler(handler)
    with Fetcher(fast_policy(delay=0.15)) as client:
        client.fetch(site.url("/a.html"))
        client.fetch(site.url("/a.html"))
    assert arrivals[1] - arrivals[0] >= 0.14


def test_retry_after_forms() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait


def test_trickling_headers_hit_the_total_time_cap() -> None:
    """Headers sent a byte at a time beat every read timeout; the total cap still ends it."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.is_set():
            try:
                conn.sendall(b"a")
            except OSError:
                break
            time.sleep(0.05)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/page"
    started = time.monotonic()
    try:
        with Fetcher(fast_policy(total_timeout=0.6, obey_robots=False)) as client:
            with pytest.raises(FetchError, match="gave up after 0.6s in total"):
                client.fetch(url)
    finally:
        stop.set()
        listener.close()
    assert time.monotonic() - started < 2.0

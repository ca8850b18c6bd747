"""The crawl pipeline end to end: a misbehaving outlet on 127.0.0.1 into a real SQLite file."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpkit import Site, fast_policy, quick_fetcher, table
from pytest_httpserver import HTTPServer
from reliability import record
from werkzeug import Response

from extractor.cli import cli
from extractor.errors import ConfigError, CrawlLocked, InputError
from extractor.ingest.fetch import Fetcher
from extractor.jobs.crawl import CrawlLock, crawl, every, parse_interval
from extractor.jobs.sources import load_sources
from extractor.store.db import open_db

GOOD = {
    "/news/freedonia-exports.html",
    "/news/sylvania-surplus.html",
    "/news/port-volumes.html",
    "/news/flaky.html",  # 500, then 200
    "/news/busy.html",  # 429 with Retry-After, then 200
    "/news/latin1-labelled.html",  # wrong charset header
}
FAILING = {
    "/news/gone.html": ("fetch", "HTTP 404"),
    "/private/members.html": ("fetch", "robots.txt"),
    "/news/loop.html": ("fetch", "redirect loop"),
    "/news/slow.html": ("fetch", "timed out"),
    "/news/huge.html": ("fetch", "byte cap"),
    "/news/empty.html": ("parse", "no article text"),
    "/bomb.rss": ("discover", "entity-expansion"),
    "/not-a-feed.html": ("discover", "HTML page"),
}


@pytest.fixture
def site(server: HTTPServer) -> Iterator[Site]:
    server.clear()
    outlet = Site(server)
    outlet.build()
    yield outlet
    server.clear()


def test_crawl_twice_stores_everything_once_and_second_pass_is_conditional(
    site: Site, tmp_path: Path
) -> None:
    db = open_db(tmp_path / "news.db")
    first = crawl(db, site.config(), fetcher=quick_fetcher())

    stored = {row["url"].removeprefix(site.base) for row in table(db, "select url from articles")}
    assert stored == GOOD, "nothing lost"
    assert first.new_articles == len(GOOD)
    errors = {row["url"].removeprefix(site.base): row for row in table(db, "select * from errors")}
    for path, (stage, words) in FAILING.items():
        assert path in errors, f"{path} not recorded"
        assert errors[path]["stage"] == stage and words in errors[path]["message"]
    assert "/news/junk.html" in errors or "/news/junk.html" in stored
    assert site.requests_to("/private/members.html") == [], "robots.txt obeyed"
    assert site.requests_to("/tags/economy/") == [], "deny pattern obeyed"
    assert site.requests_to("/news/bomb-target.html") == []
    assert site.huge_sent < 10 * 1024 * 1024
    facts_before = table(db, "select * from facts order by id")
    articles_before = table(db, "select id, canonical_url, content_hash from articles order by id")

    second = crawl(db, site.config(), fetcher=quick_fetcher())

    assert second.new_articles == 0 and second.updated_articles == 0
    assert second.not_modified == len(GOOD), "every stored page answered 304"
    for path in GOOD:
        last = site.requests_to(path)[-1]
        assert last.headers.get("If-None-Match"), f"{path}: second request not conditional"
    assert table(db, "select id, canonical_url, content_hash from articles order by id") == (
        articles_before
    )
    assert table(db, "select * from facts order by id") == facts_before, "no fact twice"
    assert table(db, "select count(*) n from article_history")[0]["n"] == 0
    dupes = table(db, "select canonical_url, count(*) n from articles group by 1 having n > 1")
    record("duplicated_rows", len(dupes))
    assert dupes == []
    runs = table(db, "select * from runs order by id")
    assert [r["status"] for r in runs] == ["done", "done"]
    assert runs[0]["articles_new"] == len(GOOD) and runs[1]["articles_unchanged"] == len(GOOD)
    assert runs[1]["errors"] == second.errors >= len(FAILING)


def test_crawled_article_metadata(site: Site, tmp_path: Path) -> None:
    db = open_db(tmp_path / "news.db")
    crawl(db, site.config(), fetcher=quick_fetcher())
    rows = {r["url"].removeprefix(site.base): r for r in table(db, "select * from articles")}
    freedonia = rows["/news/freedonia-exports.html"]
    assert freedonia["canonical_url"] == site.url("/news/freedonia-exports.html")
    assert freedonia["published"] == "2025-11-03" and freedonia["outlet"] == "Test Wire"
    assert rows["/news/sylvania-surplus.html"]["published"] == "2025-11-04", "feed date used"
    assert "São Paulo" in rows["/news/latin1-labelled.html"]["text"]
    assert "newsletter" not in rows["/news/sylvania-surplus.html"]["text"]


def test_updated_article_is_replaced_with_history_kept(server: HTTPServer, tmp_path: Path) -> None:
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)
    versions = [
        b"<article><p>Exports rose 4% to $10 billion in October.</p></article>",
        b"<article><p>Exports rose 4.2% to $10.1 billion in October, revised.</p></article>",
    ]
    served = iter(versions)
    server.expect_request("/story").respond_with_handler(
        lambda request: Response(next(served), content_type="text/html")
    )
    config = site.config(feeds=[], sitemaps=[], url_lists=[], urls=[site.url("/story")])
    db = open_db(tmp_path / "news.db")
    assert crawl(db, config, fetcher=quick_fetcher()).new_articles == 1
    assert crawl(db, config, fetcher=quick_fetcher()).updated_articles == 1
    (article,) = table(db, "select * from articles")
    assert "4.2%" in article["text"]
    (old,) = table(db, "select * from article_history")
    assert "4%" in old["text"] and old["article_id"] == article["id"]


def test_same_text_under_two_urls_is_stored_once(server: HTTPServer, tmp_path: Path) -> None:
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)
    body = b"<article><p>Imports fell 3% to $8 billion in October.</p></article>"
    for path in ("/a", "/amp/a"):
        server.expect_request(path).respond_with_data(body, content_type="text/html")
    config = site.config(
        feeds=[], sitemaps=[], url_lists=[], urls=[site.url("/a"), site.url("/amp/a")]
    )
    db = open_db(tmp_path / "news.db")
    summary = crawl(db, config, fetcher=quick_fetcher())
    assert (summary.new_articles, summary.duplicates) == (1, 1)
    assert table(db, "select count(*) n from articles")[0]["n"] == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "text/html"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "text/html"),
        (b"<html><body><article><p>Exports rose 5% to $1 bill", "text/html"),
        (
            b"<div>" * 10_000 + b"<p>Deep exports rose 2% to $3 billion.</p>" + b"</div>" * 10_000,
            "text/html",
        ),
        (b"<p>" + b"Exports rose 1% to $2 billion. " * 160_000 + b"</p>", "text/html"),
        ("<p>Exports rose 5% to 758.3\u00a0billion yuan\u200b.</p>".encode(), "text/html"),
        ("<p dir='rtl'>ارتفعت الصادرات 5% إلى 10 مليارات دولار.</p>".encode(), "text/html"),
        (
            "<p>Exports rose 5% to €12 billion — a record.</p>".encode().decode("latin-1").encode(),
            "text/html",
        ),
        ("<p>出口增长7.2%，达到7583亿美元。</p>".encode("gbk"), "text/html; charset=utf-8"),
        ("<p>輸出は前年比5%増加した。</p>".encode("shift_jis"), "text/html"),
        (b"%PDF-1.7 binary", "application/pdf"),
    ],
    ids=[
        "empty",
        "binary",
        "truncated",
        "nested",
        "5mb-line",
        "nbsp",
        "rtl",
        "mojibake",
        "gbk-as-utf8",
        "sjis",
        "pdf",
    ],
)
def test_bad_input_never_stops_a_run(
    server: HTTPServer, tmp_path: Path, body: bytes, content_type: str
) -> None:
    record("bad_inputs")
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)
    server.expect_request("/bad").respond_with_data(body, content_type=content_type)
    site.page("/good", "pages/flaky.html")
    config = site.config(
        feeds=[], sitemaps=[], url_lists=[], urls=[site.url("/bad"), site.url("/good")]
    )
    db = open_db(tmp_path / "news.db")
    started = time.monotonic()
    summary = crawl(
        db, config.model_copy(update={"fetch": fast_policy(max_bytes=8_000_000)}), quick_fetcher()
    )
    assert time.monotonic() - started < 30
    urls = {r["url"] for r in table(db, "select url from articles")}
    errors = {r["url"] for r in table(db, "select url from errors")}
    assert site.url("/good") in urls, "the page after the bad one is still stored"
    assert (site.url("/bad") in urls) != (site.url("/bad") in errors), "a result or an error"
    assert summary.new_articles + summary.errors == 2


def test_a_host_that_timed_out_is_not_asked_again_this_run(
    server: HTTPServer, tmp_path: Path
) -> None:
    """A host trickling one byte at a time costs the whole time cap per URL (120 s each by
    default), for every URL of that host. After its first timeout the rest are skipped for the
    run, with one error row saying so, and fetched again next run."""
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)

    def trickle(request):  # noqa: ANN001, ANN202 - werkzeug's handler signature
        def drip() -> Iterator[bytes]:
            for _ in range(40):
                time.sleep(0.05)
                yield b"<p>drip</p>"

        return Response(drip(), content_type="text/html")

    slow = [f"/slow/{i}.html" for i in range(4)]
    for path in slow:
        server.expect_request(path).respond_with_handler(trickle)
    config = site.config(feeds=[], sitemaps=[], url_lists=[], urls=[site.url(p) for p in slow])
    db = open_db(tmp_path / "news.db")
    started = time.monotonic()
    fetcher = Fetcher(fast_policy(total_timeout=0.5, retries=0))
    summary = crawl(db, config, fetcher)
    assert time.monotonic() - started < 3, "each URL waited out the cap"
    assert [len(site.requests_to(p)) for p in slow] == [1, 0, 0, 0]
    assert summary.skipped == 3 and summary.errors == 2
    messages = [r["message"] for r in table(db, "select message from errors order by id")]
    assert "gave up after 0.5s" in messages[0]
    assert "timed out earlier in this run" in messages[1] and "skipped" in messages[1]


def test_lock_stops_a_second_crawl(tmp_path: Path) -> None:
    db_path = tmp_path / "news.db"
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nurls = ["http://127.0.0.1:9/a"]\n')
    with CrawlLock(db_path):
        with pytest.raises(CrawlLocked):
            CrawlLock(db_path).__enter__()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "extractor",
                "crawl",
                "--db",
                str(db_path),
                "--sources",
                str(sources),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "another crawl" in proc.stderr
    with CrawlLock(db_path):  # released: the next crawl may start
        pass


def test_cli_crawl_prints_summary_and_ingest_url(site: Site, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\ndelay = 0\nread_timeout = 0.3\nretries = 0\n"
        f'[[source]]\nname = "wire"\nfeeds = ["{site.url("/atom.xml")}"]\n'
        'allow_private = ["127.0.0.1"]\nrate_limit = 1000\n'
    )
    db_path = tmp_path / "news.db"
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(sources), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "new articles 1" in result.output and "errors 0" in result.output
    result = CliRunner().invoke(
        cli, ["ingest", "--db", str(db_path), "--allow-private", site.url("/news/flaky.html")]
    )
    assert result.exit_code == 0, result.output
    assert "1 new article(s)" in result.output
    refused = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), site.url("/news/busy.html")])
    assert refused.exit_code == 3 and "Traceback" not in refused.output  # recorded, run done
    assert "non-public address" in refused.output  # private address refused without the flag


def test_a_crawl_writing_to_a_log_prints_timestamped_progress_lines(
    site: Site, tmp_path: Path
) -> None:
    """Under cron or systemd stderr is no terminal: the bar used to leave one bare word,
    'crawling', in the log. Progress is a line with the time at the start and the end."""
    import re

    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[fetch]\ndelay = 0\nread_timeout = 0.3\nretries = 0\n"
        f'[[source]]\nname = "wire"\nfeeds = ["{site.url("/atom.xml")}"]\n'
        'allow_private = ["127.0.0.1"]\nrate_limit = 1000\n'
    )
    result = CliRunner().invoke(
        cli, ["crawl", "--sources", str(sources), "--db", str(tmp_path / "news.db")]
    )
    assert result.exit_code == 0, result.output
    progress = re.findall(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ crawling: (\d+)/(\d+)$", result.output, re.M
    )
    assert progress and progress[-1][0] == progress[-1][1], result.output


def test_every_runs_start_to_start() -> None:
    calls: list[float] = []
    waits: list[float] = []
    every(60, lambda: calls.append(time.monotonic()), sleep=waits.append, passes=3)
    assert len(calls) == 3 and len(waits) == 2 and all(59 < w <= 60 for w in waits)
    assert parse_interval("30m") == 1800 and parse_interval("90s") == 90
    assert parse_interval("6h") == 21600 and parse_interval("1d") == 86400
    for bad in ("", "soon", "-5m", "0m", "30x"):
        with pytest.raises(InputError):
            parse_interval(bad)


def test_example_sources_file_is_valid() -> None:
    config = load_sources(Path(__file__).parent.parent / "sources.toml")
    assert config.source and all(s.name for s in config.source)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[source]]\nname = "x"\nfeeds = ["file:///etc/passwd"]\n', "only http"),
        ('[[source]]\nname = "x"\nurls = ["https://a.example/"]\ndeny = ["("]\n', "regular"),
        ('[[source]]\nname = "x"\nurls = ["https://a.example/"]\nadapter = "nope"\n', "adapter"),
        ('[[source]]\nname = "x"\n', "at least one"),
        ('[[source]]\nname = "x"\nurls = ["https://a.example/"]\nspeed = 3\n', "speed"),
        ("not toml = = =", "not valid TOML"),
    ],
)
def test_bad_sources_file_names_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem) as caught:
        load_sources(path)
    assert str(path) in str(caught.value)


def test_plain_text_page_is_parsed_by_lines(server: HTTPServer, tmp_path: Path) -> None:
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)
    text = "Key points\n• Exports rose 5% to $10 billion in October.\n\nImports fell 2%, it said.\n"
    server.expect_request("/copy.txt").respond_with_data(text, content_type="text/plain")
    config = site.config(feeds=[], sitemaps=[], url_lists=[], urls=[site.url("/copy.txt")])
    db = open_db(tmp_path / "news.db")
    assert crawl(db, config, fetcher=quick_fetcher()).new_articles == 1
    (row,) = table(db, "select text from articles")
    assert row["text"].startswith("Exports rose 5% to $10 billion in October.")


@pytest.mark.parametrize(
    "body",
    [
        b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,  # gzip without Content-Encoding
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        bytes(range(256)) * 32,  # no signature, control bytes, no markup
    ],
    ids=["gzip", "png", "junk"],
)
def test_binary_served_as_html_is_an_error_not_an_article(
    server: HTTPServer, tmp_path: Path, body: bytes
) -> None:
    record("bad_inputs")
    server.clear()
    site = Site(server)
    site.status("/robots.txt", 404)
    server.expect_request("/bin").respond_with_data(body, content_type="text/html")
    config = site.config(feeds=[], sitemaps=[], url_lists=[], urls=[site.url("/bin")])
    db = open_db(tmp_path / "news.db")
    assert crawl(db, config, fetcher=quick_fetcher()).errors == 1
    (error,) = table(db, "select stage, message from errors")
    assert error["stage"] == "parse" and "not a page" in error["message"]
    assert table(db, "select count(*) n from articles")[0]["n"] == 0


def test_every_reports_a_failed_pass_and_goes_on() -> None:
    passes: list[int] = []
    reported: list[str] = []

    def job() -> None:
        passes.append(1)
        if len(passes) == 1:
            raise CrawlLocked("another crawl is running")

    every(60, job, sleep=lambda _: None, passes=2, on_error=lambda e: reported.append(str(e)))
    assert len(passes) == 2 and reported == ["another crawl is running"]
    passes.clear()
    with pytest.raises(CrawlLocked):  # without on_error, the error is the caller's
        every(60, job, sleep=lambda _: None, passes=2)

"""Ingestion: for each source, discover -> fetch -> parse -> extract -> store.

This is the one place that catches per-article failures. Each is recorded in the `errors`
table with its URL, stage and message, and the run goes on; a run row keeps the tallies. The
library never prints: the CLI drives `Crawl.discover()` then `Crawl.process()` per candidate so
it can draw a progress bar, and `Crawl.finish()` returns the summary.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Literal

import sqlite_utils

from extractor.errors import CrawlLocked, InputError, NewsfactsError, ParseError
from extractor.extract.facts import extract_facts
from extractor.ingest.charset import looks_binary
from extractor.ingest.discover import Link, parse_feed, parse_sitemap, parse_url_list
from extractor.ingest.fetch import Fetcher, FetchPolicy
from extractor.ingest.urls import is_http_url, normalize_url
from extractor.jobs.sources import Source, SourcesConfig
from extractor.models import Model
from extractor.parse.html import parse_html
from extractor.parse.text import parse_text
from extractor.store.db import (
    FetchState,
    RunCounts,
    fetch_state,
    finish_run,
    record_error,
    save_article,
)
from extractor.store.db import start_run as store_start_run
from extractor.store.feeds import feed_state, save_feed_state, touch_feed_state

MAX_SITEMAPS = 50  # per source and run: an index of indexes cannot send us round forever
Stage = Literal["discover", "fetch", "parse", "extract", "store"]
Outcome = Literal["new", "updated", "unchanged", "duplicate", "error"]
# Content types we parse as pages; anything else (PDF, images) is recorded, not parsed.
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


class Candidate(Model):
    """An article URL to fetch, with what discovery learned about it."""

    url: str
    source: str
    published: date | None = None


class CrawlSummary(Model):
    run_id: int | None = None
    discovered: int = 0
    fetched: int = 0  # responses received (200s and 304s)
    not_modified: int = 0  # 304 answers to our conditional requests
    feeds_not_modified: int = 0  # feeds, sitemaps and URL lists that answered 304
    unchanged: int = 0  # 304s plus pages whose text had not changed
    new_articles: int = 0
    updated_articles: int = 0
    duplicates: int = 0
    new_facts: int = 0
    errors: int = 0
    failures: list[str] = []  # the first error messages, for a one-off `ingest` to show
    seconds: dict[str, float] = {}  # wall time spent in each article stage (fetch, parse, ...)

    def line(self) -> str:
        feeds = f", feeds unchanged {self.feeds_not_modified}" if self.feeds_not_modified else ""
        return (
            f"fetched {self.fetched}, unchanged {self.unchanged}, new articles "
            f"{self.new_articles}, updated {self.updated_articles}, duplicates "
            f"{self.duplicates}, new facts {self.new_facts}, errors {self.errors}{feeds}"
        )


class Crawl:
    """One pass over a set of sources against one database."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: SourcesConfig,
        fetcher: Fetcher | None = None,
        kind: str = "crawl",
    ) -> None:
        self.db = db
        self.sources = {s.name: s for s in config.source}
        self.fetcher = fetcher or Fetcher(config.fetch)
        self.own_fetcher = fetcher is None
        self.counts = RunCounts()
        self.summary = CrawlSummary()
        self.run_id = store_start_run(db, kind)
        self.summary.run_id = self.run_id
        self._last = time.perf_counter()

    # --- discovery --------------------------------------------------------------------------

    def discover(self) -> list[Candidate]:
        """Every article URL of every source, each once, in source order."""
        seen: set[str] = set()
        candidates: list[Candidate] = []
        for source in self.sources.values():
            found = 0
            for link in self._links(source):
                if link.url in seen or not source.wants(link.url):
                    continue
                if source.max_articles is not None and found >= source.max_articles:
                    break
                seen.add(link.url)
                found += 1
                candidates.append(
                    Candidate(url=link.url, source=source.name, published=link.published)
                )
        self.summary.discovered = len(candidates)
        return candidates

    def _links(self, source: Source) -> Iterable[Link]:
        for url in source.urls:
            yield Link(url=normalize_url(url))
        for url in source.feeds:
            yield from self._discover(source, url, parse_feed)
        for url in source.url_lists:
            yield from self._discover(source, url, parse_url_list)
        queue, visited = list(source.sitemaps), set[str]()
        while queue and len(visited) < MAX_SITEMAPS:
            url = normalize_url(queue.pop(0))
            if url in visited:
                continue
            visited.add(url)
            for link in self._discover(source, url, parse_sitemap):
                if link.kind == "sitemap":
                    queue.append(link.url)
                else:
                    yield link

    def _discover(
        self, source: Source, url: str, parse: Callable[[bytes, str], list[Link]]
    ) -> list[Link]:
        """The links of one feed, sitemap or URL list, fetched conditionally. On 304 it is not
        parsed and nothing new is discovered: it gives the links it listed when it last changed
        (remembered in feed_state), so their articles are still re-checked for updates with
        their own conditional requests, a crawl killed half-way still finishes them on the next
        pass, and a sitemap index still leads to its children, which change on their own.
        """
        try:
            state, remembered = feed_state(self.db, url)
            result = self.fetcher.fetch(
                url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                allow_private=source.allow_private,
                delay=source.delay,
            )
            if result.not_modified:
                self.summary.feeds_not_modified += 1
                touch_feed_state(self.db, url)
                return remembered
            links = parse(result.content, url)
            validators = FetchState(result.etag, result.last_modified)
            save_feed_state(self.db, url, feed_kind(parse, links), validators, links)
            return links
        except NewsfactsError as error:
            self._error(url, "discover", str(error))
        except Exception as error:  # a bug must not end a months-long unattended schedule
            self._error(url, "discover", f"unexpected {error.__class__.__name__}: {error}")
        return []

    # --- articles ---------------------------------------------------------------------------

    def process(self, candidate: Candidate) -> Outcome:
        """Fetch, parse, extract and store one article; failures become error rows."""
        source = self.sources[candidate.source]
        stage: Stage = "fetch"
        self._last = time.perf_counter()
        try:
            state = fetch_state(self.db, candidate.url)
            result = self.fetcher.fetch(
                candidate.url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                allow_private=source.allow_private,
                delay=source.delay,
            )
            self.summary.fetched += 1
            if result.not_modified:
                self.summary.not_modified += 1
                self.summary.unchanged += 1
                self.counts.unchanged += 1
                self._lap("fetch")
                return "unchanged"
            self._lap("fetch")
            stage = "parse"
            mime = (result.content_type or "text/html").split(";")[0].strip().lower()
            if mime not in PAGE_TYPES:
                raise ParseError(f"not a page: content type {mime}", url=candidate.url)
            binary = looks_binary(result.content)
            if binary:
                raise ParseError(f"not a page: {binary} served as {mime}", url=candidate.url)
            if mime == "text/plain":  # page copy served as text: line structure, not markup
                article = parse_text(
                    result.text, url=result.final_url, published=candidate.published
                )
            else:
                article = parse_html(
                    result.text,
                    url=result.final_url,
                    published_hint=candidate.published,
                    adapter=source.adapter,
                )
            if not article.text.strip():
                raise ParseError("no article text found on the page", url=candidate.url)
            article = article.model_copy(update={"url": candidate.url})
            self._lap("parse")
            stage = "extract"
            facts = extract_facts(article)
            self._lap("extract")
            stage = "store"
            saved = save_article(
                self.db,
                article,
                facts,
                http_status=result.status,
                etag=result.etag,
                last_modified=result.last_modified,
                source=source.name,
                run_id=self.run_id,
            )
            self._lap("store")
        except NewsfactsError as error:
            self._lap(stage)
            self._error(candidate.url, stage, str(error))
            return "error"
        except Exception as error:  # a bug in one stage must not stop the run; record it
            self._lap(stage)
            self._error(candidate.url, stage, f"unexpected {error.__class__.__name__}: {error}")
            return "error"
        self.counts.add(saved)
        if saved.status == "unchanged":
            self.summary.unchanged += 1
        elif saved.status == "duplicate":
            self.summary.duplicates += 1
        elif saved.status == "updated":
            self.summary.updated_articles += 1
        else:
            self.summary.new_articles += 1
        self.summary.new_facts += saved.facts_written
        return saved.status

    def _lap(self, stage: Stage) -> None:
        now = time.perf_counter()
        self.summary.seconds[stage] = self.summary.seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def _error(self, url: str, stage: Stage, message: str) -> None:
        self.summary.errors += 1
        self.counts.errors += 1
        if len(self.summary.failures) < 100:
            self.summary.failures.append(message[:500])
        record_error(self.db, self.run_id, url, stage, message[:2000])

    def finish(self, status: str = "done") -> CrawlSummary:
        finish_run(self.db, self.run_id, self.counts, status=status)
        if self.own_fetcher:
            self.fetcher.close()
        return self.summary


def feed_kind(parse: Callable[[bytes, str], list[Link]], links: list[Link]) -> str:
    if parse is parse_sitemap:
        return "sitemap index" if any(link.kind == "sitemap" for link in links) else "sitemap"
    return "feed" if parse is parse_feed else "url list"


def crawl(
    db: sqlite_utils.Database,
    config: SourcesConfig,
    fetcher: Fetcher | None = None,
    kind: str = "crawl",
) -> CrawlSummary:
    """One full pass without a progress bar (tests, the benchmark, library users)."""
    run = Crawl(db, config, fetcher, kind=kind)
    status = "interrupted"
    try:
        for candidate in run.discover():
            run.process(candidate)
        status = "done"
    finally:
        summary = run.finish(status)
    return summary


def url_config(urls: list[str], allow_private: bool | list[str] = False) -> SourcesConfig:
    """A one-off source of URLs given on the command line (`newsfacts ingest URL...`)."""
    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise InputError(f"{bad[0]}: only http and https URLs can be fetched")
    return SourcesConfig(
        fetch=FetchPolicy(allow_private=allow_private),
        source=[Source(name="command line", urls=urls, allow_private=allow_private)],
    )


# --- one crawl at a time ----------------------------------------------------------------------


class CrawlLock:
    """An exclusive lock file beside the database, held for the length of a crawl.

    flock, not "create the file if absent": the kernel drops the lock when the process dies,
    even by SIGKILL, so a crash never leaves a stale lock that blocks every later crawl.
    """

    def __init__(self, db_path: Path | str) -> None:
        self.path = Path(f"{db_path}.crawl.lock")
        self.handle: int | None = None

    def __enter__(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(handle)
            raise CrawlLocked(
                f"another crawl (pid {holder}) is running on this database (lock {self.path});"
                " this one exits. Wait for it to finish."
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, str(os.getpid()).encode(), 0)
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            os.ftruncate(self.handle, 0)
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


# --- schedule ---------------------------------------------------------------------------------

INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
UNIT_SECONDS = {"": 60, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """'30m' -> 1800.0; units s, m, h, d (a bare number is minutes)."""
    match = INTERVAL.match(text.lower())
    if not match or float(match[1]) <= 0:
        raise InputError(f"{text!r} is not an interval; use e.g. 90s, 30m, 6h or 1d")
    return float(match[1]) * UNIT_SECONDS[match[2]]


def every(
    interval: float,
    job: Callable[[], None],
    sleep: Callable[[float], None] = time.sleep,
    passes: int | None = None,
) -> None:
    """Run `job` now and then every `interval` seconds, start to start (a slow pass shortens
    the wait rather than drifting the schedule); `passes` bounds it for tests."""
    done = 0
    while passes is None or done < passes:
        started = time.monotonic()
        job()
        done += 1
        if passes is not None and done >= passes:
            break
        sleep(max(0.0, interval - (time.monotonic() - started)))

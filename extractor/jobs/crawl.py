"""Crawling: for each source, discover -> fetch, then each page through the pipeline.

Discovery and fetching live here; parse -> extract -> store, and the catch that turns one
article's failure into an error row while the run goes on, are the pipeline's (`process`,
`recording`). A run row keeps the tallies. The library never prints: `crawl` reports its
progress through a callback, and returns the summary.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import sqlite_utils

from extractor.errors import CrawlLocked, InputError, NewsfactsError
from extractor.ingest.discover import Link, parse_feed, parse_sitemap, parse_url_list
from extractor.ingest.fetch import Fetcher, FetchPolicy
from extractor.ingest.urls import host_of, is_http_url, normalize_url
from extractor.jobs.sources import Source, SourcesConfig
from extractor.models import Model
from extractor.pipeline import (
    Failure,
    FetchedPage,
    Outcome,
    Run,
    process,
    record_failure,
    recording,
)
from extractor.store.db import FetchState, fetch_state
from extractor.store.feeds import feed_state, save_feed_state, touch_feed_state

MAX_SITEMAPS = 50  # per source and run: an index of indexes cannot send us round forever
# on_progress(done, total): after discovery (0 done) and after each article.
Progress = Callable[[int, int], object]


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
    skipped: int = 0  # URLs of hosts that timed out earlier in the run, not asked again
    failures: list[str] = []  # the first error messages, for a one-off `ingest` to show
    truncated: list[str] = []  # pages whose text was cut short (a paywall, or over the cap)
    seconds: dict[str, float] = {}  # wall time spent in each article stage (fetch, parse, ...)

    def line(self) -> str:
        feeds = f", feeds unchanged {self.feeds_not_modified}" if self.feeds_not_modified else ""
        return (
            f"fetched {self.fetched}, unchanged {self.unchanged}, new articles "
            f"{self.new_articles}, updated {self.updated_articles}, duplicates "
            f"{self.duplicates}, new facts {self.new_facts}, errors {self.errors}{feeds}"
            + (f", skipped {self.skipped} (slow hosts)" if self.skipped else "")
        )

    def counted(self, run: Run) -> CrawlSummary:
        """This summary with the run's tallies of stored articles, errors and stage times."""
        counts = run.counts
        return self.model_copy(
            update={
                "unchanged": counts.unchanged,
                "new_articles": counts.new,
                "updated_articles": counts.updated,
                "duplicates": counts.duplicate,
                "new_facts": counts.facts_written,
                "errors": counts.errors,
                "failures": list(run.failures),
                "truncated": list(run.truncated),
                "seconds": dict(run.seconds),
            }
        )


class Crawl:
    """One pass over a set of sources against one database."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: SourcesConfig,
        fetcher: Fetcher | None = None,
        kind: str = "crawl",
        run: Run | None = None,
    ) -> None:
        """`run`: carry on a run already started (`ingest` of files and URLs is one run)."""
        self.db = db
        self.sources = {s.name: s for s in config.source}
        self.fetcher = fetcher or Fetcher(config.fetch)
        self.own_fetcher = fetcher is None
        self.run = run or Run.start(db, kind)
        self.summary = CrawlSummary(run_id=self.run.id)
        self.skipped_hosts: set[str] = set()

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
        with recording(self.db, self.run, url, "discover", timed=False):  # articles are timed
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
        return []

    # --- articles ---------------------------------------------------------------------------

    def process(self, candidate: Candidate) -> Outcome:
        """Fetch one article, then parse, extract and store it through the pipeline; failures
        become error rows."""
        source = self.sources[candidate.source]
        host = host_of(candidate.url)
        if host in self.fetcher.timed_out:
            return self._skip(candidate.url, host)
        self.run.clock_in()
        with recording(self.db, self.run, candidate.url, "fetch") as step:
            state = fetch_state(self.db, candidate.url)
            result = self.fetcher.fetch(
                candidate.url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                allow_private=source.allow_private,
                delay=source.delay,
            )
            self.summary.fetched += 1
            self.run.lap("fetch")
            if result.not_modified:
                self.summary.not_modified += 1
                self.run.counts.unchanged += 1
                return "unchanged"
        if step.failed:
            return "error"
        page = FetchedPage(
            url=candidate.url,
            result=result,
            published=candidate.published,
            adapter=source.adapter,
            source=source.name,
        )
        return process(self.db, page, self.run)

    def _skip(self, url: str, host: str) -> Outcome:
        """A host that timed out is not asked again this run: one that trickles bytes would
        cost the whole time cap for each of its URLs. One error row says so, at the first URL
        skipped; the skipped URLs are fetched again next run."""
        self.summary.skipped += 1
        if host not in self.skipped_hosts:
            self.skipped_hosts.add(host)
            why = self.fetcher.timed_out[host]
            message = f"{host} timed out earlier in this run ({why}); its remaining URLs are"
            record_failure(
                self.db, self.run, Failure(url, "fetch", f"{message} skipped until the next run")
            )
        return "error"

    def finish(self, status: str = "done") -> CrawlSummary:
        self.run.finish(self.db, status)
        if self.own_fetcher:
            self.fetcher.close()
        return self.summary.counted(self.run)


def feed_kind(parse: Callable[[bytes, str], list[Link]], links: list[Link]) -> str:
    if parse is parse_sitemap:
        return "sitemap index" if any(link.kind == "sitemap" for link in links) else "sitemap"
    return "feed" if parse is parse_feed else "url list"


def crawl(
    db: sqlite_utils.Database,
    config: SourcesConfig,
    fetcher: Fetcher | None = None,
    kind: str = "crawl",
    *,
    run: Run | None = None,
    on_progress: Progress | None = None,
) -> CrawlSummary:
    """One full pass: discover, then fetch each article and put it through the pipeline.
    The run row is closed as "interrupted" if the pass is (Ctrl-C), "done" otherwise."""
    job = Crawl(db, config, fetcher, kind=kind, run=run)
    status = "interrupted"
    try:
        candidates = job.discover()
        if on_progress is not None:
            on_progress(0, len(candidates))
        for done, candidate in enumerate(candidates, 1):
            job.process(candidate)
            if on_progress is not None:
                on_progress(done, len(candidates))
        status = "done"
    finally:
        summary = job.finish(status)
    return summary


def crawl_pass(
    db: sqlite_utils.Database,
    db_path: Path,
    config: SourcesConfig,
    on_progress: Progress | None = None,
) -> CrawlSummary:
    """One `crawl` holding the lock beside the database (CrawlLocked if another crawl runs)."""
    with CrawlLock(db_path):
        return crawl(db, config, on_progress=on_progress)


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
    job: Callable[[], object],
    sleep: Callable[[float], None] = time.sleep,
    passes: int | None = None,
    on_error: Callable[[NewsfactsError], object] | None = None,
) -> None:
    """Run `job` now and then every `interval` seconds, start to start (a slow pass shortens
    the wait rather than drifting the schedule); `passes` bounds it for tests. With
    `on_error`, a pass that raises one of our errors (the lock is held, the database is busy)
    is handed to it and skipped, and the schedule goes on."""
    done = 0
    while passes is None or done < passes:
        started = time.monotonic()
        try:
            job()
        except NewsfactsError as error:
            if on_error is None:
                raise
            on_error(error)
        done += 1
        if passes is not None and done >= passes:
            break
        sleep(max(0.0, interval - (time.monotonic() - started)))

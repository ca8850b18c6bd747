"""The one place that runs the stages for an article: parse -> extract -> store.

Every path goes through here, so the same page gives the same facts and the same failure
gives the same error row whoever ran it:

    extract_document(raw, url, published)     # parse + extract, nothing stored (`extract`, eval)
    process(db, document, run) -> Outcome     # parse + extract + store one fetched or read page
    reextract_stored(db, ids, version, turn)  # extract + store again articles already stored

`process` is also the one per-article catch-and-record: whatever one article raises (one of
our errors, or a bug) becomes a row in `errors` with its URL, stage and message, and the run
goes on. Jobs that do a stage of their own before it (the crawl fetches) wrap that stage in
`recording`, the same catch. Fetching and discovery stay with the jobs (`jobs/`).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from functools import partial
from typing import Literal, NamedTuple

import sqlite_utils

from extractor.errors import ExtractTimeout, NewsfactsError, ParseError, StoreError
from extractor.extract.facts import extract_facts
from extractor.ingest.charset import looks_binary
from extractor.ingest.fetch import FetchResult
from extractor.models import Article, ArticleSummary, ExtractResult, Model
from extractor.parse.document import parse_document
from extractor.parse.html import parse_html
from extractor.parse.text import parse_text
from extractor.store.bulk import article_rows
from extractor.store.db import (
    SaveResult,
    article_from_row,
    fact_row,
    replace_facts,
    save_article,
)
from extractor.store.runs import RunCounts, finish_run, record_error, start_run

Stage = Literal["discover", "fetch", "parse", "extract", "store"]
Outcome = Literal["new", "updated", "unchanged", "duplicate", "error"]
# Content types we parse as pages; anything else (PDF, images) is recorded, not parsed.
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
# Seconds one article may spend in extraction before it is recorded as an error and the run
# goes on. A real article takes well under a second; a hostile 150,000-character page of one
# repeated sentence takes ~20 s on a loaded 2-core machine and must still be stored.
EXTRACT_BUDGET_SECONDS = 60.0
KEPT_FAILURES = 100  # failure messages a run keeps in memory, for a one-off `ingest` to show


# --- parse + extract, nothing stored ------------------------------------------------------------


def read_document(
    raw: str, url: str | None = None, published: date | None = None, *, title: str | None = None
) -> Article:
    """A saved page or pasted text as an Article (HTML or plain text, told apart by looking).
    `published` overrides the page's own date; `title` is used when the page gives none."""
    article = parse_document(raw, url=url, published=published)
    if title and not article.title:
        article = article.model_copy(update={"title": title})
    return article


def extract_document(
    raw: str, url: str | None = None, published: date | None = None, *, title: str | None = None
) -> ExtractResult:
    """Parse a page or plain text and extract its facts."""
    article = read_document(raw, url=url, published=published, title=title)
    return ExtractResult(article=ArticleSummary.of(article), facts=extract_facts(article))


# --- documents on their way to the store --------------------------------------------------------


class FetchedPage(Model):
    """A page the crawl fetched, with what its source says about parsing and keeping it."""

    url: str  # as discovered: the article's `url` and the URL of its error rows
    result: FetchResult
    published: date | None = None  # a feed's date, used when the page's metadata gives none
    adapter: str | None = None  # site adapter; by default the final URL's host picks one
    source: str | None = None  # the source's name, kept with the article


class SavedPage(Model):
    """A page or text read from a file (or stdin) by `ingest`."""

    url: str  # the file's URI: the canonical URL when the page declares none, and error rows'
    raw: str
    published: date | None = None  # overrides the page's own date


Document = FetchedPage | SavedPage


def parse_page(page: FetchedPage) -> Article:
    """Parse a fetched page by its content type (HTML, or text copy as lines) with the source's
    adapter; ParseError for what is not an article page (a PDF, an image, no text at all)."""
    result = page.result
    mime = (result.content_type or "text/html").split(";")[0].strip().lower()
    if mime not in PAGE_TYPES:
        raise ParseError(f"not a page: content type {mime}", url=page.url)
    binary = looks_binary(result.content)
    if binary:
        raise ParseError(f"not a page: {binary} served as {mime}", url=page.url)
    if mime == "text/plain":  # page copy served as text: line structure, not markup
        article = parse_text(result.text, url=result.final_url, published=page.published)
    else:
        article = parse_html(
            result.text,
            url=result.final_url,
            published_hint=page.published,
            adapter=page.adapter,
        )
    if not article.text.strip():
        raise ParseError("no article text found on the page", url=page.url)
    return article.model_copy(update={"url": page.url})


def parse_saved(page: SavedPage) -> Article:
    """Parse a saved page; an article without a canonical URL of its own is known by its file."""
    article = read_document(page.raw, published=page.published)
    return article.model_copy(update={"canonical_url": article.canonical_url or page.url})


def save(
    db: sqlite_utils.Database, document: Document, article: Article, facts: list, run_id: int
) -> SaveResult:
    if isinstance(document, SavedPage):
        return save_article(db, article, facts, run_id=run_id)
    result = document.result
    return save_article(
        db,
        article,
        facts,
        http_status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        source=document.source,
        run_id=run_id,
    )


# --- runs and failures --------------------------------------------------------------------------


class Failure(NamedTuple):
    """One article that did not make it, as its error row will say."""

    url: str | None
    stage: Stage
    message: str


def failure(url: str | None, stage: Stage, error: BaseException) -> Failure:
    """The one wording of a failure: our errors say what went wrong already; anything else is
    a bug, named as one."""
    if isinstance(error, NewsfactsError):
        return Failure(url, stage, str(error))
    return Failure(url, stage, f"unexpected {error.__class__.__name__}: {error}")


class Run:
    """A run row being filled in: its id, its tallies, the first failure messages and the wall
    time spent in each stage. `Run.start` writes the row, `finish` closes it."""

    def __init__(self, run_id: int) -> None:
        self.id = run_id
        self.counts = RunCounts()
        self.failures: list[str] = []
        self.truncated: list[str] = []  # URLs whose text was cut short (paywall, size cap)
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    @classmethod
    def start(cls, db: sqlite_utils.Database, kind: str, *, version: str | None = None) -> Run:
        return cls(start_run(db, kind, version=version))

    def clock_in(self) -> None:
        """Start timing a new article (time between articles counts for no stage)."""
        self._last = time.perf_counter()

    def lap(self, stage: Stage) -> None:
        """Charge the time since the last lap to `stage`."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now

    def finish(self, db: sqlite_utils.Database, status: str = "done") -> None:
        finish_run(db, self.id, self.counts, status=status)


def record_failure(db: sqlite_utils.Database, run: Run, failed: Failure) -> None:
    """Keep a failure as an error row of the run (and its message for the run's summary)."""
    run.counts.errors += 1
    if len(run.failures) < KEPT_FAILURES:
        run.failures.append(failed.message[:500])
    record_error(db, run.id, failed.url, failed.stage, failed.message[:2000])


class Step:
    """The stage an article is in, and whether a stage failed."""

    def __init__(self, stage: Stage) -> None:
        self.stage: Stage = stage
        self.failed = False


@contextmanager
def attempt(
    url: str | None,
    stage: Stage,
    on_failure: Callable[[Failure], object],
    run: Run | None = None,
) -> Iterator[Step]:
    """Run one article's stages; whatever they raise is handed to `on_failure` as a Failure
    in the stage reached (set `step.stage` as it moves on) and goes no further."""
    step = Step(stage)
    try:
        yield step
    except Exception as error:  # one article, even a bug in a stage, must not stop the run
        if run is not None:
            run.lap(step.stage)
        step.failed = True
        on_failure(failure(url, step.stage, error))


def recording(
    db: sqlite_utils.Database, run: Run, url: str | None, stage: Stage, *, timed: bool = True
) -> AbstractContextManager[Step]:
    """`attempt`, each failure kept as an error row of `run` (and, `timed`, the time to the
    failure charged to the failing stage, as a success's is)."""
    return attempt(url, stage, partial(record_failure, db, run), run if timed else None)


# --- parse + extract + store --------------------------------------------------------------------


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ExtractTimeout in this block once `seconds` have passed (a real-time alarm; only
    the main thread receives signals, so elsewhere the block runs unbounded)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ExtractTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    earlier, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:  # the alarm off first: one firing now would escape from here
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
            if earlier:  # a caller's own timer goes on, less the time spent here
                left = earlier - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def process(
    db: sqlite_utils.Database,
    document: Document,
    run: Run,
    *,
    budget: float = EXTRACT_BUDGET_SECONDS,
) -> Outcome:
    """Parse, extract and store one document; a failure becomes an error row and "error".
    Extraction past `budget` seconds is such a failure."""
    with recording(db, run, document.url, "parse") as step:
        if isinstance(document, FetchedPage):
            article = parse_page(document)
        else:
            article = parse_saved(document)
        run.lap("parse")
        if article.truncated and len(run.truncated) < KEPT_FAILURES:
            run.truncated.append(document.url)
        step.stage = "extract"
        with time_budget(budget):
            facts = extract_facts(article)
        run.lap("extract")
        step.stage = "store"
        saved = save(db, document, article, facts, run.id)
        run.lap("store")
        run.counts.add(saved)
        return saved.status
    return "error"


class BatchOutcome(NamedTuple):
    articles: int  # articles whose facts were swapped
    facts_written: int
    failures: list[Failure]


def reextract_stored(
    db: sqlite_utils.Database,
    ids: list[int],
    version: str,
    write_turn: AbstractContextManager,
) -> BatchOutcome:
    """Extract the stored articles `ids` again and swap their facts in one transaction, taken
    inside `write_turn`. An article that fails keeps its old facts and comes back as a Failure
    (the caller records them: a worker process has no run of its own)."""
    swaps: list[tuple[int, list[dict]]] = []
    failures: list[Failure] = []
    urls: list[str | None] = []
    for row in article_rows(db, ids):
        with attempt(row["url"], "extract", failures.append):
            article = article_from_row(row)
            with time_budget(EXTRACT_BUDGET_SECONDS):
                facts = extract_facts(article)
            swaps.append((row["id"], [fact_row(row["id"], f, version, article) for f in facts]))
            urls.append(row["url"])
    try:
        with write_turn:
            written = replace_facts(db, swaps, version)
    except StoreError as error:  # e.g. another program held the write lock too long
        return BatchOutcome(0, 0, failures + [failure(url, "store", error) for url in urls])
    return BatchOutcome(len(swaps), written, failures)

"""One-off ingestion (`newsfacts ingest`): files and URLs given by hand, as one run.

A file is read, then goes through the pipeline as a crawled page does; URLs are crawled as a
source of their own. A file that cannot be read or parsed becomes an error row of the run,
and the others are still stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import sqlite_utils

from extractor.ingest.files import read_source
from extractor.jobs.crawl import CrawlSummary, crawl, url_config
from extractor.pipeline import Outcome, Run, SavedPage, process, recording

WEB_SCHEMES = ("http://", "https://")


def ingest(
    db: sqlite_utils.Database,
    sources: Sequence[str],
    *,
    published: date | None = None,
    allow_private: bool | list[str] = False,
) -> CrawlSummary:
    """Store each file (or '-' for stdin) and URL in `sources`, files first, in one run."""
    urls = [s for s in sources if s.startswith(WEB_SCHEMES)]
    config = url_config(urls, allow_private) if urls else None  # refuse bad URLs up front
    run = Run.start(db, "ingest")
    status = "interrupted"
    try:
        for source in sources:
            if not source.startswith(WEB_SCHEMES):
                ingest_file(db, run, source, published)
        status = "done"
    finally:
        if config is None or status != "done":
            run.finish(db, status)
    if config is None:
        return CrawlSummary(run_id=run.id).counted(run)
    return crawl(db, config, run=run)


def ingest_file(
    db: sqlite_utils.Database, run: Run, source: str, published: date | None = None
) -> Outcome:
    """Read one file and put it through the pipeline; `published` overrides the page's date.
    An article without a canonical URL of its own is known by the file's URI."""
    uri = Path(source).resolve().as_uri()
    run.clock_in()
    with recording(db, run, uri, "fetch") as step:
        raw = read_source(source)
        run.lap("fetch")
    if step.failed:
        return "error"
    return process(db, SavedPage(url=uri, raw=raw, published=published), run)

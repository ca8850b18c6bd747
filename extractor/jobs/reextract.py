"""Re-run extraction on stored articles whose facts came from an older patterns version.

Workers (one process per core by default) each take a batch of article ids, read the
articles, extract, and swap the batch's facts in one transaction of their own. SQLite has one
writer at a time, so the workers take turns at writing through a lock, which hands the turn
over at once where SQLite's own busy wait would poll and sleep. Writing in the workers keeps
the parent idle: when the parent alone wrote, it became the bottleneck on a large store (and
the fact rows it had to receive, unpickle and write piled up in its memory). An interrupted
run leaves every article either fully old or fully new, and a rerun picks up the rest (it
selects by patterns version).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from extractor.errors import InputError
from extractor.patterns import patterns_version
from extractor.pipeline import BatchOutcome, Run, record_failure, reextract_stored
from extractor.store.bulk import open_bulk_writer, stale_article_ids
from extractor.store.db import checkpoint, open_db

# Articles per task, and so per write transaction: large enough that inter-process overhead
# and per-commit cost are small next to extraction (a commit rewrites the index and full-text
# pages the batch touched, so sixteen articles a commit cost 2.5 ms an article to commit and
# sixty-four 0.3 ms), small enough that the progress bar moves, the workers stay evenly
# loaded and a writer holds the turn for a fraction of a second.
BATCH = 64


class ReextractResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: int
    articles: int
    facts_written: int
    errors: int
    workers: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.articles} article(s) re-extracted, {self.facts_written} fact(s) written, "
            f"{self.errors} error(s), {self.workers} worker(s), {self.seconds:.1f}s"
        )


def stale_ids(db_path: Path, version: str, *, everything: bool = False) -> list[int]:
    """Ids of articles whose facts were extracted with another patterns version."""
    db = open_db(db_path)
    try:
        return stale_article_ids(db, version, everything=everything)
    finally:
        db.close()


def reextract(
    db_path: Path,
    *,
    workers: int | None = None,
    version: str | None = None,
    everything: bool = False,
    on_progress: Callable[[int, int], object] | None = None,
) -> ReextractResult:
    """Re-extract stale articles (all with `everything`); `on_progress(done, total)` before
    the first batch and after each."""
    if not Path(db_path).is_file():  # opening would create an empty store, and say nothing
        raise InputError(f"{db_path}: no database yet; run `newsfacts ingest` or `crawl` first")
    started = time.perf_counter()
    version = version or patterns_version()
    ids = stale_ids(db_path, version, everything=everything)
    workers = max(1, workers or os.cpu_count() or 1)
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    workers = min(workers, max(1, len(batches)))
    # The pool is forked before the parent opens its connection, so no worker ever inherits
    # an open SQLite handle.
    context = _context()
    write_turn = context.Lock()
    pool = _pool(context, workers, db_path, version, write_turn) if workers > 1 else None
    try:
        db = open_db(db_path)
        run = Run.start(db, "reextract", version=version)
    except BaseException:  # no run to close, but the forked workers must not outlive us
        if pool is not None:
            pool.terminate()
            pool.join()
        raise
    status = "failed"
    done = 0
    try:
        if on_progress is not None:
            on_progress(0, len(ids))
        if pool is None:
            _init_worker(str(db_path), version, write_turn)
            outcomes: Iterable[BatchOutcome] = map(_reextract_batch, batches)
        else:
            outcomes = pool.imap_unordered(_reextract_batch, batches)
        for outcome in outcomes:
            run.counts.updated += outcome.articles
            run.counts.facts_written += outcome.facts_written
            for failed in outcome.failures:
                record_failure(db, run, failed)
            done += outcome.articles + len(outcome.failures)
            if on_progress is not None:
                on_progress(done, len(ids))
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if pool is not None:
            pool.terminate() if status != "done" else pool.close()
            pool.join()
        else:
            _close_worker()
        run.finish(db, status)
        checkpoint(db)
        db.close()
    return ReextractResult(
        run_id=run.id,
        articles=run.counts.updated,
        facts_written=run.counts.facts_written,
        errors=run.counts.errors,
        workers=workers,
        seconds=round(time.perf_counter() - started, 3),
    )


def _context() -> multiprocessing.context.BaseContext:
    # fork: workers start in milliseconds and share the parent's loaded code; spawn would
    # re-import spaCy in every worker. Fall back to spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _pool(
    context: multiprocessing.context.BaseContext,
    workers: int,
    db_path: Path,
    version: str,
    write_turn: AbstractContextManager,
) -> multiprocessing.pool.Pool:
    return context.Pool(
        workers, initializer=_init_worker, initargs=(str(db_path), version, write_turn)
    )


# --- worker side ------------------------------------------------------------------------------

_db: sqlite_utils.Database | None = None
_version = ""
_write_turn: AbstractContextManager | None = None


def _init_worker(db_path: str, version: str, write_turn: AbstractContextManager) -> None:
    global _db, _version, _write_turn
    _db = open_bulk_writer(db_path)
    _version = version
    _write_turn = write_turn


def _close_worker() -> None:
    global _db
    if _db is not None:
        _db.close()
        _db = None


def _reextract_batch(ids: list[int]) -> BatchOutcome:
    assert _db is not None and _write_turn is not None, "worker not initialised"
    return reextract_stored(_db, ids, _version, _write_turn)

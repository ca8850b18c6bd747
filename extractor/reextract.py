"""Re-run extraction on stored articles whose facts came from an older patterns version.

Workers (one process per core by default) read articles through their own read-only
connections and extract; the parent alone writes, because SQLite has one writer and the parent
keeping it avoids lock contention. Each article's facts are swapped in one transaction, so an
interrupted run leaves every article either fully old or fully new, and a rerun picks up the
rest (it selects by patterns version).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from extractor.extract import extract_facts
from extractor.patterns import patterns_version
from extractor.store import (
    RunCounts,
    article_from_row,
    fact_row,
    finish_run,
    open_db,
    record_error,
    replace_facts,
    start_run,
)

# Articles per task: large enough that inter-process overhead is small next to extraction,
# small enough that the progress bar moves and the workers stay evenly loaded.
BATCH = 16
# Batches a worker may have extracted or queued ahead of the writer.
IN_FLIGHT_PER_WORKER = 4

# (article id, url, fact rows or None, error message or None)
Outcome = tuple[int, str | None, list[dict] | None, str | None]


class ReextractResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run_id: int
    articles: int
    facts_written: int
    errors: int
    workers: int
    seconds: float


def stale_ids(db_path: Path, version: str, *, everything: bool = False) -> list[int]:
    """Ids of articles whose facts were extracted with another patterns version."""
    db = open_db(db_path)
    try:
        sql = "select id from articles"
        params: list[str] = []
        if not everything:
            sql += " where patterns_version is null or patterns_version != ?"
            params = [version]
        return [row[0] for row in db.execute(sql + " order by id", params).fetchall()]
    finally:
        db.close()


def reextract(
    db_path: Path,
    *,
    workers: int | None = None,
    version: str | None = None,
    everything: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ReextractResult:
    """Re-extract stale articles (all with `everything`); `progress(n)` after each n done."""
    started = time.perf_counter()
    version = version or patterns_version()
    ids = stale_ids(db_path, version, everything=everything)
    workers = max(1, workers or os.cpu_count() or 1)
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    workers = min(workers, max(1, len(batches)))
    # The pool is forked before the parent opens its writing connection, so no worker ever
    # inherits an open SQLite handle.
    pool = _pool(workers, db_path, version) if workers > 1 else None
    db = open_db(db_path)
    run_id = start_run(db, "reextract", version=version)
    counts = RunCounts()
    status = "failed"
    # At most a few batches per worker in flight: the pool's feeder thread takes a slot per
    # batch sent and the writer frees it per batch written. Unbounded, the workers outran the
    # single writer and their results piled up in the parent (880 MB over 100,000 articles).
    in_flight = threading.Semaphore(IN_FLIGHT_PER_WORKER * workers)
    try:
        if pool is None:
            _init_worker(str(db_path), version)
            outcomes: Iterable[list[Outcome]] = map(_extract_batch, batches)
        else:
            outcomes = pool.imap_unordered(_extract_batch, _metered(batches, in_flight))
        for outcome in _flatten(outcomes, progress, in_flight if pool is not None else None):
            article_id, url, rows, error = outcome
            if rows is None:
                record_error(db, run_id, url, "extract", error or "unknown error")
                counts.errors += 1
                continue
            counts.facts_written += replace_facts(db, article_id, rows, version)
            counts.updated += 1
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if pool is not None:
            in_flight.release(max(1, len(batches)))  # a waiting feeder must not block join
            pool.terminate() if status != "done" else pool.close()
            pool.join()
        else:
            _close_worker()
        finish_run(db, run_id, counts, status=status)
        db.close()
    return ReextractResult(
        run_id=run_id,
        articles=counts.updated,
        facts_written=counts.facts_written,
        errors=counts.errors,
        workers=workers,
        seconds=round(time.perf_counter() - started, 3),
    )


def _metered(batches: list[list[int]], slots: threading.Semaphore) -> Iterator[list[int]]:
    for batch in batches:
        slots.acquire()
        yield batch


def _flatten(
    outcomes: Iterable[list[Outcome]],
    progress: Callable[[int], None] | None,
    slots: threading.Semaphore | None = None,
) -> Iterator[Outcome]:
    for batch in outcomes:
        yield from batch
        if slots is not None:
            slots.release()
        if progress is not None:
            progress(len(batch))


def _pool(workers: int, db_path: Path, version: str) -> multiprocessing.pool.Pool:
    # fork: workers start in milliseconds and share the parent's loaded code; spawn would
    # re-import spaCy in every worker. Fall back to spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return context.Pool(workers, initializer=_init_worker, initargs=(str(db_path), version))


# --- worker side ------------------------------------------------------------------------------

_reader: sqlite3.Connection | None = None
_version = ""


def _init_worker(db_path: str, version: str) -> None:
    global _reader, _version
    uri = Path(db_path).resolve().as_uri() + "?mode=ro"
    _reader = sqlite3.connect(uri, uri=True, timeout=30)
    _reader.row_factory = sqlite3.Row
    _version = version


def _close_worker() -> None:
    global _reader
    if _reader is not None:
        _reader.close()
        _reader = None


def _extract_batch(ids: list[int]) -> list[Outcome]:
    assert _reader is not None, "worker not initialised"
    marks = ",".join("?" * len(ids))
    rows = _reader.execute(f"select * from articles where id in ({marks})", ids).fetchall()
    outcomes: list[Outcome] = []
    for row in rows:
        try:
            article = article_from_row(row)
            facts = extract_facts(article)
            fact_rows = [fact_row(row["id"], f, _version, article) for f in facts]
            outcomes.append((row["id"], row["url"], fact_rows, None))
        except Exception as exc:  # one bad article must not end the run; it is recorded
            outcomes.append((row["id"], row["url"], None, f"{type(exc).__name__}: {exc}"))
    return outcomes

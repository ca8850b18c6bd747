"""Reads and writes of re-extraction: which articles are stale, the stored articles of a batch,
and a connection tuned for rewriting many articles' facts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from extractor.store.db import open_db

# A bulk writer's page cache (KiB; SQLite's default is 2 MiB): the facts' indexes and full-text
# index are written all over, and pages read once stay at hand for the rest of the batch.
BULK_CACHE_KIB = 64 * 1024
# WAL pages before a checkpoint copies them into the database (SQLite's default is 1,000):
# a bulk rewrite touches the same index pages again and again, and each checkpoint copied
# them once more. Whoever runs the bulk job checkpoints once at the end (`checkpoint`), so
# the WAL does not stay large.
BULK_AUTOCHECKPOINT_PAGES = 20_000


def stale_article_ids(
    db: sqlite_utils.Database, version: str, *, everything: bool = False
) -> list[int]:
    """Ids of articles whose facts were extracted with another patterns version (every
    article's with `everything`), in id order."""
    sql = "select id from articles"
    params: list[str] = []
    if not everything:
        sql += " where patterns_version is null or patterns_version != ?"
        params = [version]
    return [row[0] for row in db.execute(sql + " order by id", params).fetchall()]


def open_bulk_writer(path: Path | str) -> sqlite_utils.Database:
    """The store at `path`, opened for rewriting the facts of many articles in batches."""
    db = open_db(path)
    db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    db.execute(f"PRAGMA wal_autocheckpoint = {BULK_AUTOCHECKPOINT_PAGES}")
    return db


def article_rows(db: sqlite_utils.Database, ids: list[int]) -> Iterator[dict]:
    """The stored rows of the articles `ids` (turned into Articles by `article_from_row`, one
    at a time, so a damaged row fails alone)."""
    marks = ",".join("?" * len(ids))
    yield from db.query(f"select * from articles where id in ({marks})", ids)

"""The fact store: SQLite through sqlite-utils, one transaction per article.

The library API the rest of newsfacts calls (ingest, crawl, reextract):

    db = open_db(path)
    run_id = start_run(db, "crawl", source="caixin")
    state = fetch_state(db, url)                  # FetchState(etag, last_modified) | None
    result = save_article(db, article, facts, http_status=200, etag=..., source="caixin",
                          run_id=run_id)          # SaveResult(status, article_id, facts_written)
    record_error(db, run_id, url, "fetch", "HTTP 503")   # (runs: store/runs.py)
    finish_run(db, run_id, counts)                # counts: RunCounts or a mapping

Idempotency rules for `save_article` (one article is identified by its canonical URL):
- same canonical URL, same content hash -> "unchanged": nothing is written (only a changed
  ETag/Last-Modified is remembered, so the next conditional GET can use it);
- same content already stored under another URL -> "duplicate": nothing is written;
- same canonical URL, new content -> "updated": the old version moves to `article_history`,
  the article row is rewritten in place (its id, and so every link to it, stays) and its facts
  are replaced;
- otherwise -> "new".
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from extractor.errors import PatternError, StoreError
from extractor.models import Article, Block, Fact
from extractor.patterns import load_family, patterns_version
from extractor.store import schema

DEFAULT_DB = Path("data/newsfacts.db")
# Seconds a writer waits for another writer's lock (a crawl while reextract runs) before failing.
BUSY_TIMEOUT_MS = 10_000

SaveStatus = Literal["new", "unchanged", "updated", "duplicate"]


class SaveResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: SaveStatus
    article_id: int
    facts_written: int = 0


class FetchState(NamedTuple):
    """What a conditional GET needs from the last time a URL was fetched."""

    etag: str | None
    last_modified: str | None


# SPEC.md periods: "2025", "2025-H1", "2025-Q3", "2025-10", "2025-11-03", ranges "a/b".
PERIOD = re.compile(r"^(\d{4})(?:-(?:H([12])|Q([1-4])|(\d{2}))(?:-(\d{2}))?)?$")


def period_start(period: str | None) -> str | None:
    """First day of a SPEC.md period ("2025-Q3" -> "2025-07-01"; a range -> its start)."""
    if not period:
        return None
    match = PERIOD.match(period.split("/")[0].strip())
    if not match:
        return None
    year, half, quarter, month, day = match.groups()
    if half:
        month = "01" if half == "1" else "07"
    elif quarter:
        month = f"{(int(quarter) - 1) * 3 + 1:02d}"
    return f"{year}-{month or '01'}-{day or '01'}"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- opening ----------------------------------------------------------------------------------


def open_db(path: Path | str = DEFAULT_DB) -> sqlite_utils.Database:
    """Open (creating the file if needed, not its folder) the store at `path`, in WAL mode, at
    the newest schema."""
    path = Path(path)
    if not path.parent.is_dir():  # a typo in --db must not leave a tree of new folders
        raise StoreError(
            f"cannot open database {path}: no folder {path.parent}; create it first"
            f" (mkdir -p {path.parent}) or give another --db"
        )
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = sqlite_utils.Database(conn)
        # WAL: Datasette (and other readers) keep reading while ingestion writes.
        db.enable_wal()
        # In WAL mode NORMAL stays consistent through crashes; only a power cut can drop the
        # last commits (never half of one). FULL fsyncs every commit: half of a save's time.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        schema.apply(db)
    except (sqlite3.DatabaseError, OSError) as exc:
        if conn is not None:
            conn.close()
        hint = "; is it a newsfacts SQLite file?" if isinstance(exc, sqlite3.DatabaseError) else ""
        raise StoreError(f"cannot open database {path}: {exc}{hint}") from exc
    return db


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The row id of the row `table` has just inserted."""
    if table.last_pk is None:
        raise StoreError(f"inserting into {table.name} gave no row id")
    return int(table.last_pk)


@contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, its write lock taken up front (BEGIN IMMEDIATE).

    sqlite-utils' `atomic()` begins DEFERRED: a transaction that reads before it writes (most
    inserts look up the table first) holds a snapshot, and if another process commits in
    between, upgrading to a writer fails at once with "database is locked", without waiting
    out the busy timeout. Taking the lock first makes a second writer wait its turn instead.
    Nested inside an open transaction it is a savepoint, as `atomic()` is.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise


# --- runs, sources, errors --------------------------------------------------------------------


def ensure_source(
    db: sqlite_utils.Database, name: str, *, url: str | None = None, kind: str | None = None
) -> int:
    """The id of the source called `name`, adding it on first sight."""
    rows = list(db.query("select id from sources where name = ?", [name]))
    if rows:
        return int(rows[0]["id"])
    with writing(db):
        table = db.table("sources").insert(
            {"name": name, "url": url, "kind": kind, "added_at": now()}
        )
    return inserted_id(table)


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the WAL into the database and empty it, after a bulk job that let it grow. Best
    effort: a reader still on an old snapshot keeps its pages, and the next one finishes."""
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError:
        pass


def fetch_state(db: sqlite_utils.Database, url: str) -> FetchState | None:
    """ETag and Last-Modified from the last fetch of `url` (as fetched or canonical), if any."""
    rows = list(
        db.query(
            "select etag, last_modified from articles where url = ? or canonical_url = ? "
            "order by fetched_at desc limit 1",
            [url, url],
        )
    )
    if not rows:
        return None
    return FetchState(rows[0]["etag"], rows[0]["last_modified"])


# --- articles and facts -----------------------------------------------------------------------


def article_key(article: Article) -> str:
    """The identity of an article: canonical URL, else URL, else its content hash."""
    return article.canonical_url or article.url or f"sha256:{article.content_hash}"


def save_article(
    db: sqlite_utils.Database,
    article: Article,
    facts: list[Fact],
    *,
    http_status: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    source: str | None = None,
    run_id: int | None = None,
    version: str | None = None,
) -> SaveResult:
    """Store an article and its facts in one transaction (see the module doc for the rules)."""
    version = version or patterns_version()
    key = article_key(article)
    digest = article.content_hash
    source_id = ensure_source(db, source) if source else None
    try:
        with writing(db):
            current = _one(db, "select * from articles where canonical_url = ?", [key])
            if current is not None and current["content_hash"] == digest:
                _remember_validators(db, current, etag, last_modified)
                return SaveResult(status="unchanged", article_id=current["id"])
            if current is None:
                twin = _one(db, "select id from articles where content_hash = ?", [digest])
                if twin is not None:
                    return SaveResult(status="duplicate", article_id=twin["id"])
            row = {
                "canonical_url": key,
                "url": article.url,
                "title": article.title,
                "published": article.published.isoformat() if article.published else None,
                "outlet": article.outlet,
                "source_id": source_id,
                "content_hash": digest,
                "patterns_version": version,
                "truncated": int(article.truncated),
                "fetched_at": now(),
                "http_status": http_status,
                "etag": etag,
                "last_modified": last_modified,
                "words": len(article.text.split()),
                "text": article.text,
                "blocks": encode_blocks(article.blocks),
                "run_id": run_id,
            }
            if current is None:
                article_id = inserted_id(db.table("articles").insert(row))
                status: SaveStatus = "new"
            else:
                article_id = int(current["id"])
                _archive(db, current)
                db.table("articles").update(article_id, row)
                db.execute("delete from facts where article_id = ?", [article_id])
                status = "updated"
            written = insert_facts(db, article_id, facts, version, article)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot store {key}: {exc}") from exc
    return SaveResult(status=status, article_id=article_id, facts_written=written)


def replace_facts(
    db: sqlite_utils.Database, swaps: Iterable[tuple[int, list[dict]]], version: str
) -> int:
    """Swap each (article id, new fact rows from `fact_row`) pair's facts, all in one
    transaction (reextract): a batch of articles is committed together, so an interrupted run
    leaves every article either fully old or fully new. Returns the facts written."""
    swaps = list(swaps)
    for attempt in range(2):
        try:
            return _swap_facts(db, swaps, version)
        except sqlite3.OperationalError as exc:
            # Seen when re-extraction starts just as a crawl opens the store: the first write
            # transaction of the worker's fresh connection says "no such table: facts" although
            # the table is there. Nothing was written (the transaction rolled back); the same
            # transaction again succeeds. Retried once, then it is an error like any other.
            if attempt == 0 and str(exc).startswith("no such table"):
                continue
            ids = ", ".join(str(article_id) for article_id, _ in swaps)
            raise StoreError(f"cannot replace the facts of article(s) {ids}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            ids = ", ".join(str(article_id) for article_id, _ in swaps)
            raise StoreError(f"cannot replace the facts of article(s) {ids}: {exc}") from exc
    raise AssertionError("unreachable")


def _swap_facts(
    db: sqlite_utils.Database, swaps: list[tuple[int, list[dict]]], version: str
) -> int:
    written = 0
    with writing(db):
        for article_id, rows in swaps:
            db.execute("delete from facts where article_id = ?", [article_id])
            written += insert_fact_rows(db, rows)
            db.table("articles").update(article_id, {"patterns_version": version})
    return written


def insert_facts(
    db: sqlite_utils.Database,
    article_id: int,
    facts: Iterable[Fact],
    version: str,
    article: Article,
) -> int:
    """Insert facts (inside the caller's transaction)."""
    return insert_fact_rows(db, [fact_row(article_id, fact, version, article) for fact in facts])


def insert_fact_rows(db: sqlite_utils.Database, rows: list[dict]) -> int:
    """Insert fact rows, adding any new entity names first (facts reference entities)."""
    names = {row[k] for row in rows for k in ("entity", "partner") if row[k]}
    if names:
        known = entity_lexicon()
        db.table("entities").insert_all(
            ({"name": n, **known.get(n, {})} for n in sorted(names)), ignore=True
        )
    if rows:
        db.table("facts").insert_all(rows)
    return len(rows)


@cache
def entity_lexicon() -> dict[str, dict[str, str | None]]:
    """Kind and aliases of each canonical entity, from patterns/entities.jsonl (if present)."""
    try:
        entries = load_family("entities")
    except PatternError:
        return {}
    kinds: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    for entry in entries:
        canonical = entry.canonical
        kinds.setdefault(canonical, entry.kind)
        if entry.pattern != canonical:
            aliases.setdefault(canonical, []).append(entry.pattern)
    return {
        name: {"kind": kind or None, "aliases": json.dumps(sorted(set(aliases.get(name, []))))}
        for name, kind in kinds.items()
    }


# Fact fields stored as columns of their own; anything else a Fact carries goes to `extra`.
FACT_COLUMNS = (
    "metric value unit value_high qualifier change change_unit change_basis period entity "
    "partner section evidence kind pattern"
).split()


def fact_row(article_id: int, fact: Fact, version: str, article: Article) -> dict:
    data = fact.model_dump(mode="json")
    row = {k: data.pop(k) for k in FACT_COLUMNS}
    mentions = data.pop("mentions", None)
    for k in ("span", "patterns_version"):
        data.pop(k, None)
    row.update(
        mentions=json.dumps(mentions) if mentions else None,
        extra=json.dumps(data, sort_keys=True) if data else None,
        article_id=article_id,
        span_start=fact.span[0],
        span_end=fact.span[1],
        surface=article.text[fact.span[0] : fact.span[1]] or None,
        outlet=article.outlet,
        period_start=period_start(fact.period),
        patterns_version=fact.patterns_version or version,
    )
    return row


def load_article(db: sqlite_utils.Database, article_id: int) -> Article:
    """Rebuild the Article (text and blocks) that was stored, for re-extraction."""
    row = _one(db, "select * from articles where id = ?", [article_id])
    if row is None:
        raise StoreError(f"no article with id {article_id}")
    return article_from_row(row)


def article_from_row(row: Mapping) -> Article:
    text = row["text"]
    published = row["published"]
    return Article(
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        published=datetime.fromisoformat(published).date() if published else None,
        outlet=row["outlet"],
        text=text,
        blocks=decode_blocks(row["blocks"], text),
        truncated=bool(row["truncated"]),
    )


def encode_blocks(blocks: list[Block]) -> str:
    return json.dumps(
        [[b.section, b.start, b.end, b.heading] for b in blocks], separators=(",", ":")
    )


def decode_blocks(encoded: str | None, text: str) -> list[Block]:
    if not encoded:
        return []
    return [
        Block(section=section, text=text[start:end], start=start, heading=heading)
        for section, start, end, heading in json.loads(encoded)
    ]


def _one(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


def _archive(db: sqlite_utils.Database, current: dict) -> None:
    keep = {k: current[k] for k in db["article_history"].columns_dict if k in current}
    keep.pop("id", None)
    keep.update(article_id=current["id"], replaced_at=now())
    db.table("article_history").insert(keep)


def _remember_validators(
    db: sqlite_utils.Database, current: dict, etag: str | None, last_modified: str | None
) -> None:
    changes = {
        k: v
        for k, v in (("etag", etag), ("last_modified", last_modified))
        if v is not None and v != current[k]
    }
    if changes:
        db.table("articles").update(current["id"], changes)

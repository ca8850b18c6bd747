"""The fact store: SQLite through sqlite-utils. One transaction per article."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from extractor.errors import StoreError
from extractor.models import Article, Fact
from extractor.patterns import patterns_version

DEFAULT_DB = Path("data/newsfacts.db")


def open_db(path: Path | str = DEFAULT_DB) -> sqlite_utils.Database:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        db.enable_wal()
    except Exception as exc:  # sqlite3 errors, permission errors
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    if "articles" not in db.table_names():
        db["articles"].create(
            {
                "id": int,
                "canonical_url": str,
                "url": str,
                "title": str,
                "published": str,
                "outlet": str,
                "content_hash": str,
                "patterns_version": str,
                "truncated": int,
                "fetched_at": str,
                "text": str,
            },
            pk="id",
        )
        db["articles"].create_index(["canonical_url"], unique=True)
        db["articles"].create_index(["content_hash"])
    if "facts" not in db.table_names():
        db["facts"].create(
            {
                "id": int,
                "article_id": int,
                "metric": str,
                "value": float,
                "unit": str,
                "value_high": float,
                "qualifier": str,
                "change": float,
                "change_unit": str,
                "change_basis": str,
                "period": str,
                "entity": str,
                "partner": str,
                "section": str,
                "evidence": str,
                "span_start": int,
                "span_end": int,
                "pattern": str,
                "patterns_version": str,
            },
            pk="id",
            foreign_keys=[("article_id", "articles", "id")],
        )


def article_key(article: Article) -> str:
    return article.canonical_url or article.url or f"sha256:{article.content_hash}"


def save_article(db: sqlite_utils.Database, article: Article, facts: list[Fact]) -> bool:
    """Store an article and its facts together; False when the same text is already stored."""
    key = article_key(article)
    with db.conn:
        existing = list(
            db.query(
                "select id, content_hash from articles where canonical_url = ? or content_hash = ?",
                [key, article.content_hash],
            )
        )
        if any(row["content_hash"] == article.content_hash for row in existing):
            return False
        for row in existing:
            db.execute("delete from facts where article_id = ?", [row["id"]])
            db.execute("delete from articles where id = ?", [row["id"]])
        article_id = (
            db["articles"]
            .insert(
                {
                    "canonical_url": key,
                    "url": article.url,
                    "title": article.title,
                    "published": article.published.isoformat() if article.published else None,
                    "outlet": article.outlet,
                    "content_hash": article.content_hash,
                    "patterns_version": patterns_version(),
                    "truncated": int(article.truncated),
                    "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "text": article.text,
                }
            )
            .last_pk
        )
        db["facts"].insert_all(fact_row(article_id, fact) for fact in facts)
    return True


def fact_row(article_id: int, fact: Fact) -> dict:
    row = fact.model_dump(exclude={"span"})
    row.update(article_id=article_id, span_start=fact.span[0], span_end=fact.span[1])
    return row

"""Validators and links of feeds, sitemaps and URL lists (table feed_state, schema m003), so a
crawl can ask for each with a conditional request and still know what it listed on a 304."""

from __future__ import annotations

import json

import sqlite_utils

from extractor.ingest.discover import Link
from extractor.ingest.urls import normalize_url
from extractor.store.db import FetchState, now, writing


def feed_state(db: sqlite_utils.Database, url: str) -> tuple[FetchState | None, list[Link]]:
    """ETag and Last-Modified from the last time `url` changed, and the links it gave then."""
    rows = list(
        db.query(
            "select etag, last_modified, links from feed_state where url = ?",
            [normalize_url(url)],
        )
    )
    if not rows:
        return None, []
    row = rows[0]
    links = [Link.model_validate(link) for link in json.loads(row["links"] or "[]")]
    return FetchState(row["etag"], row["last_modified"]), links


def save_feed_state(
    db: sqlite_utils.Database,
    url: str,
    kind: str,
    validators: FetchState,
    links: list[Link],
) -> None:
    """Remember a parsed document's validators and links (only once it parsed: a broken feed
    is asked for in full again next time)."""
    listed = [link.model_dump(mode="json", exclude={"title"}) for link in links]
    stamp = now()
    with writing(db):
        db.table("feed_state").upsert(
            {
                "url": normalize_url(url),
                "kind": kind,
                "etag": validators.etag,
                "last_modified": validators.last_modified,
                "links": json.dumps(listed),
                "fetched_at": stamp,
                "checked_at": stamp,
            },
            pk="url",
        )


def touch_feed_state(db: sqlite_utils.Database, url: str) -> None:
    """Note that `url` answered 304: checked now, unchanged since `fetched_at`."""
    with writing(db):
        db.execute(
            "update feed_state set checked_at = ? where url = ?", [now(), normalize_url(url)]
        )

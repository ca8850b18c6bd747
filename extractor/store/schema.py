"""The fact store's schema, as sqlite-utils migrations.

sqlite-utils >= 4.2 ships `Migrations` (a named set of functions, each applied once, inside a
transaction, recorded in `_sqlite_migrations`), so schema versions need no hand-written
bookkeeping and no extra dependency such as sqlite-migrate. A schema change is a new function
appended below, never an edit to one that has shipped: databases in the field already ran it.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("newsfacts")

# Indexes chosen for Datasette on millions of facts (bench/bench_datasette.py): each common
# question is answered from one index without visiting table rows ("covering"), because
# table-row lookups, not index scans, are what make a facet or canned query slow. Each index
# also costs every insert (14 indexes made storing an article ~3x slower than 9), so one wide
# index serves several questions and rarer ones (a table filtered by metric) pay a little.
FACT_INDEXES: list[list[str]] = [
    # The unfiltered facet counts (a narrow index is the cheapest full scan), and a table
    # filtered on that column and sorted by period (Datasette's default view).
    ["entity", "period_start"],
    ["metric", "period_start"],
    ["partner", "period_start"],
    ["unit", "period_start"],
    ["section", "period_start"],
    # the period facet; biggest_movers (a period range, percent changes)
    ["period", "change_unit", "change"],
    # Covering for: the facets of a table filtered by entity, latest_for_entity (grouped by
    # metric, partner, unit), metric_over_time, conflicting_values and
    # reported_by_several_outlets (SQLite matches GROUP BY columns in any order).
    ["entity", "metric", "partner", "unit", "period", "period_start", "value", "outlet", "section"],
    # an article's facts in text order (also every delete/replace of an article's facts)
    ["article_id", "span_start"],
    # the default sort
    ["period_start"],
]


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("sources").create(
        {"id": int, "name": str, "url": str, "kind": str, "added_at": str},
        pk="id",
        not_null={"name"},
    )
    db.table("sources").create_index(["name"], unique=True)

    db.table("runs").create(
        {
            "id": int,
            "kind": str,
            "source_id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "patterns_version": str,
            "articles_new": int,
            "articles_updated": int,
            "articles_unchanged": int,
            "articles_duplicate": int,
            "facts_written": int,
            "errors": int,
            "counts": str,
        },
        pk="id",
        not_null={"kind", "started_at", "status"},
        foreign_keys=[("source_id", "sources", "id")],
    )

    db.table("articles").create(
        {
            "id": int,
            "canonical_url": str,
            "url": str,
            "title": str,
            "published": str,
            "outlet": str,
            "source_id": int,
            "content_hash": str,
            "patterns_version": str,
            "truncated": int,
            "fetched_at": str,
            "http_status": int,
            "etag": str,
            "last_modified": str,
            "words": int,
            "text": str,
            # [[section, start, end, heading], ...]: the Article's blocks, as offsets into
            # `text`, so `reextract` rebuilds exactly the Article the extractor first saw.
            "blocks": str,
            "run_id": int,
        },
        pk="id",
        not_null={"canonical_url", "content_hash", "text"},
        defaults={"truncated": 0},
        foreign_keys=[("source_id", "sources", "id"), ("run_id", "runs", "id")],
    )
    db.table("articles").create_index(["canonical_url"], unique=True)
    db.table("articles").create_index(["url"])
    db.table("articles").create_index(["content_hash"])
    db.table("articles").create_index(["patterns_version"])
    db.table("articles").create_index(["outlet"])
    db.table("articles").create_index(["published"])

    db.table("article_history").create(
        {
            "id": int,
            "article_id": int,
            "canonical_url": str,
            "url": str,
            "title": str,
            "published": str,
            "outlet": str,
            "content_hash": str,
            "patterns_version": str,
            "fetched_at": str,
            "http_status": int,
            "etag": str,
            "last_modified": str,
            "text": str,
            "blocks": str,
            "replaced_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_history").create_index(["article_id"])

    db.table("entities").create(
        {"name": str, "kind": str, "aliases": str},
        pk="name",
    )

    db.table("facts").create(
        {
            # Column order is the order Datasette shows: the finding and its sentence first.
            "id": int,
            "article_id": int,
            "metric": str,
            "value": float,
            "unit": str,
            "change": float,
            "change_unit": str,
            "change_basis": str,
            "period": str,
            "entity": str,
            "partner": str,
            "evidence": str,
            "qualifier": str,
            "value_high": float,
            "section": str,
            # Copied from the article (facts of an article are replaced together, so it cannot
            # drift) so outlet questions need no join over millions of rows.
            "outlet": str,
            # The number as written ("$758.3 billion"): article text[span_start:span_end].
            "surface": str,
            "span_start": int,
            "span_end": int,
            # First day of `period` ("2025-Q3" -> "2025-07-01"): a sortable, chartable date.
            "period_start": str,
            "pattern": str,
            "patterns_version": str,
            # Other places the page states the same fact: [{"evidence", "span", "section"}].
            "mentions": str,
            # Fields a newer extractor adds to Fact before the schema names them, as JSON.
            "extra": str,
        },
        pk="id",
        not_null={"article_id", "metric", "evidence", "qualifier", "section"},
        foreign_keys=[
            ("article_id", "articles", "id"),
            ("entity", "entities", "name"),
            ("partner", "entities", "name"),
        ],
    )
    for columns in FACT_INDEXES:
        db.table("facts").create_index(columns)

    db.table("errors").create(
        {"id": int, "run_id": int, "url": str, "stage": str, "message": str, "at": str},
        pk="id",
        not_null={"stage", "message", "at"},
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("errors").create_index(["run_id"])
    db.table("errors").create_index(["url"])

    # Full-text search kept in step by triggers, so every write path (save, update, reextract,
    # a person's own SQL) keeps the index right without remembering to.
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db.table("facts").enable_fts(["metric", "evidence"], create_triggers=True, tokenize="porter")


# The facts table's default facets (datasette-metadata.json), counted by m002's triggers.
FACET_COLUMNS = ["metric", "entity", "partner", "unit", "period", "section"]


@migrations()
def m002_fact_value_counts(db: sqlite_utils.Database) -> None:
    """Value counts of the facet columns, kept exact by triggers.

    Six facets over a million facts are six full index scans per page view (1.8 s on this
    machine, bench/bench_datasette.py); the unfiltered facts page now reads these few thousand
    rows instead (extractor.serve.plugin.CountedFacet). The narrow indexes that only served
    those scans go.
    """
    db.execute(
        "create table fact_value_counts (col text not null, value text not null, "
        "n integer not null, primary key (col, value)) without rowid"
    )

    def values(row: str) -> str:
        return " union all ".join(
            f"select '{c}' as col, {row}.[{c}] as value" for c in FACET_COLUMNS
        )

    count_down = (
        f"update fact_value_counts set n = n - 1 where (col, value) in ({values('old')}); "
        f"delete from fact_value_counts where n <= 0 and (col, value) in ({values('old')});"
    )
    db.execute(f"create trigger fact_value_counts_ai after insert on facts begin {_COUNT_UP} end")
    _count_down_triggers(db, count_down)
    recount_facet_values(db)
    for name in ["partner", "unit", "section"]:
        db.execute(f"drop index if exists idx_facts_{name}_period_start")


@migrations()
def m003_feed_state(db: sqlite_utils.Database) -> None:
    """Validators of each feed, sitemap and URL list, for conditional GETs on the next crawl.

    Articles keep theirs in `articles` (etag, last_modified); discovery documents are not
    articles, so they get a table of their own, keyed by URL. `links` holds (JSON) what the
    document listed when it last changed: a document answering 304 is not parsed again, but
    its articles are still re-checked (conditionally) for updates, and a sitemap index still
    leads to its child sitemaps, which change on their own under an unchanged index.
    """
    db.table("feed_state").create(
        {
            "url": str,
            "kind": str,
            "etag": str,
            "last_modified": str,
            "links": str,
            "fetched_at": str,
            "checked_at": str,
        },
        pk="url",
        not_null={"kind"},
    )


@migrations()
def m004_count_down_by_key(db: sqlite_utils.Database) -> None:
    """m002's count-down triggers, rewritten to look each value up by its key.

    Their `(col, value) in (select ... union all ...)` cannot use the primary key, so every
    deleted or updated fact scanned the whole counts table: 4.6 ms of the 11 ms it took
    reextract to store an article, in a store of only 10,000 articles, and growing with it.
    One keyed statement per facet column is an index lookup each.
    """
    count_down = " ".join(
        f"update fact_value_counts set n = n - 1 where col = '{c}' and value = old.[{c}]; "
        f"delete from fact_value_counts where col = '{c}' and value = old.[{c}] and n <= 0;"
        for c in FACET_COLUMNS
    )
    db.execute("drop trigger fact_value_counts_ad")
    db.execute("drop trigger fact_value_counts_au")
    _count_down_triggers(db, count_down)


@migrations()
def m005_fact_kind(db: sqlite_utils.Database) -> None:
    """What each fact states (Fact.kind: level, change, level+change, comparison, table-row) as
    a column of its own, so a query filters on it instead of parsing `pattern`. Facts stored
    before it get theirs from the pattern id, which has always begun "fact-<kind>:"."""
    db.table("facts").add_column("kind", str)
    db.execute(
        "update facts set kind = substr(pattern, 6, instr(pattern, ':') - 6) "
        "where pattern like 'fact-%:%'"
    )
    db.execute("update facts set kind = 'table-row' where pattern = 'fact-table-row'")


@migrations()
def m006_run_process(db: sqlite_utils.Database) -> None:
    """The process and host of each run, so a run whose process died (killed mid-way) can be
    told from one still going, and marked interrupted by the next run."""
    db.table("runs").add_column("pid", int)
    db.table("runs").add_column("host", str)


# Count each non-null facet value of a new fact (m002; the trigger body m004 keeps).
_COUNT_UP = (
    "insert into fact_value_counts (col, value, n) select col, value, 1 from ("
    + " union all ".join(f"select '{c}' as col, new.[{c}] as value" for c in FACET_COLUMNS)
    + ") where value is not null on conflict (col, value) do update set n = n + 1;"
)


def _count_down_triggers(db: sqlite_utils.Database, count_down: str) -> None:
    """The delete and update triggers of fact_value_counts, around a count-down body."""
    watched = ", ".join(FACET_COLUMNS)
    db.execute(f"create trigger fact_value_counts_ad after delete on facts begin {count_down} end")
    db.execute(
        f"create trigger fact_value_counts_au after update of {watched} on facts "
        f"begin {count_down} {_COUNT_UP} end"
    )


def recount_facet_values(db: sqlite_utils.Database) -> None:
    """Recompute fact_value_counts from the facts (after a bulk load with triggers off)."""
    db.execute("delete from fact_value_counts")
    for column in FACET_COLUMNS:
        db.execute(
            f"insert into fact_value_counts (col, value, n) select '{column}', [{column}], "
            f"count(*) from facts where [{column}] is not null group by [{column}]"
        )


def apply(db: sqlite_utils.Database) -> None:
    """Bring the database to the newest schema version.

    Two processes opening a new database at once (two crawls, a crawl and reextract) must not
    both create its tables: the migrations run under a write lock taken up front (BEGIN
    IMMEDIATE), and each process re-reads what is pending once it holds the lock.
    """
    if not migrations.pending(db):
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)  # each migration nests as a savepoint inside this transaction
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def version(db: sqlite_utils.Database) -> list[str]:
    """Names of the applied migrations, oldest first."""
    return [m.name for m in migrations.applied(db)]

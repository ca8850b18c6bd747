"""The fact store: schema, idempotent per-article transactions, history, runs, reextract."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from newsroom import STORIES, build_store, story_article, story_facts

from extractor.cli import cli
from extractor.errors import StoreError
from extractor.extract.facts import extract_facts
from extractor.jobs.reextract import reextract, stale_ids
from extractor.models import Article, Block
from extractor.patterns import patterns_version
from extractor.store import schema
from extractor.store.db import (
    FetchState,
    entity_lexicon,
    fetch_state,
    load_article,
    now,
    open_db,
    period_start,
    save_article,
    writing,
)
from extractor.store.runs import RunCounts, finish_run, record_error, start_run

MEKONG = STORIES[0]
MIGRATIONS = [
    "m001_initial",
    "m002_fact_value_counts",
    "m003_feed_state",
    "m004_count_down_by_key",
    "m005_fact_kind",
    "m006_run_process",
]


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def count(db, table: str) -> int:
    return db.execute(f"select count(*) from [{table}]").fetchone()[0]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "newsfacts.db"


# --- schema -----------------------------------------------------------------------------------


def test_schema_tables_wal_foreign_keys_fts_and_migrations(db_path: Path) -> None:
    db = open_db(db_path)
    for table in ["sources", "articles", "facts", "entities", "runs", "errors", "article_history"]:
        assert db[table].exists(), table
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    fks = {(fk.column, fk.other_table, fk.other_column) for fk in db["facts"].foreign_keys}
    assert fks == {
        ("article_id", "articles", "id"),
        ("entity", "entities", "name"),
        ("partner", "entities", "name"),
    }
    assert ("source_id", "sources", "id") in {
        (fk.column, fk.other_table, fk.other_column) for fk in db["articles"].foreign_keys
    }
    assert db["facts"].detect_fts() == "facts_fts"
    assert db["articles"].detect_fts() == "articles_fts"
    triggers = {t.name for t in db.triggers}
    assert {"facts_ai", "facts_ad", "facts_au", "articles_ai", "articles_ad"} <= triggers
    assert schema.version(db) == MIGRATIONS
    db.close()
    before = dump(db_path)
    open_db(db_path).close()  # applying migrations again changes nothing
    assert dump(db_path) == before


def test_processes_opening_a_new_database_at_once_create_it_once(db_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def opener(_: int) -> list[str]:
        db = open_db(db_path)  # each thread has its own connection, as processes would
        try:
            return schema.version(db)
        finally:
            db.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        versions = list(pool.map(opener, range(6)))
    assert versions == [MIGRATIONS] * 6


def test_every_spec_field_has_a_column(db_path: Path) -> None:
    columns = set(open_db(db_path)["facts"].columns_dict)
    spec = {"metric", "value", "unit", "value_high", "qualifier", "change", "change_unit"}
    spec |= {"change_basis", "period", "entity", "partner", "section", "evidence", "pattern"}
    assert spec | {"span_start", "span_end", "article_id", "patterns_version"} <= columns


def test_facts_stored_before_the_kind_column_get_theirs_from_the_pattern(db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    schema.migrations.apply(db, stop_before="m005_fact_kind")
    db["articles"].insert({"id": 1, "canonical_url": "u", "content_hash": "h", "text": "t"})
    patterns = ["fact-level+change:unit-usd", "fact-comparison:number", "fact-table-row", "x"]
    for n, pattern in enumerate(patterns):
        db["facts"].insert(
            {"article_id": 1, "metric": "m", "evidence": "e", "qualifier": "=", "section": "body"}
            | {"pattern": pattern, "span_start": n}
        )
    db.close()
    db = open_db(db_path)
    kinds = [r["kind"] for r in db.query("select kind from facts order by span_start")]
    assert kinds == ["level+change", "comparison", "table-row", None]


def test_a_file_that_is_not_sqlite_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("this is not a database, it is a shopping list\n" * 50)
    with pytest.raises(StoreError, match="notes.db"):
        open_db(bad)


# --- saving -----------------------------------------------------------------------------------


def test_new_then_identical_save_changes_nothing(db_path: Path) -> None:
    db = open_db(db_path)
    article, facts = story_article(MEKONG), story_facts(MEKONG)
    first = save_article(db, article, facts, http_status=200, etag='"v1"')
    assert (first.status, first.facts_written) == ("new", 4)
    db.close()
    before = dump(db_path)
    db = open_db(db_path)
    again = save_article(db, article, facts, http_status=200, etag='"v1"')
    assert (again.status, again.article_id, again.facts_written) == (
        "unchanged",
        first.article_id,
        0,
    )
    db.close()
    assert dump(db_path) == before


def test_same_text_under_another_url_is_stored_once(db_path: Path) -> None:
    db = open_db(db_path)
    article = story_article(MEKONG)
    first = save_article(db, article, story_facts(MEKONG))
    mirror = article.model_copy(
        update={"url": "http://127.0.0.1/mirror/1", "canonical_url": "http://127.0.0.1/mirror/1"}
    )
    second = save_article(db, mirror, story_facts(MEKONG))
    assert (second.status, second.article_id) == ("duplicate", first.article_id)
    assert count(db, "articles") == 1 and count(db, "facts") == 4


def test_new_text_at_the_same_url_keeps_history_and_replaces_facts(db_path: Path) -> None:
    db = open_db(db_path)
    article = story_article(MEKONG)
    first = save_article(db, article, story_facts(MEKONG), etag='"v1"')
    old_text = article.text
    revised = Article.from_blocks(
        [Block(text="Vietnam's exports were revised to $176.0 billion for 2016.")],
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title + " (updated)",
        outlet=article.outlet,
    )
    fact = story_facts(MEKONG)[0].model_copy(
        update={
            "value": 176.0e9,
            "evidence": revised.text,
            "span": (34, 48),
            "metric": "exports revised",
        }
    )
    result = save_article(db, revised, [fact], etag='"v2"')
    assert (result.status, result.article_id, result.facts_written) == (
        "updated",
        first.article_id,
        1,
    )
    history = list(db["article_history"].rows)
    assert len(history) == 1
    assert history[0]["article_id"] == first.article_id
    assert history[0]["text"] == old_text and history[0]["etag"] == '"v1"'
    facts = list(db["facts"].rows)
    assert [(f["metric"], f["value"], f["surface"]) for f in facts] == [
        ("exports revised", 176.0e9, "$176.0 billion")
    ]
    # The full-text index followed the update through its triggers.
    hits = db.execute(
        "select rowid from articles_fts where articles_fts match 'statistics'"
    ).fetchall()
    assert hits == []
    hits = db.execute("select rowid from articles_fts where articles_fts match 'revised'")
    assert [row[0] for row in hits] == [first.article_id]


def test_a_failing_fact_leaves_no_half_stored_article(db_path: Path) -> None:
    db = open_db(db_path)
    # A real SQLite failure in the middle of the transaction: a trigger that rejects one fact.
    db.execute(
        "create trigger reject_bad after insert on facts when new.metric = 'rejected' "
        "begin select raise(abort, 'rejected by test trigger'); end"
    )
    facts = story_facts(MEKONG)
    facts[2] = facts[2].model_copy(update={"metric": "rejected"})
    with pytest.raises(StoreError, match="rejected by test trigger"):
        save_article(db, story_article(MEKONG), facts)
    assert count(db, "articles") == 0 and count(db, "facts") == 0
    assert db.execute("select count(*) from articles_fts").fetchone()[0] == 0
    # And an update that fails keeps the old version whole.
    good = save_article(db, story_article(MEKONG), story_facts(MEKONG))
    changed = story_article(STORIES[1]).model_copy(
        update={"url": MEKONG.url, "canonical_url": MEKONG.url}
    )
    bad = [f.model_copy(update={"metric": "rejected"}) for f in story_facts(STORIES[1])]
    with pytest.raises(StoreError):
        save_article(db, changed, bad)
    assert load_article(db, good.article_id).text == story_article(MEKONG).text
    assert count(db, "facts") == 4 and count(db, "article_history") == 0


def test_facts_carry_their_fields_and_entities(db_path: Path) -> None:
    db = open_db(db_path)
    result = save_article(db, story_article(STORIES[1]), story_facts(STORIES[1]))
    rows = list(db.query("select * from facts order by span_start"))
    assert [r["surface"] for r in rows] == [
        "$175.9 billion",
        "$15.1 billion",
        "$14.6 billion",
        "$162.0 billion",
        "$38.1 billion",
    ]
    us = rows[4]
    assert (us["entity"], us["partner"], us["change"], us["change_basis"]) == (
        "Vietnam",
        "United States",
        15.9,
        "yoy",
    )
    assert us["period_start"] == "2016-01-01" and rows[1]["period_start"] == "2016-11-01"
    assert {r["article_id"] for r in rows} == {result.article_id}
    assert {r["patterns_version"] for r in rows} == {patterns_version()}
    given = sorted(story_facts(STORIES[1]), key=lambda f: f.span)
    assert [r["kind"] for r in rows] == [f.kind for f in given]
    assert {r["extra"] for r in rows} == {None}  # the kind is a column, not left in `extra`
    assert {r["name"] for r in db["entities"].rows} == {"Vietnam", "United States"}
    # Kind and aliases come from the entity lexicon (patterns/entities.jsonl) where it knows
    # the name.
    lexicon = entity_lexicon()
    for row in db["entities"].rows:
        if row["name"] in lexicon:
            assert row["kind"] == lexicon[row["name"]]["kind"]
            assert json.loads(row["aliases"]) == json.loads(lexicon[row["name"]]["aliases"])


def test_blocks_round_trip_so_reextraction_sees_the_same_article(db_path: Path) -> None:
    build_store(db_path)
    db = open_db(db_path)
    for row in db.query("select id, canonical_url from articles"):
        stored = load_article(db, row["id"])
        for story in STORIES:
            if story.url == row["canonical_url"]:
                original = story_article(story)
                assert stored.blocks == original.blocks
                assert stored.text == original.text
        assert extract_facts(stored) == extract_facts(stored.model_copy())


def recounted(db) -> dict[tuple[str, str], int]:
    counts = {}
    for column in schema.FACET_COLUMNS:
        sql = f"select {column}, count(*) from facts where {column} is not null group by 1"
        counts.update({(column, value): n for value, n in db.execute(sql).fetchall()})
    return counts


def test_facet_value_counts_stay_exact_through_saves_updates_and_deletes(db_path: Path) -> None:
    build_store(db_path)
    db = open_db(db_path)

    def kept() -> dict[tuple[str, str], int]:
        rows = db.execute("select col, value, n from fact_value_counts").fetchall()
        return {(col, value): n for col, value, n in rows}

    assert kept() == recounted(db)
    before = kept()[("entity", "Vietnam")]
    in_story = sum(f.entity == "Vietnam" for f in story_facts(STORIES[1]))
    assert in_story > 0
    # An updated article replaces its facts: counts follow.
    revised = story_article(STORIES[1]).model_copy(update={"text": "Revised. " * 3})
    save_article(db, revised, [])
    assert kept() == recounted(db) and kept()[("entity", "Vietnam")] == before - in_story
    db.execute("update facts set section = 'table' where entity = 'Chile'")
    db.execute("delete from facts where metric = 'imports'")
    db.conn.commit()
    assert kept() == recounted(db)
    assert ("metric", "imports") not in kept()  # no zero rows left behind


@pytest.mark.parametrize(
    ("period", "start"),
    [
        ("2025", "2025-01-01"),
        ("2025-H2", "2025-07-01"),
        ("2025-Q3", "2025-07-01"),
        ("2025-10", "2025-10-01"),
        ("2025-11-03", "2025-11-03"),
        ("2025-01/2025-10", "2025-01-01"),
        ("2021/2025", "2021-01-01"),
        ("last year", None),
        (None, None),
    ],
)
def test_period_start(period: str | None, start: str | None) -> None:
    assert period_start(period) == start


# --- runs, errors, conditional GET --------------------------------------------------------------


def test_runs_errors_and_fetch_state(db_path: Path) -> None:
    db = open_db(db_path)
    run_id = start_run(db, "crawl", source="mekong")
    counts = RunCounts()
    counts.add(
        save_article(
            db,
            story_article(MEKONG),
            story_facts(MEKONG),
            etag='"abc"',
            last_modified="Thu, 05 Jan 2017 08:00:00 GMT",
            source="mekong",
            run_id=run_id,
        )
    )
    counts.add(save_article(db, story_article(MEKONG), story_facts(MEKONG), run_id=run_id))
    record_error(db, run_id, "http://127.0.0.1/gone", "fetch", "HTTP 404: not found")
    counts.errors += 1
    finish_run(db, run_id, counts)
    run = db["runs"].get(run_id)
    assert (run["status"], run["articles_new"], run["articles_unchanged"]) == ("done", 1, 1)
    assert (run["facts_written"], run["errors"]) == (4, 1)
    assert db["sources"].get(run["source_id"])["name"] == "mekong"
    error = next(iter(db["errors"].rows))
    assert (error["run_id"], error["stage"]) == (run_id, "fetch")
    state = fetch_state(db, MEKONG.url)
    assert state == FetchState('"abc"', "Thu, 05 Jan 2017 08:00:00 GMT")
    assert fetch_state(db, "http://127.0.0.1/never-seen") is None


def test_unchanged_page_with_new_etag_remembers_it_for_the_next_conditional_get(
    db_path: Path,
) -> None:
    db = open_db(db_path)
    save_article(db, story_article(MEKONG), story_facts(MEKONG), etag='"one"')
    result = save_article(db, story_article(MEKONG), story_facts(MEKONG), etag='"two"')
    assert result.status == "unchanged"
    assert fetch_state(db, MEKONG.url) == FetchState('"two"', None)
    assert count(db, "facts") == 4 and count(db, "article_history") == 0


def test_a_second_writer_waits_its_turn_instead_of_failing(db_path: Path) -> None:
    """Two processes writing at once (reextract's workers, a crawl beside them): a write that
    reads first must wait for the other writer's commit, not fail with "database is locked"
    (a DEFERRED transaction's snapshot goes stale when the other commits, and SQLite then
    refuses the upgrade without waiting)."""
    import threading

    first = open_db(db_path)
    run_id = start_run(first, "ingest")
    failures: list[BaseException] = []

    def record() -> None:
        try:
            record_error(open_db(db_path), run_id, "https://example.test/a", "fetch", "HTTP 503")
        except BaseException as exc:
            failures.append(exc)

    with writing(first):
        first["errors"].insert(
            {
                "run_id": run_id,
                "url": "https://example.test/b",
                "stage": "fetch",
                "message": "x",
                "at": now(),
            }
        )
        waiting = threading.Thread(target=record)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # the second writer is waiting for the lock
    waiting.join(10)
    assert failures == []
    assert count(first, "errors") == 2


# --- reextract --------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_reextract_redoes_only_stale_articles(db_path: Path, workers: int) -> None:
    build_store(db_path)
    db = open_db(db_path)
    stale = [row["id"] for row in db.query("select id from articles order by id limit 3")]
    fresh = [row["id"] for row in db.query("select id from articles order by id limit -1 offset 3")]
    db.execute(
        f"update articles set patterns_version = 'old' where id in ({','.join('?' * 3)})", stale
    )
    db.conn.commit()
    untouched = {
        row["id"]: row
        for row in db.query("select * from facts where article_id not in (?, ?, ?)", stale)
    }
    db.close()
    assert stale_ids(db_path, patterns_version()) == stale

    progress: list[tuple[int, int]] = []
    result = reextract(
        db_path, workers=workers, on_progress=lambda done, total: progress.append((done, total))
    )
    assert (result.articles, result.errors) == (3, 0)
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)
    db = open_db(db_path)
    for article_id in stale:
        article = load_article(db, article_id)
        expected = [(f.metric, f.value, f.span) for f in extract_facts(article)]
        got = [
            (r["metric"], r["value"], (r["span_start"], r["span_end"]))
            for r in db.query("select * from facts where article_id = ? order by id", [article_id])
        ]
        assert got == expected
    assert {
        r["id"]: r for r in db.query("select * from facts where article_id not in (?, ?, ?)", stale)
    } == untouched
    assert all(r["patterns_version"] == patterns_version() for r in db["articles"].rows)
    run = db["runs"].get(result.run_id)
    assert (run["kind"], run["status"], run["articles_updated"]) == ("reextract", "done", 3)
    assert fresh and stale_ids(db_path, patterns_version()) == []


def test_reextract_records_a_broken_article_and_goes_on(db_path: Path) -> None:
    build_store(db_path)
    db = open_db(db_path)
    db.execute("update articles set patterns_version = 'old'")
    # Damage one stored article (its blocks are no longer JSON): a real fault, not a mock.
    db.execute("update articles set blocks = '[[broken' where id = 2")
    db.conn.commit()
    total = count(db, "articles")
    db.close()
    result = reextract(db_path, workers=2)
    assert (result.articles, result.errors) == (total - 1, 1)
    db = open_db(db_path)
    error = next(iter(db["errors"].rows))
    assert error["stage"] == "extract" and error["run_id"] == result.run_id
    # Worded as the crawl words a bug in a stage: the same failure reads the same in `errors`.
    assert error["message"].startswith("unexpected JSONDecodeError: ")
    assert error["url"] == db.execute("select url from articles where id = 2").fetchone()[0]
    assert stale_ids(db_path, patterns_version()) == [2]


def test_reextract_command(db_path: Path) -> None:
    build_store(db_path)
    db = open_db(db_path)
    db.execute("update articles set patterns_version = 'old'")
    db.conn.commit()
    total = count(db, "articles")
    db.close()
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_path), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"{total} article(s) re-extracted" in result.output
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_path)])
    assert "0 article(s) re-extracted" in result.output


def test_reextract_that_recorded_errors_exits_3_and_says_how_many(db_path: Path) -> None:
    """It used to exit 0 whatever failed: a cron job could not tell."""
    build_store(db_path)
    db = open_db(db_path)
    db.execute("update articles set patterns_version = 'old'")
    db.execute("update articles set blocks = '[[broken' where id = 2")
    db.conn.commit()
    db.close()
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_path), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert ", 1 error(s)," in result.output


def test_reextract_without_a_database_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reextract", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no database yet" in result.output and "Traceback" not in result.output


def test_a_run_whose_process_died_is_marked_interrupted_by_the_next_run(tmp_path: Path) -> None:
    """A crawl killed mid-way cannot close its own run row; it used to stay `running` forever.
    The next run to start closes it, and leaves a run whose process is alive alone."""
    import subprocess
    import sys

    db = open_db(tmp_path / "n.db")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    killed = start_run(db, "crawl")
    alive = start_run(db, "crawl")
    with writing(db):
        db.execute("update runs set pid = ? where id = ?", [int(dead.stdout), killed])
    start_run(db, "ingest")
    status = {row["id"]: row["status"] for row in db.query("select id, status from runs")}
    assert status[killed] == "interrupted"
    assert status[alive] == "running"  # this very process: alive
    finished = db.execute("select finished_at from runs where id = ?", [killed]).fetchone()[0]
    assert finished is not None

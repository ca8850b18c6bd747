"""Datasette over a store built by our pipeline, through Datasette's in-process client, with the
configuration `newsfacts serve` uses (extractor.serve.app.make_datasette)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import types
from collections import Counter
from pathlib import Path

import pytest
from datasette import hookimpl
from newsroom import STORIES, VIETNAM, all_facts, build_store

from extractor.errors import ServeError
from extractor.serve.app import (
    ALLOWED_PLUGINS,
    PUBLIC_SETTINGS,
    check_public,
    datasette_args,
    load_metadata,
    make_datasette,
)
from extractor.store.db import open_db

METADATA = load_metadata()
QUERIES = METADATA["databases"]["newsfacts"]["queries"]
FACETS = ["metric", "entity", "partner", "unit", "period", "section"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("store") / "newsfacts.db"
    ids = build_store(path)
    return path, ids


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def get_json(ds, path: str):
    response = get(ds, path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response.json()


def query(ds, name: str, **params: object) -> list[dict]:
    args = "&".join(f"{k}={v}" for k, v in params.items())
    data = get_json(ds, f"/newsfacts/{name}.json?_shape=objects&{args}")
    return data["rows"]


@pytest.fixture(scope="module")
def ds(store):
    return make_datasette(store[0])


@pytest.fixture(scope="module")
def public(store):
    return make_datasette(store[0], public=True)


# --- the facts table --------------------------------------------------------------------------


def test_facts_table_shows_every_fact_with_article_label_and_evidence(ds, store) -> None:
    path, ids = store
    data = get_json(
        ds, f"/newsfacts/facts.json?entity={VIETNAM}&_labels=on&_shape=objects&_size=max"
    )
    ours = set(ids.values())  # the store also holds the fixture pages' facts
    rows = [r for r in data["rows"] if r["article_id"]["value"] in ours]
    expected = [f for f in all_facts() if f.entity == VIETNAM]
    assert len(rows) == len(expected) == 11
    mekong = ids[STORIES[0].url]
    row = next(r for r in rows if r["surface"] == "$16.2 billion")
    # The foreign key is shown with the article's title, and links back to the article.
    assert row["article_id"] == {
        "value": mekong,
        "label": "Vietnam's exports climb in 2016 as phone shipments surge",
    }
    assert row["evidence"] == "In December alone, exports reached $16.2 billion, the office said."
    html = get(ds, f"/newsfacts/facts?entity={VIETNAM}").text
    assert f'href="/newsfacts/articles/{mekong}"' in html
    assert '<mark class="nf-number">$16.2 billion</mark>' in html
    assert '<span title="16200000000.0">16.2 billion</span>' in html  # readable, exact on hover
    # Sorted newest period first by default (metadata sort_desc).
    assert "sorted by period_start descending" in data["human_description_en"]


def test_facts_page_has_column_descriptions_and_the_chart_action(ds) -> None:
    html = get(ds, "/newsfacts/facts").text
    assert "ISO 4217" in html  # the unit column's description
    assert "/newsfacts/metric_over_time" in html


@pytest.mark.parametrize("facet", FACETS)
def test_each_facet_counts_the_facts(ds, facet: str) -> None:
    data = get_json(ds, f"/newsfacts/facts.json?entity={VIETNAM}")
    results = data["facet_results"]
    assert set(FACETS) <= set(results)
    counts = {item["value"]: item["count"] for item in results[facet]["results"]}
    expected = Counter(getattr(f, facet) for f in all_facts() if f.entity == VIETNAM)
    expected.pop(None, None)
    assert counts == dict(expected)
    # Selecting a facet value filters the table to exactly those facts.
    value, number = expected.most_common(1)[0]
    selected = get_json(ds, f"/newsfacts/facts.json?entity={VIETNAM}&{facet}={value}")
    assert selected["filtered_table_rows_count"] == number


def test_unfiltered_facets_come_from_the_kept_counts_and_match_the_facts(ds, store) -> None:
    path, _ = store
    data = get_json(ds, "/newsfacts/facts.json")
    conn = sqlite3.connect(path)
    for facet in FACETS:
        result = data["facet_results"][facet]
        assert result["type"] == "counted"
        sql = f"select {facet}, count(*) from facts where {facet} is not null group by 1"
        expected = dict(conn.execute(sql).fetchall())
        got = {item["value"]: item["count"] for item in result["results"]}
        if result["truncated"]:
            assert all(expected[value] == n for value, n in got.items())
        else:
            assert got == expected
    # Clicking a facet value filters the table, as a column facet does.
    metric = data["facet_results"]["metric"]["results"][0]
    assert "metric=" in metric["toggle_url"] and metric["selected"] is False


def test_full_text_search_on_fact_evidence_and_articles(ds, store) -> None:
    _, ids = store
    data = get_json(ds, "/newsfacts/facts.json?_search=phone&_shape=objects")
    assert [r["metric"] for r in data["rows"]] == ["phone exports"]
    data = get_json(ds, "/newsfacts/facts.json?_search=copper+slumped&_shape=objects")
    assert [r["entity"] for r in data["rows"]] == ["Chile"]
    data = get_json(ds, "/newsfacts/articles.json?_search=copper&_shape=objects")
    assert [r["id"] for r in data["rows"]] == [ids[STORIES[2].url]]


# --- canned queries ---------------------------------------------------------------------------


def test_every_canned_query_is_tested() -> None:
    tested = {
        "metric_over_time",
        "latest_for_entity",
        "biggest_movers",
        "article_facts",
        "reported_by_several_outlets",
        "conflicting_values",
    }
    assert set(QUERIES) == tested


def test_metric_over_time(ds) -> None:
    rows = query(ds, "metric_over_time", entity=VIETNAM, metric="exports", partner="")
    # Newest period first; annual and monthly values told apart for the chart.
    assert [(r["period"], r["granularity"], r["value"], r["outlet"]) for r in rows] == [
        ("2016-12", "month", 16.2e9, "Mekong Ledger"),
        ("2016-11", "month", 15.1e9, "Saigon Business Wire"),
        ("2016-10", "month", 14.6e9, "Saigon Business Wire"),
        ("2016", "year", 176.6e9, "Andes Commerce Review"),
        ("2016", "year", 175.9e9, "Mekong Ledger"),
        ("2015", "year", 162.0e9, "Saigon Business Wire"),
    ]
    bilateral = query(
        ds, "metric_over_time", entity=VIETNAM, metric="exports", partner="United+States"
    )
    assert [(r["partner"], r["value"]) for r in bilateral] == [("United States", 38.1e9)]
    phones = query(ds, "metric_over_time", entity=VIETNAM, metric="Phone+exports", partner="")
    assert [r["value"] for r in phones] == [34.3e9]
    assert query(ds, "metric_over_time", entity="Chile", metric="exports", partner="") == []


def test_latest_value_of_every_metric(ds) -> None:
    rows = query(ds, "latest_for_entity", entity=VIETNAM)
    assert {(r["metric"], r["period"], r["value"]) for r in rows} == {
        ("exports", "2016-12", 16.2e9),
        ("exports", "2016", 38.1e9),  # to the United States: a series of its own
        ("goods exports", "2016", 175.9e9),
        ("imports", "2016", 173.3e9),
        ("phone exports", "2016", 34.3e9),
    }
    assert all(r["evidence"] and r["article_id"] for r in rows)


def test_biggest_movers(ds) -> None:
    rows = query(ds, "biggest_movers", period="2016")
    assert [r["change"] for r in rows] == [-22.5, 15.9, 14.1, 8.6, -7.7, 5.2]
    assert (rows[0]["entity"], rows[0]["metric"]) == ("Chile", "copper exports")
    assert query(ds, "biggest_movers", period="2016-12") == []


def test_facts_of_one_article_with_their_sentences(ds, store) -> None:
    _, ids = store
    rows = query(ds, "article_facts", article_id=ids[STORIES[0].url])
    assert [r["surface"] for r in rows] == [
        "$175.9 billion",
        "$173.3 billion",
        "$34.3 billion",
        "$16.2 billion",
    ]
    assert rows[2]["evidence"].startswith("Phone exports jumped 14.1%")
    html = get(ds, f"/newsfacts/article_facts?article_id={ids[STORIES[0].url]}").text
    assert f'href="/newsfacts/facts/{rows[0]["fact_id"]}"' in html


def test_same_fact_reported_by_several_outlets(ds) -> None:
    rows = query(ds, "reported_by_several_outlets", entity=VIETNAM)
    assert len(rows) == 1
    row = rows[0]
    assert (row["period"], row["value"], row["unit"], row["outlets"]) == ("2016", 175.9e9, "USD", 2)
    assert set(row["outlet_names"].split(",")) == {"Mekong Ledger", "Saigon Business Wire"}
    assert set(row["metrics"].split(",")) == {"exports", "goods exports"}


def test_conflicting_values_for_the_same_metric_and_period(ds) -> None:
    rows = query(ds, "conflicting_values", entity=VIETNAM)
    assert [(r["metric"], r["period"], r["partner"], r["low"], r["high"]) for r in rows] == [
        ("exports", "2016", None, 175.9e9, 176.6e9)
    ]
    assert set(rows[0]["outlets"].split(",")) == {"Mekong Ledger", "Andes Commerce Review"}


def test_every_query_and_table_has_descriptions() -> None:
    tables = METADATA["databases"]["newsfacts"]["tables"]
    for name in ["facts", "articles", "entities", "sources", "runs", "errors", "article_history"]:
        assert tables[name]["description"], name
    db = sqlite3.connect(":memory:")
    import sqlite_utils

    from extractor.store.schema import migrations

    scratch = sqlite_utils.Database(db)
    migrations.apply(scratch)
    for name in ["facts", "articles", "runs", "errors", "sources", "entities"]:
        missing = set(scratch[name].columns_dict) - set(tables[name]["columns"]) - {"id"}
        assert not missing, (name, missing)
    for name, canned in QUERIES.items():
        assert canned["title"] and canned["description_html"], name


def test_datasette_reads_while_a_writer_holds_the_database(tmp_path: Path, store) -> None:
    """WAL: browsing goes on while ingestion is in the middle of a transaction."""
    path = tmp_path / "newsfacts.db"
    path.write_bytes(store[0].read_bytes())
    ds = make_datasette(path)
    before = get_json(ds, "/newsfacts/facts.json?_nofacet=1")["filtered_table_rows_count"]
    writer = open_db(path)
    # EXCLUSIVE would lock every reader out of a rollback-journal database; under WAL it
    # only excludes other writers.
    writer.execute("begin exclusive")
    writer.execute("delete from facts")
    try:
        started = time.perf_counter()
        during = get_json(ds, "/newsfacts/facts.json?_nofacet=1")["filtered_table_rows_count"]
        assert during == before > 0
        assert time.perf_counter() - started < 2  # not waiting for the writer's lock
    finally:
        writer.conn.rollback()
        writer.close()


# --- serving publicly -------------------------------------------------------------------------


def test_public_refuses_arbitrary_sql_but_runs_canned_queries(public) -> None:
    response = get(public, "/newsfacts.json?sql=select+count(*)+from+facts")
    assert response.status_code == 403
    assert get(public, "/newsfacts?sql=select+1").status_code == 403
    assert query(public, "biggest_movers", period="2016")[0]["change"] == -22.5
    settings = get_json(public, "/-/settings.json")
    assert settings["default_allow_sql"] is False
    assert settings["sql_time_limit_ms"] == PUBLIC_SETTINGS["sql_time_limit_ms"]
    assert settings["allow_download"] is False


def test_private_allows_sql(ds) -> None:
    assert get_json(ds, "/newsfacts.json?sql=select+1+as+one&_shape=array") == [{"one": 1}]


@pytest.mark.parametrize("mode", ["public", "ds"])
def test_the_served_database_cannot_be_written_even_from_inside(mode, request, store) -> None:
    """Read with mode=ro (so a crawl's commits show) and every connection query_only, the
    write connection included: neither a query nor a plugin's execute_write changes the file."""
    path, _ = store
    database = request.getfixturevalue(mode).get_database("newsfacts")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute_fn(lambda conn: conn.execute("delete from facts").fetchall()))
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute_write("delete from facts"))
    assert sqlite3.connect(path).execute("select count(*) from facts").fetchone()[0] > 0


def test_public_has_no_write_plugins_and_refuses_to_start_with_one(public) -> None:
    plugins = {p["name"] for p in get_json(public, "/-/plugins.json")}
    assert plugins <= ALLOWED_PLUGINS
    assert all("write" not in name and "upload" not in name for name in plugins)

    from datasette.plugins import pm

    intruder = types.ModuleType("datasette_write_intruder")
    intruder.startup = hookimpl(lambda datasette: None)  # type: ignore[attr-defined]
    pm.register(intruder, name="datasette-write-intruder")
    try:
        with pytest.raises(ServeError, match="datasette_write_intruder"):
            check_public()
    finally:
        pm.unregister(name="datasette-write-intruder")
    check_public()


def test_serve_arguments(tmp_path: Path) -> None:
    db = tmp_path / "newsfacts.db"
    public_args = datasette_args(db, public=True, port=9000)
    # Never -i (immutable): a crawl writing beside the server made immutable reads see torn pages.
    assert public_args[:2] == ["serve", str(db)] and "-i" not in public_args
    joined = " ".join(public_args)
    assert "--setting default_allow_sql off" in joined
    assert "--setting sql_time_limit_ms" in joined and "--port 9000" in joined
    assert "--host 127.0.0.1" in joined
    private_args = datasette_args(db)
    assert "-i" not in private_args and "default_allow_sql" not in " ".join(private_args)


def test_metadata_follows_a_database_with_another_name(tmp_path: Path, store) -> None:
    path, _ = store
    other = tmp_path / "archive.db"
    other.write_bytes(path.read_bytes())
    ds = make_datasette(other)
    assert query_named(ds, "archive", "biggest_movers", period="2016")[0]["change"] == -22.5


def query_named(ds, database: str, name: str, **params: object) -> list[dict]:
    args = "&".join(f"{k}={v}" for k, v in params.items())
    return get_json(ds, f"/{database}/{name}.json?_shape=objects&{args}")["rows"]


def test_metadata_file_is_valid_json() -> None:
    text = (Path(__file__).resolve().parent.parent / "datasette-metadata.json").read_text()
    assert json.loads(text)["title"]

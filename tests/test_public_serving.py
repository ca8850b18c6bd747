"""`serve --public` beside a crawl, as the README recommends for a cron crawl: the real server
process keeps answering while a real crawl process writes, after that crawl is SIGKILLed (its
WAL left behind), and shows what the file holds. Any HTTP method but GET/HEAD is refused with
405 (not a 500), and each error is one log line, never a traceback.

Bounded: 200 local pages, at most 60 s of crawling before the kill."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from reliability import Site, bulletin, public_server, publish_bulletins, sources_toml

REPO = Path(__file__).resolve().parent.parent
PAGES = 200
SOAK_SECONDS = 60
PAGES_TO_CHECK = [
    "/",
    "/newsfacts/facts",
    "/newsfacts/metric_over_time?entity=Freedonia&metric=exports&partner=",
]


def file_counts(db: Path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        facts = conn.execute("select count(*) from facts").fetchone()[0]
        return articles, facts
    finally:
        conn.close()


def shown_counts(client: httpx.Client) -> tuple[int, int]:
    articles = client.get("/newsfacts/articles.json", params={"_size": 1})
    facts = client.get("/newsfacts/facts.json", params={"_size": 1})
    assert articles.status_code == 200 and facts.status_code == 200, facts.text[:300]
    return articles.json()["filtered_table_rows_count"], facts.json()["filtered_table_rows_count"]


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    """A store with one article in it, so the server has a database to open."""
    db = tmp_path / "newsfacts.db"
    page = tmp_path / "first.html"
    page.write_text(bulletin(999), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "extractor", "ingest", "--db", str(db), str(page)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return db


def test_public_server_answers_through_a_crawl_and_after_it_is_killed(
    seeded_db: Path, tmp_path: Path
) -> None:
    db = seeded_db
    sources = tmp_path / "sources.toml"
    crawl: subprocess.Popen | None = None
    answered = 0
    try:
        with Site() as site, public_server(db, tmp_path / "serve.log") as client:
            publish_bulletins(site, PAGES)
            sources.write_text(sources_toml(site, feeds=["/feed.xml"]))
            crawl = subprocess.Popen(
                [sys.executable, "-m", "extractor", "crawl", "--sources", str(sources)]
                + ["--db", str(db)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=REPO,
            )
            started = time.monotonic()
            stored = 1
            # Read all through the crawl; kill it once it has stored a good part of the pages.
            while crawl.poll() is None and time.monotonic() - started < SOAK_SECONDS:
                for path in PAGES_TO_CHECK:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.text[:500])
                    answered += 1
                stored = file_counts(db)[0]
                if stored >= PAGES // 3:
                    break
            assert stored > 1, "the crawl stored nothing in time"
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=30)
            for path in PAGES_TO_CHECK:
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:500])
            assert shown_counts(client) == file_counts(db)
            assert shown_counts(client)[0] >= stored
    finally:
        if crawl is not None and crawl.poll() is None:
            crawl.kill()
    assert answered >= len(PAGES_TO_CHECK), "no page was read while the crawl ran"


def test_public_server_refuses_writes_with_405_and_logs_each_error_in_one_line(
    seeded_db: Path, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with public_server(seeded_db, log) as client:
        writes = {
            "insert": client.post("/newsfacts/facts/-/insert", json={"row": {"id": 9}}),
            "delete": client.post("/newsfacts/facts/1/-/delete"),
            "drop": client.post("/newsfacts/facts/-/drop", json={"confirm": True}),
            "canned": client.post("/newsfacts/biggest_movers", data={"period": "2025"}),
            "put": client.put("/newsfacts/facts"),
        }
        missing = client.get("/newsfacts/no_such_table")
        empty_search = client.get("/newsfacts/facts", params={"_search": '"'})
        empty_column_search = client.get(
            "/newsfacts/facts", params={"_search_evidence": '""', "metric": "exports"}
        )
    assert {name: r.status_code for name, r in writes.items()} == dict.fromkeys(writes, 405)
    assert missing.status_code == 404
    assert empty_search.status_code == 200, empty_search.text[:300]
    assert empty_column_search.status_code == 200, empty_column_search.text[:300]
    text = log.read_text()
    assert "Traceback" not in text
    error_lines = [line for line in text.splitlines() if line.startswith(("404 ", "405 "))]
    assert len(error_lines) == len(writes) + 1, text[-2000:]

"""Concurrency with real processes: Datasette reads while a crawl writes, and two crawls started
at the same moment cannot both run.

test_datasette proves reads pass a writer's open transaction inside one process; here the
writer is a real `newsfacts crawl` process storing pages one transaction at a time, and the
reader must never wait for it, fail, or see a half-written article (facts without their
article) between two of its commits.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from reliability import Site, publish_bulletins, record, sources_toml

REPO = Path(__file__).resolve().parent.parent
PAGES = 16


def publish(site: Site) -> None:
    publish_bulletins(site, PAGES)


def start_crawl(sources: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "extractor", "crawl", "--sources", str(sources), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )


def has_articles(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        conn = sqlite3.connect(db, timeout=1)
        try:
            return conn.execute("select count(*) from articles").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return False  # the schema is still being created


COUNTS_SQL = (
    "select (select count(*) from articles) as articles, (select count(*) from facts) as facts, "
    "(select count(*) from facts where article_id not in (select id from articles)) as orphans"
)


def test_datasette_reads_while_a_crawl_process_writes(tmp_path: Path) -> None:
    from extractor.serve.app import make_datasette

    db = tmp_path / "newsfacts.db"
    sources = tmp_path / "sources.toml"
    with Site(delay=0.15) as site:
        publish(site)
        sources.write_text(sources_toml(site, feeds=["/feed.xml"]))
        crawl = start_crawl(sources, db)
        try:
            deadline = time.monotonic() + 120
            while not has_articles(db):
                assert crawl.poll() is None, crawl.communicate()
                assert time.monotonic() < deadline, "the crawl stored nothing"
                time.sleep(0.05)
            ds = make_datasette(db)
            seen: list[tuple[int, int]] = []
            slowest = 0.0
            while crawl.poll() is None:
                started = time.monotonic()
                table = asyncio.run(ds.client.get("/newsfacts/facts.json?_size=5"))
                counts = asyncio.run(
                    ds.client.get("/newsfacts.json", params={"sql": COUNTS_SQL, "_shape": "array"})
                )
                slowest = max(slowest, time.monotonic() - started)
                assert table.status_code == 200, table.text[:500]
                assert counts.status_code == 200, counts.text[:500]
                row = counts.json()[0]
                assert row["orphans"] == 0, "a reader saw facts without their article"
                seen.append((row["articles"], row["facts"]))
                time.sleep(0.02)
            out, err = crawl.communicate(timeout=60)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    assert crawl.returncode == 0, err[-2000:]
    record("concurrent_reads", len(seen))
    # Reads happened all through the crawl: the counts grew while we were reading.
    assert len({articles for articles, _ in seen}) >= 3, seen
    assert seen == sorted(seen), "a later read saw fewer rows than an earlier one"
    assert slowest < 5, f"a read waited {slowest:.1f}s for the writer"
    final = sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0]
    assert final == PAGES


def test_two_crawls_started_at_once_one_runs_the_other_says_why(tmp_path: Path) -> None:
    """Both start together; whichever takes the lock first holds it while its feed request is
    held open by the site, so the other must meet the lock: exit 1 with one clear line."""
    db = tmp_path / "newsfacts.db"
    sources = tmp_path / "sources.toml"
    gate = threading.Event()
    with Site() as site:
        publish(site)
        feed = site.routes["/feed.xml"]
        site.routes["/feed.xml"] = lambda: (gate.wait(120), feed)[1]  # type: ignore[assignment,index]
        sources.write_text(sources_toml(site, feeds=["/feed.xml"]))
        first, second = start_crawl(sources, db), start_crawl(sources, db)
        try:
            deadline = time.monotonic() + 120
            while first.poll() is None and second.poll() is None:
                assert time.monotonic() < deadline, "neither crawl gave way"
                time.sleep(0.05)
            loser, winner = (first, second) if first.poll() is not None else (second, first)
            _, loser_err = loser.communicate(timeout=30)
            assert winner.poll() is None, "the winner must still be running"
            gate.set()
            winner_out, winner_err = winner.communicate(timeout=120)
        finally:
            gate.set()
            for proc in (first, second):
                if proc.poll() is None:
                    proc.kill()
    record("security_probes")
    assert loser.returncode == 1, loser_err
    lines = loser_err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in loser_err, loser_err
    assert lines[0].startswith("Error:") and "another crawl" in lines[0], lines
    assert winner.returncode == 0, winner_err[-2000:]
    assert "new articles 16" in winner_out, winner_out
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone()[0] == PAGES
    assert conn.execute("select count(*) from runs where kind = 'crawl'").fetchone()[0] == 1


def test_reextract_beside_a_starting_crawl_fails_no_batch(tmp_path: Path) -> None:
    """`reextract --all` started with a crawl failed whole batches with "no such table: facts"
    (every time, here: the first write of the worker's new connection as the crawl opened the
    store) and still exited 0. Each reextract must now finish with no error."""
    db = tmp_path / "newsfacts.db"
    pages = sorted((REPO / "fixtures" / "articles").glob("*/page.html"))
    subprocess.run(
        [sys.executable, "-m", "extractor", "ingest", "--db", str(db), *map(str, pages)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    sources = tmp_path / "sources.toml"
    with Site() as site:
        publish(site)
        sources.write_text(sources_toml(site, feeds=["/feed.xml"]))
        crawl = start_crawl(sources, db)
        try:
            runs = [
                subprocess.run(
                    [sys.executable, "-m", "extractor", "reextract", "--all", "--db", str(db)],
                    cwd=REPO,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                for _ in range(2)
            ]
            crawl.communicate(timeout=120)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr[-2000:]
        assert " 0 error(s)," in run.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from errors where stage = 'store'").fetchone() == (0,)

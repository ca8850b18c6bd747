"""Crash safety: a crawl killed with SIGKILL at any moment loses nothing and stores nothing twice.

A local site serves article pages slowly enough that a kill lands mid-crawl. Each trial starts a
real `newsfacts crawl` process and SIGKILLs it after a random number of page requests (0 to all)
plus a random few milliseconds, so kills fall in start-up, discovery, fetching, extraction and
the middle of the SQLite writes. After every kill the database must pass `PRAGMA
integrity_check` and foreign-key checks and hold no half-stored article (an article row whose
facts differ from what the pipeline gives its text, or facts without an article). Then a rerun
must leave exactly what a clean reference crawl of the same pages stores: no duplicated and no
lost rows. Every page changes between trials, so kills hit both first inserts and the "updated"
path (history row, fact replacement) of save_article.

NEWSFACTS_CRASH_TRIALS (default 20) sets the number of trials; NEWSFACTS_CRASH_SEED the seed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

from reliability import Forker, Site, record, sources_toml

COUNTRIES = ["Freedonia", "Sylvania", "Ruritania", "Borduria", "Syldavia", "Genovia"]
TRIALS = int(os.environ.get("NEWSFACTS_CRASH_TRIALS", "20"))
SEED = int(os.environ.get("NEWSFACTS_CRASH_SEED", "20261128"))
PAGES = 12
GENERATIONS = 3  # page contents cycle through these, so consecutive trials always update
PAGE_DELAY = 0.04  # seconds the site takes per page: a crawl lasts long enough to be killed
FACT_FIELDS = (
    "metric, value, unit, value_high, qualifier, change, change_unit, change_basis, period, "
    "entity, partner, section, evidence, span_start, span_end, pattern"
)


def article_page(index: int, generation: int) -> str:
    """A short trade bulletin of our own, distinct per index and generation: every page is a
    separate article whose text (and so its facts) changes with the generation. Short pages
    keep extraction cheap, so the trials spend their time crawling, not parsing."""
    country = COUNTRIES[index % len(COUNTRIES)]
    g, i = generation, index
    paragraphs = [
        f"{country}'s exports rose {g + 1}.{i}% year-on-year to ${i + 2}.{g} billion in "
        f"October 2025, the customs office said on Monday.",
        f"Imports fell {i % 5 + 1}.{g}% to ${i + 1}.{g + 3} billion, leaving a trade surplus "
        f"of ${g + 1}.{i} billion for the month.",
        f"Shipments through port {i} in edition {g} climbed {i + g}% from a year earlier.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{country} trade, bulletin {i}</title>"
        f'<meta property="article:published_time" content="2025-11-{i % 28 + 1:02d}">'
        f"</head><body><article><h1>{country} trade, bulletin {i}</h1>{body}</article>"
        "</body></html>"
    )


def feed(site: Site) -> str:
    items = "".join(
        f"<item><title>Bulletin {i}</title><link>{site.url(f'/news/{i}.html')}</link></item>"
        for i in range(PAGES)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )


def publish(site: Site, generation: int) -> None:
    for i in range(PAGES):
        site.add(f"/news/{i}.html", article_page(i, generation))


def page_hits(site: Site) -> int:
    return sum(n for path, n in site.hits.items() if path.startswith("/news/"))


Snapshot = dict[str, tuple[str, list[tuple]]]


def snapshot(db_path: Path) -> Snapshot:
    """Every article (by canonical URL) with its content hash and its sorted facts."""
    if not db_path.exists():
        return {}
    conn = sqlite3.connect(db_path)
    out: Snapshot = {}
    for article_id, key, digest in conn.execute(
        "select id, canonical_url, content_hash from articles"
    ):
        facts = conn.execute(
            f"select {FACT_FIELDS} from facts where article_id = ?", [article_id]
        ).fetchall()
        out[key] = (digest, sorted(facts, key=repr))
    conn.close()
    return out


def row_counts(db_path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db_path)
    articles = conn.execute("select count(*) from articles").fetchone()[0]
    facts = conn.execute("select count(*) from facts").fetchone()[0]
    conn.close()
    return articles, facts


def check_after_kill(db_path: Path, expected_by_hash: dict[str, list[tuple]]) -> int:
    """Integrity and no half-stored article. Returns how many article rows were checked."""
    if not db_path.exists():
        return 0  # killed before the database was created: nothing to damage
    conn = sqlite3.connect(db_path)
    integrity = conn.execute("pragma integrity_check").fetchall()
    foreign = conn.execute("pragma foreign_key_check").fetchall()
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    orphans = 0
    if {"facts", "articles"} <= tables:
        orphans = conn.execute(
            "select count(*) from facts where article_id not in (select id from articles)"
        ).fetchone()[0]
    conn.close()
    if integrity != [("ok",)] or foreign:
        record("integrity_failures")
    assert integrity == [("ok",)], integrity
    assert not foreign, foreign
    if "articles" not in tables:
        return 0  # killed while the schema was being created (its migration is one transaction)
    half = orphans
    checked = 0
    for key, (digest, facts) in snapshot(db_path).items():
        checked += 1
        if facts != expected_by_hash.get(digest):
            half += 1
            print(f"half-stored: {key} holds {len(facts)} facts for its text")
    record("half_stored_articles", half)
    assert half == 0, f"{half} half-stored article(s) or orphaned facts"
    return checked


def compare(got: Snapshot, want: Snapshot) -> tuple[int, int]:
    """(duplicated, lost) rows of `got` against the reference, articles and facts together."""
    duplicated = lost = 0
    for key in got.keys() - want.keys():
        duplicated += 1 + len(got[key][1])
    for key in want.keys() - got.keys():
        lost += 1 + len(want[key][1])
    for key in got.keys() & want.keys():
        got_hash, got_facts = got[key]
        want_hash, want_facts = want[key]
        if got_hash != want_hash:
            lost += 1 + len(want_facts)  # the current version of the page is not stored
            continue
        remaining = list(want_facts)
        for fact in got_facts:
            if fact in remaining:
                remaining.remove(fact)
            else:
                duplicated += 1
        lost += len(remaining)
    return duplicated, lost


def crawl_args(sources: Path, db_path: Path) -> list[str]:
    return ["crawl", "--sources", str(sources), "--db", str(db_path)]


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    log = tmp_path / "crawls.log"
    with Site(delay=PAGE_DELAY) as site, Forker() as forker:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        site.add("/feed.xml", feed(site), "application/rss+xml")
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site, feeds=["/feed.xml"]))

        def finish(db_path: Path) -> None:
            """One crawl run to the end (the clean reference, or the rerun after a kill)."""
            status = forker.wait(forker.start(crawl_args(sources, db_path), log))
            assert status == 0, log.read_text(errors="replace")[-3000:]

        # Clean reference crawls, one per generation of the pages, each into a new database.
        references: dict[int, Snapshot] = {}
        expected_by_hash: dict[str, list[tuple]] = {}
        for generation in range(GENERATIONS):
            publish(site, generation)
            path = tmp_path / f"reference-{generation}.db"
            finish(path)
            references[generation] = snapshot(path)
            assert len(references[generation]) == PAGES
            for digest, facts in references[generation].values():
                expected_by_hash[digest] = facts
        assert sum(len(f) for _, f in references[0].values()) > 0, "the pages should give facts"

        db_path = tmp_path / "crawl.db"
        mid_crawl = 0
        for trial in range(TRIALS):
            if trial % 10 == 0:  # a fresh database now and then: kills during first inserts
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            generation = trial % GENERATIONS
            publish(site, generation)
            before = page_hits(site)
            wanted_pages = rng.randint(0, PAGES)
            jitter = rng.uniform(0, PAGE_DELAY * 2)
            pid = forker.start(crawl_args(sources, db_path), log)
            deadline = time.monotonic() + 60
            while page_hits(site) - before < wanted_pages and forker.poll(pid) is None:
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(0.002)
            time.sleep(jitter)
            if forker.poll(pid) is None:
                os.kill(pid, signal.SIGKILL)
                assert forker.wait(pid) == -signal.SIGKILL
                killed_mid_crawl = True
            else:
                killed_mid_crawl = False  # it finished first: still a valid trial of the rerun
            record("crash_kill_trials")

            check_after_kill(db_path, expected_by_hash)
            current = {digest for digest, _ in references[generation].values()}
            stored_now = sum(1 for d, _ in snapshot(db_path).values() if d in current)
            if killed_mid_crawl and 0 < stored_now < PAGES:
                mid_crawl += 1

            # The rerun (the same crawl command, left to finish) must complete the work exactly.
            finish(db_path)
            duplicated, lost = compare(snapshot(db_path), references[generation])
            record("duplicated_rows", duplicated)
            record("lost_rows", lost)
            assert (duplicated, lost) == (0, 0), (
                f"trial {trial}: {duplicated} duplicated, {lost} lost rows after a kill at "
                f"{wanted_pages} pages"
            )
            assert row_counts(db_path)[0] == PAGES
    # The kills really landed while a crawl was storing pages, not only before or after.
    record("kills_mid_write", mid_crawl)
    assert mid_crawl >= TRIALS // 4, f"only {mid_crawl} of {TRIALS} kills landed mid-crawl"


def test_trial_pages_are_distinct_articles() -> None:
    """The trial pages must be separate articles, or dedup would hide lost rows."""
    pages = [article_page(i, g) for i in range(PAGES) for g in range(GENERATIONS)]
    assert len(set(pages)) == PAGES * GENERATIONS

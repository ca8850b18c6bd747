"""The pipeline runs each article through parse -> extract -> store; whatever one article does,
the run goes on. An article whose extraction runs past its time budget (a hostile page) is an
error row, not a stalled crawl."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

from extractor.pipeline import Run, SavedPage, process
from extractor.store.db import open_db

SENTENCE = (
    "Freedonia's exports rose 4.5% to $1.2 billion in October 2025, the customs office said. "
)


def test_an_article_past_its_time_budget_is_an_error_row_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    db = open_db(tmp_path / "n.db")
    run = Run.start(db, "ingest")
    huge = SavedPage(url="file:///huge.txt", raw=SENTENCE * 1500)
    small = SavedPage(url="file:///small.txt", raw=SENTENCE)
    handler = signal.getsignal(signal.SIGALRM)
    assert process(db, huge, run, budget=0.05) == "error"
    assert signal.getsignal(signal.SIGALRM) == handler, "the alarm handler is put back"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), "and the alarm is off"
    assert process(db, small, run) == "new"
    run.finish(db)
    conn = sqlite3.connect(tmp_path / "n.db")
    errors = conn.execute("select url, stage, message from errors").fetchall()
    assert errors == [
        (
            "file:///huge.txt",
            "extract",
            "extraction gave up after 0.05s (the article's time budget)",
        )
    ]
    assert conn.execute("select count(*) from articles").fetchone() == (1,)


def test_the_budget_leaves_a_callers_own_timer_running(tmp_path: Path) -> None:
    db = open_db(tmp_path / "n.db")
    run = Run.start(db, "ingest")
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        process(db, SavedPage(url="file:///one.txt", raw=SENTENCE), run, budget=5.0)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert 90.0 < left < 100.0

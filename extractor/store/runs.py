"""Runs: one row per crawl, ingest or re-extract, with its tallies and error rows, so an
analyst can see what each run did. A run whose process died (SIGKILL, a power cut) cannot close
its own row: the next run to start marks it `interrupted`.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Mapping

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from extractor.patterns import patterns_version
from extractor.store.db import SaveResult, ensure_source, inserted_id, now, writing


class RunCounts(BaseModel):
    """Tallies for one run; `add` takes each SaveResult, `errors` counts recorded errors."""

    model_config = ConfigDict(extra="forbid")

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    facts_written: int = 0
    errors: int = 0

    def add(self, result: SaveResult) -> None:
        setattr(self, result.status, getattr(self, result.status) + 1)
        self.facts_written += result.facts_written


def start_run(
    db: sqlite_utils.Database, kind: str, *, source: str | None = None, version: str | None = None
) -> int:
    """Record the start of a run (`crawl`, `ingest`, `reextract`) and return its id."""
    source_id = ensure_source(db, source) if source else None
    close_stale_runs(db)
    with writing(db):
        table = db.table("runs").insert(
            {
                "kind": kind,
                "source_id": source_id,
                "started_at": now(),
                "status": "running",
                "patterns_version": version or patterns_version(),
                "pid": os.getpid(),
                "host": socket.gethostname(),
            }
        )
    return inserted_id(table)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    counts: RunCounts | Mapping[str, int],
    *,
    status: str = "done",
) -> None:
    """Close a run with its tallies (status "done", or "failed"/"interrupted")."""
    tally = counts.model_dump() if isinstance(counts, RunCounts) else dict(counts)
    with writing(db):
        db.table("runs").update(
            run_id,
            {
                "finished_at": now(),
                "status": status,
                "articles_new": tally.get("new", 0),
                "articles_updated": tally.get("updated", 0),
                "articles_unchanged": tally.get("unchanged", 0),
                "articles_duplicate": tally.get("duplicate", 0),
                "facts_written": tally.get("facts_written", 0),
                "errors": tally.get("errors", 0),
                "counts": json.dumps(tally, sort_keys=True),
            },
        )
    # Fresh planner statistics after a batch of writes, so Datasette's facet and filter
    # queries pick the narrow covering indexes (cheap: SQLite analyzes only what changed).
    db.execute("PRAGMA optimize")


def record_error(
    db: sqlite_utils.Database, run_id: int | None, url: str | None, stage: str, message: str
) -> int:
    """Keep a per-article failure (stage: fetch, parse, extract, store) so a run can go on."""
    with writing(db):
        table = db.table("errors").insert(
            {"run_id": run_id, "url": url, "stage": stage, "message": message, "at": now()}
        )
    return inserted_id(table)


def close_stale_runs(db: sqlite_utils.Database) -> int:
    """Mark `interrupted` every run still `running` whose process is gone: on this host, its
    pid is not alive; runs from before pids were kept (no pid) count as gone too. Runs of
    another host are left alone (we cannot see its processes). Returns how many."""
    here = socket.gethostname()
    rows = list(db.query("select id, pid, host from runs where status = 'running'"))
    stale = [
        row["id"]
        for row in rows
        if row["pid"] is None or (row["host"] == here and not process_alive(row["pid"]))
    ]
    if stale:
        with writing(db):
            db.execute(
                f"update runs set status = 'interrupted', finished_at = ? "
                f"where status = 'running' and id in ({', '.join('?' * len(stale))})",
                [now(), *stale],
            )
    return len(stale)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True

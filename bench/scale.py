"""One scaling run, in a process of its own: generate -> parse -> extract -> store, streamed.

    python -m bench.scale --articles 10000 --db bench/out/scale-10000.db

Articles are generated one at a time and dropped once stored, as ingestion does, so memory
should stay flat however many there are. Prints one JSON line: wall and CPU time, words, and
RSS at ten checkpoints, so the caller can show that cost per article and memory do not grow.
The caller reads the peak RSS from the kernel (wait4), not from here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.corpus import article_pages, load_source


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory from /proc (VmRSS now, VmHWM the peak so far), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(articles: int, db_path: Path, words: int, max_seconds: float | None = None) -> dict:
    from extractor.extract.facts import extract_facts
    from extractor.parse.document import parse_document
    from extractor.store.db import open_db, save_article

    source = load_source()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = open_db(db_path)
    every = max(1, articles // 10)
    checkpoints: list[dict] = []
    total_words = stored = facts_count = 0
    rss_start = rss_mb()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    done = errors = 0
    first_error = ""
    for number, page in enumerate(article_pages(source, articles, words), start=1):
        try:
            article = parse_document(page)
            facts = extract_facts(article)
            stored += save_article(db, article, facts).status == "new"
        except Exception as exc:  # as ingestion does: one bad article is counted, not fatal
            errors += 1
            first_error = first_error or f"article {number}: {type(exc).__name__}: {exc}"
            continue
        total_words += len(article.text.split())
        facts_count += len(facts)
        done = number
        out_of_time = max_seconds is not None and time.perf_counter() - wall0 > max_seconds
        if number % every == 0 or number == articles or out_of_time:
            checkpoints.append(
                {
                    "articles": number,
                    "wall_s": round(time.perf_counter() - wall0, 3),
                    "cpu_s": round(time.process_time() - cpu0, 3),
                    "rss_mb": round(rss_mb(), 1),
                }
            )
        if out_of_time:
            break
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    db.conn.close()
    return {
        "articles": articles,
        "done": done,
        "stored": stored,
        "errors": errors,
        "first_error": first_error,
        "facts": facts_count,
        "words": total_words,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "rss_start_mb": round(rss_start, 1),
        "rss_peak_self_mb": round(rss_mb("VmHWM"), 1),
        "db_mb": round(db_path.stat().st_size / 1e6, 1),
        "checkpoints": checkpoints,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--words", type=int, default=150, help="words per generated article")
    parser.add_argument("--max-seconds", type=float, help="stop early after this long")
    args = parser.parse_args(argv)
    json.dump(run(args.articles, args.db, args.words, args.max_seconds), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""`make bench`: how fast newsfacts is, next to the practical limit and a peer, in one run.

    python -m bench.run            # full: 200,000 words; 1k / 10k / 100k articles; reextract
    python -m bench.run --quick    # a minute or two, for iterating (also BENCH_QUICK=1)
    python -m bench.run --profile  # also a py-spy profile of extract (bench/profile.py)

Prints, for the same text on the same machine in the same run: words/s of the bare
`spacy.blank("en")` tokenizer (the baseline), our quantity layer and `extract`, quantulum3, and
each one's ratio to the baseline; start-up time and peak RSS of `newsfacts extract` on one
article; wall time and peak RSS of extract+store over growing numbers of generated articles;
`newsfacts reextract` with 1 and 2 workers. The last line is one JSON object for tools.
The load average is printed with each section: other processes on the machine skew numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from bench import throughput
from bench.corpus import REPO, article_pages, load_source

OUT = REPO / "bench" / "out"
BIN = Path(sys.executable).parent
NEWSFACTS = BIN / "newsfacts"


@dataclass
class Proc:
    """A finished child process, with the kernel's account of it."""

    rc: int
    wall_s: float
    max_rss_mb: float
    cpu_s: float  # user + system, of the command and the children it waited for
    stdout: str
    stderr: str


# A tiny launcher between us and the measured command. Linux charges a child, as its peak RSS,
# the memory of the process it was forked from; forked straight from this (large) process every
# child would look as big as the benchmark. Forked from a bare `python -S` (a few MB), the peak
# is the command's own. The launcher times the command itself and reports both on stderr's
# last line.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
wall, cpu = time.perf_counter() - start, usage.ru_utime + usage.ru_stime
sys.stderr.write("\\nbench-child %.6f %d %.6f\\n" % (wall, usage.ru_maxrss, cpu))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(cmd: list[str]) -> Proc:
    """Run a command; its wall time and peak RSS are measured by the launcher (see above)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, *cmd],
            stdout=subprocess.PIPE,
            stderr=err,
            cwd=REPO,
        )
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    stderr, _, tail = stderr.rpartition("\nbench-child ")
    wall, max_rss_kib, cpu = tail.split()
    return Proc(
        proc.returncode,
        float(wall),
        int(max_rss_kib) / 1024,
        float(cpu),
        proc.stdout.decode("utf-8", "replace"),
        stderr,
    )


def say(line: str = "") -> None:
    print(line, flush=True)


STARTED = time.perf_counter()


def load() -> str:
    """The load average (other processes skew every number) and the time into the run."""
    one, five, fifteen = os.getloadavg()
    elapsed = time.perf_counter() - STARTED
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores, +{elapsed:.0f} s"


def fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


# --- sections -------------------------------------------------------------------------------


def section_throughput(words: int, article_words: int, repeats: int, results: dict) -> None:
    from extractor.parse.document import parse_document

    source = load_source()
    pages: list[str] = []
    total = 0
    for page in article_pages(source, 10**9, article_words, seed=3):
        pages.append(page)
        total += article_words
        if total >= words:
            break
    articles = [parse_document(page) for page in pages]
    texts = throughput.block_texts(articles)
    counted = sum(len(a.text.split()) for a in articles)
    say(f"== throughput, one process ({load()})")
    say(
        f"   text: {counted:,} words in {len(articles):,} articles / {len(texts):,} paragraphs, "
        f"recombined from {len(source.paragraphs)} paragraphs of {source.origin}; "
        f"best of {repeats} interleaved runs (quantulum3 and extract_document: 1)"
    )
    cases = [
        throughput.tokenizer(texts),
        throughput.quantity_layer(texts),
        throughput.fact_layer(articles),
        throughput.html_parse(pages),
        throughput.extract_document(pages),
        throughput.quantulum3(texts),
    ]
    timings = throughput.run_cases(cases, counted, repeats)
    base, cpu_base = timings[0].wps, timings[0].cpu_wps
    say(f"   {'':44} {'words/s':>10} {'x tokenizer':>12} {'CPU words/s':>12} {'CPU x tok.':>11}")
    for timing in timings:
        ratio = f"{timing.wps / base:.3f}" if timing.wps and base else "n/a"
        cpu_ratio = f"{timing.cpu_wps / cpu_base:.3f}" if timing.cpu_wps and cpu_base else "n/a"
        say(
            f"   {timing.name:44} {fmt(timing.wps):>10} {ratio:>12} "
            f"{fmt(timing.cpu_wps):>12} {cpu_ratio:>11}"
            + (f"  {timing.note}" if timing.note else "")
        )
    say(
        "   words/s: best wall-clock run; CPU words/s: the CPU time of that run (less skewed "
        "when other processes load the machine)"
    )
    keys = ("tokenizer", "quantities", "extract", "parse", "extract_document", "quantulum3")
    for key, timing in zip(keys, timings, strict=True):
        results[f"{key}_wps"] = timing.wps
        results[f"{key}_cpu_wps"] = timing.cpu_wps
    for key in keys[1:]:
        for kind in ("", "cpu_"):
            value, baseline = results[f"{key}_{kind}wps"], results[f"tokenizer_{kind}wps"]
            ratio = round(value / baseline, 3) if value and baseline else None
            results[f"{key}_{kind}vs_tokenizer"] = ratio
    results.update(throughput_words=counted, throughput_load=round(os.getloadavg()[0], 2))
    say()


def section_startup(results: dict) -> None:
    say(f"== start-up: `newsfacts extract` on one article, 3 runs ({load()})")
    OUT.mkdir(parents=True, exist_ok=True)
    fixtures = sorted((REPO / "fixtures" / "articles").glob("*/page.html"))
    page = fixtures[0] if fixtures else OUT / "one-article.html"
    if not fixtures:
        page.write_text(next(article_pages(load_source(), 1, 400)), encoding="utf-8")
    runs = {
        # The floor for any spaCy-based tool: the interpreter, spaCy and a blank pipeline.
        "python -c 'import spacy; spacy.blank(\"en\")'": [
            sys.executable,
            "-c",
            'import spacy; spacy.blank("en")',
        ],
        "newsfacts --version": [str(NEWSFACTS), "--version"],
        f"newsfacts extract {page.relative_to(REPO)}": [str(NEWSFACTS), "extract", str(page)],
    }
    for label, cmd in runs.items():
        procs = [run_child(cmd) for _ in range(3)]
        failed = [p for p in procs if p.rc != 0]
        if failed:
            say(f"   {label}: exit {failed[0].rc}: {failed[0].stderr.strip()[-300:]}")
            continue
        best = min(p.wall_s for p in procs)
        cpu = min(p.cpu_s for p in procs)
        rss = max(p.max_rss_mb for p in procs)
        walls = ", ".join(f"{p.wall_s:.2f}" for p in procs)
        say(f"   {label}")
        say(f"      {best:6.2f} s wall (best of {walls}), {cpu:5.2f} s CPU, peak RSS {rss:4.0f} MB")
        if label.startswith("newsfacts extract"):
            results.update(
                startup_s=round(best, 3),
                startup_cpu_s=round(cpu, 3),
                startup_peak_rss_mb=round(rss, 1),
            )
    say()


def section_scaling(
    sizes: list[int], article_words: int, budget_s: float, results: dict
) -> list[tuple[int, Path, float]]:
    """Each size in its own process. A size whose projected time (its count times the last
    steady per-article cost) does not fit the remaining budget still runs, but stops when the
    budget is spent, and says how far it got. Returns the complete databases with their size
    and per-article cost, for reextract."""
    say(
        f"== scaling: generate -> parse -> extract -> store, streamed, "
        f"~{article_words} words/article, budget {budget_s:.0f} s ({load()})"
    )
    say(
        f"   {'articles':>16} {'wall s':>8} {'us/article*':>11} {'CPU us/art.*':>12} "
        f"{'x smallest':>10} {'peak RSS MB':>11} {'RSS 10%..100%':>14} {'DB MB':>6}  load"
    )
    cpu0: float | None = None
    per_article: float | None = None
    complete: list[tuple[int, Path, float]] = []
    scaling: list[dict] = []
    started = time.perf_counter()
    for size in sizes:
        remaining = budget_s - (time.perf_counter() - started)
        projected = size * per_article / 1e6 if per_article else None
        cap = None
        if projected is not None and projected > remaining:
            cap = max(remaining, 30.0)
            say(
                f"   {size:>9,} projected {projected:,.0f} s at {per_article:,.0f} us/article, "
                f"over the budget: running it for {cap:.0f} s only"
            )
        db = OUT / f"scale-{size}.db"
        cmd = [sys.executable, "-m", "bench.scale", "--articles", str(size), "--db", str(db)]
        cmd += ["--words", str(article_words)]
        if cap is not None:
            cmd += ["--max-seconds", f"{cap:.0f}"]
        proc = run_child(cmd)
        if proc.rc != 0:
            say(f"   {size:>9,} failed (exit {proc.rc}): {proc.stderr.strip()[-400:]}")
            break
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        done = report["done"]
        # Steady-state cost: from the 10% checkpoint to the end, so one-off warm-up (lazy
        # imports, pattern compilation, the first pages of the database) does not count.
        marks = report["checkpoints"]
        first, last = marks[0], marks[-1]
        span = last["articles"] - first["articles"]
        per_article = (
            (last["wall_s"] - first["wall_s"]) / span * 1e6
            if span > 0
            else report["wall_s"] / max(done, 1) * 1e6
        )
        cpu_per_article = (
            (last["cpu_s"] - first["cpu_s"]) / span * 1e6
            if span > 0
            else report["cpu_s"] / max(done, 1) * 1e6
        )
        report["us_per_article_steady"] = round(per_article, 1)
        report["cpu_us_per_article_steady"] = round(cpu_per_article, 1)
        report["peak_rss_mb"] = round(proc.max_rss_mb, 1)
        cpu0 = cpu0 or cpu_per_article
        curve = f"{first['rss_mb']:.0f}..{last['rss_mb']:.0f}"
        label = f"{size:,}" if done == size else f"{done:,} of {size:,}"
        say(
            f"   {label:>16} {report['wall_s']:>8.1f} {per_article:>11,.0f} "
            f"{cpu_per_article:>12,.0f} {cpu_per_article / cpu0:>10.2f} "
            f"{proc.max_rss_mb:>11.0f} {curve:>14} {report['db_mb']:>6.0f}  "
            f"{os.getloadavg()[0]:.2f}"
        )
        if report["errors"]:
            say(
                f"   {'':>16} {report['errors']:,} article(s) failed; "
                f"first: {report['first_error']}"
            )
        scaling.append(report)
        if done == size:
            complete.append((size, db, per_article))
        else:
            remove_db(db)
            results["scale_stopped"] = {"articles": size, "done": done, "budget_s": budget_s}
            break
    say(
        "   * steady state: from the 10% checkpoint to the end, per article; "
        "'x smallest' compares CPU cost, the reading least skewed by other load"
    )
    results["scaling"] = scaling
    if scaling:
        results["peak_rss_mb_max"] = scaling[-1]["peak_rss_mb"]
        results["scale_max_articles"] = scaling[-1]["done"]
        if scaling[-1]["done"] == 100_000:
            results["peak_rss_mb_100k"] = scaling[-1]["peak_rss_mb"]
    say()
    return complete


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def section_reextract(
    complete: list[tuple[int, Path, float]], budget_s: float, results: dict
) -> None:
    """`newsfacts reextract` with 1 and 2 workers over the largest complete scaling database
    whose single-worker run is projected (from its ingest cost) to fit half the budget."""
    say(f"== reextract: `newsfacts reextract --workers N`, budget {budget_s:.0f} s ({load()})")
    help_text = run_child([str(NEWSFACTS), "reextract", "--help"])
    if help_text.rc != 0 or "--workers" not in help_text.stdout:
        say("   not measured: `newsfacts reextract --workers N` is not available")
        say()
        return
    fitting = [c for c in complete if c[0] * c[2] / 1e6 <= budget_s / 2] or complete[:1]
    if not fitting:
        say("   not measured: no scaling database to re-extract (scaling skipped or failed)")
        say()
        return
    size, db, _ = fitting[-1]
    if size != complete[-1][0]:
        say(f"   over {size:,} articles: {complete[-1][0]:,} would not fit the budget")
    else:
        say(f"   over {size:,} articles")
    all_flag = next((f for f in ("--all", "--force") if f in help_text.stdout), None)
    walls: dict[int, float] = {}
    for workers in (1, 2):
        cmd = [str(NEWSFACTS), "reextract", "--db", str(db), "--workers", str(workers)]
        if all_flag:
            cmd.append(all_flag)
        else:
            mark_stale(db)
        proc = run_child(cmd)
        if proc.rc != 0:
            say(f"   --workers {workers}: exit {proc.rc}: {proc.stderr.strip()[-400:]}")
            return
        walls[workers] = proc.wall_s
        say(
            f"   --workers {workers}: {proc.wall_s:8.1f} s  {size / proc.wall_s:7,.0f} articles/s"
            f"  peak RSS {proc.max_rss_mb:5.0f} MB  (load {os.getloadavg()[0]:.2f})"
            f"  {proc.stdout.strip()[-110:]}"
        )
    speedup = walls[1] / walls[2]
    say(f"   speed-up with 2 workers: {speedup:.2f}x")
    results.update(
        reextract_articles=size,
        reextract_1_s=round(walls[1], 2),
        reextract_2_s=round(walls[2], 2),
        reextract_speedup_2core=round(speedup, 3),
    )
    say()


def stored_db(db: Path) -> tuple[int, Path, float]:
    """A database given with --reextract-db, as (articles, path, per-article cost): the cost
    is unknown, so the budget never passes it over."""
    import sqlite3

    if not db.is_file():
        sys.exit(f"bench: no database at {db}")
    with sqlite3.connect(db) as conn:
        (articles,) = conn.execute("select count(*) from articles").fetchone()
    return articles, db, 0.0


def mark_stale(db: Path) -> None:
    """Make every stored article look extracted by older patterns, so reextract redoes it."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("update articles set patterns_version = 'bench-stale'")


def section_profile(words: int) -> None:
    """py-spy flat profile of extract (bench/profile.py), in its own process."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.profile", "--words", str(words)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    say(proc.stdout.rstrip() or f"== profile failed: {proc.stderr.strip()[-400:]}")
    say()


def markdown(results: dict, header: str) -> str:
    """The run as Markdown tables, for the README's Performance section."""

    def num(key: str, digits: int = 0) -> str:
        value = results.get(key)
        return "n/a" if value is None else f"{value:,.{digits}f}"

    rows = [
        f"{header}",
        "",
        "| words/s, one process | wall | x tokenizer | CPU | CPU x tokenizer |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "tokenizer": 'bare `spacy.blank("en")` tokenizer (the limit)',
        "quantities": "quantity layer (`find_quantities`)",
        "extract": "`extract` (fact layer, parsed articles)",
        "parse": "HTML parse alone",
        "extract_document": "parse + extract (`newsfacts extract` path)",
        "quantulum3": "quantulum3 (peer)",
    }
    for key, name in names.items():
        ratio = results.get(f"{key}_vs_tokenizer")
        cpu_ratio = results.get(f"{key}_cpu_vs_tokenizer")
        if key == "tokenizer":
            ratio = cpu_ratio = 1.0
        rows.append(
            f"| {name} | {num(key + '_wps')} | {'n/a' if ratio is None else f'{ratio:.3f}'} "
            f"| {num(key + '_cpu_wps')} | {'n/a' if cpu_ratio is None else f'{cpu_ratio:.3f}'} |"
        )
    rows += [
        "",
        f"Start-up of `newsfacts extract` on one article: {num('startup_s', 2)} s wall, "
        f"{num('startup_cpu_s', 2)} s CPU, peak RSS {num('startup_peak_rss_mb')} MB.",
        "",
        "| articles (extract+store) | wall s | us/article | CPU us/article | peak RSS MB |",
        "|---:|---:|---:|---:|---:|",
    ]
    for report in results.get("scaling", []):
        label = f"{report['done']:,}" + (
            "" if report["done"] == report["articles"] else f" of {report['articles']:,}"
        )
        rows.append(
            f"| {label} | {report['wall_s']:,.0f} | {report['us_per_article_steady']:,.0f} "
            f"| {report['cpu_us_per_article_steady']:,.0f} | {report['peak_rss_mb']:,.0f} |"
        )
    if results.get("reextract_speedup_2core") is not None:
        rows += [
            "",
            f"`newsfacts reextract --all` over {results['reextract_articles']:,} articles: "
            f"{results['reextract_1_s']:,.1f} s with 1 worker, {results['reextract_2_s']:,.1f} s "
            f"with 2: speed-up {results['reextract_speedup_2core']:.2f}x.",
        ]
    return "\n".join(rows) + "\n"


# --- main -----------------------------------------------------------------------------------

FINAL_KEYS = (
    "extract_wps",
    "quantities_wps",
    "tokenizer_wps",
    "quantulum3_wps",
    "startup_s",
    "peak_rss_mb_100k",
    "reextract_speedup_2core",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="newsfacts benchmark")
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
        help="small sizes, for iterating",
    )
    parser.add_argument("--words", type=int, help="words of text for the words/s measurements")
    parser.add_argument("--sizes", help="comma-separated article counts for the scaling runs")
    parser.add_argument(
        "--article-words", type=int, default=150, help="words per generated article"
    )
    parser.add_argument("--repeats", type=int, help="runs per words/s measurement (best is kept)")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated sections to skip: throughput,startup,scaling,reextract",
    )
    parser.add_argument(
        "--scale-budget",
        type=float,
        help="seconds for the scaling runs (default 480, quick 60)",
    )
    parser.add_argument(
        "--reextract-budget",
        type=float,
        help="seconds for the two reextract runs (default 360, quick 60)",
    )
    parser.add_argument(
        "--keep-dbs",
        action="store_true",
        help="keep the scaling databases in bench/out (for a later --reextract-db)",
    )
    parser.add_argument(
        "--reextract-db",
        type=Path,
        help="re-extract this stored database (say a kept scaling database) instead of the "
        "largest one of this run; it is rewritten in place and kept",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile extract with py-spy (bench/profile.py)"
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # quantulum3's classifier notice; nothing of ours warns here

    words = args.words or (30_000 if args.quick else 200_000)
    sizes = [
        int(s)
        for s in (args.sizes or ("300,1000,3000" if args.quick else "1000,10000,100000")).split(",")
    ]
    repeats = args.repeats or (1 if args.quick else 3)
    args.scale_budget = args.scale_budget or (60.0 if args.quick else 480.0)
    args.reextract_budget = args.reextract_budget or (60.0 if args.quick else 360.0)
    skip = set(filter(None, args.skip.split(",")))
    results: dict = {"quick": args.quick}
    started = time.perf_counter()
    header = (
        f"newsfacts bench {'(quick) ' if args.quick else ''}"
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())} "
        f"python {platform.python_version()} on {platform.machine()}, {load()}, git {git_rev()}"
    )
    say(header)
    say()
    if "throughput" not in skip:
        section_throughput(words, args.article_words, repeats, results)
    if "startup" not in skip:
        section_startup(results)
    complete: list[tuple[int, Path, float]] = []
    if "scaling" not in skip:
        complete = section_scaling(sizes, args.article_words, args.scale_budget, results)
    if "reextract" not in skip:
        given = [stored_db(args.reextract_db)] if args.reextract_db else []
        section_reextract(given or complete, args.reextract_budget, results)
    if not args.keep_dbs:
        for _, db, _ in complete:
            remove_db(db)
    if args.profile:
        section_profile(min(words, 60_000))
    results["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    results["bench_wall_s"] = round(time.perf_counter() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "last.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    final = {key: _round(results.get(key)) for key in FINAL_KEYS}
    extra = (
        "extract_vs_tokenizer",
        "quantities_vs_tokenizer",
        "quantulum3_vs_tokenizer",
        "extract_cpu_wps",
        "tokenizer_cpu_wps",
        "extract_cpu_vs_tokenizer",
        "startup_cpu_s",
        "startup_peak_rss_mb",
        "throughput_load",
        "load_avg_1m_end",
        "scale_max_articles",
        "reextract_articles",
        "peak_rss_mb_max",
        "quick",
        "bench_wall_s",
    )
    final.update({k: _round(results.get(k)) for k in extra})
    summary = markdown(results, header) + f"\nThe closing JSON line:\n\n    {json.dumps(final)}\n"
    (OUT / "last.md").write_text(summary, encoding="utf-8")
    say(json.dumps(final))


def _round(value: object) -> object:
    return round(value, 3 if value < 100 else 0) if isinstance(value, float) else value


def git_rev() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


if __name__ == "__main__":
    main()

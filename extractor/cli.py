"""The `newsfacts` command. Each verb parses its arguments, calls one library function and
shows the result; the command group turns our exceptions into a one-line message with a
non-zero exit, for every verb in one place (`NewsfactsGroup`).

click, not typer: click is what sqlite-utils and Datasette are built on (one CLI style across
the tools an analyst uses with us), it exits 2 with a one-line message on bad arguments, and it
needs no extra layer of type-hint magic.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from extractor.errors import NewsfactsError
from extractor.models import ExtractResult, Fact

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("data/newsfacts.db"),
    show_default=True,
    help="SQLite database file.",
)
# Exit codes, the same for every verb (README "Exit codes"):
EXIT_FAILED = 1  # one of our errors stopped the command (one `Error:` line says why)
# (2: bad arguments, click's own)
EXIT_RECORDED_ERRORS = 3  # the run finished, but some articles failed (rows in `errors`)
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM; the run row says "interrupted"
CUT_SHORT = (
    "the article text was cut short (a paywall, or more text than an article holds); "
    "facts come from the part read"
)
TABLE_FIELDS = [
    "metric",
    "value",
    "unit",
    "change",
    "change_unit",
    "change_basis",
    "period",
    "entity",
    "partner",
    "section",
]


class Date(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: object, param: object, ctx: object) -> date:
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(str(value), "%Y-%m-%d").date()
        except ValueError:
            self.fail(f"{value!r} is not a date in YYYY-MM-DD form", param, ctx)  # type: ignore[arg-type]


class NewsfactsGroup(click.Group):
    """The one handler of our errors: any NewsfactsError a command raises becomes one line,
    `Error: ...`, on stderr and exit code 1 (click's own ClickException does the showing)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsfactsError as error:
            raise click.ClickException(str(error)) from None


LOG_EVERY_SECONDS = 10.0  # progress lines in a log (stderr not a terminal)


def stamp() -> str:
    """The time for a log line: UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def progress_bar(label: str, show_pos: bool = False) -> Iterator[Callable[[int, int], None]]:
    """An `on_progress(done, total)` for a library call: a bar on a terminal, opened once the
    total is known; in a log (cron, systemd) a timestamped line at the start, every ten seconds
    and at the end instead."""
    if not sys.stderr.isatty():
        yield log_progress(label)
        return
    with ExitStack() as stack:
        bars: list[Any] = []

        def on_progress(done: int, total: int) -> None:
            if not bars:
                bar = click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=show_pos
                )
                bars.append(stack.enter_context(bar))
            bars[0].update(done - bars[0].pos)

        yield on_progress


def log_progress(label: str) -> Callable[[int, int], None]:
    last = [0.0]

    def on_progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - last[0] >= LOG_EVERY_SECONDS:
            last[0] = now
            click.echo(f"{stamp()} {label}: {done}/{total}", err=True)

    return on_progress


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C in a run: the library closed the run row as interrupted; say so and exit 130."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("interrupted; run the command again to carry on", err=True)
        sys.exit(EXIT_INTERRUPTED)


def read_input(source: str, *, page: bool = True) -> str:
    from extractor.ingest.files import read_source

    return read_source(source, page=page)


@click.group(cls=NewsfactsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsfacts")
def cli() -> None:
    """newsfacts: turn economic and trade news into browsable facts.

    Typical use: `newsfacts ingest page.html` or `newsfacts crawl`, then `newsfacts serve`.

    \b
    Exit codes: 0 done; 1 stopped by an error (one `Error:` line says why); 2 bad arguments;
    3 done, but some articles failed (ingest, crawl, reextract: see the errors table);
    130 interrupted.
    """


@cli.command()
@click.argument("source", metavar="FILE|-")
@click.option("--published", type=Date(), help="Publication date, for resolving 'last year'.")
@click.option("--url", help="The page's URL, recorded with the article.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table", "csv"]),
    default="json",
    show_default=True,
    help="Output format.",
)
def extract(source: str, published: date | None, url: str | None, fmt: str) -> None:
    """Extract facts from an HTML page or plain text (a file, or - for stdin).

    Prints {"article": {...}, "facts": [...]} as JSON, or the facts as a table or CSV.
    """
    from extractor.pipeline import extract_document

    result = extract_document(read_input(source), url=url, published=published)
    if result.article.truncated:
        click.echo(f"Warning: {source}: {CUT_SHORT}", err=True)
    click.echo(render(result, fmt))


def render(result: ExtractResult, fmt: str) -> str:
    if fmt == "json":
        return result.model_dump_json(indent=2)
    rows = [fact.model_dump(mode="json") for fact in result.facts]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(Fact.model_fields))
        writer.writeheader()
        for row in rows:
            # Lists do not fit a CSV cell as they are: span and mentions go in as JSON.
            row["span"] = json.dumps(row["span"])
            row["mentions"] = json.dumps(row["mentions"], ensure_ascii=False)
            writer.writerow(row)
        return out.getvalue().rstrip("\n")
    return format_table(rows)


def format_table(rows: list[dict]) -> str:
    if not rows:
        return "(no facts)"
    cells = [[("" if row[f] is None else str(row[f])) for f in TABLE_FIELDS] for row in rows]
    widths = [max(len(f), *(len(c[i]) for c in cells)) for i, f in enumerate(TABLE_FIELDS)]
    lines = ["  ".join(f.ljust(w) for f, w in zip(TABLE_FIELDS, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    return "\n".join(lines)


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="URL|FILE...")
@DB_OPTION
@click.option("--published", type=Date(), help="Publication date for pages that lack one.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow URLs on loopback/private addresses (a local mirror); refused by default.",
)
def ingest(
    sources: tuple[str, ...], db_path: Path, published: date | None, allow_private: bool
) -> None:
    """Ingest article files (HTML or text) or URLs into the database, once each.

    A file or URL that fails is recorded in the errors table and reported; the others are
    still stored, and the exit code is 3.
    """
    from extractor.jobs.ingest import ingest as ingest_sources
    from extractor.store.db import open_db

    db = open_db(db_path)
    with interruptible():
        summary = ingest_sources(db, sources, published=published, allow_private=allow_private)
    for url in summary.truncated:
        click.echo(f"Warning: {url}: {CUT_SHORT}", err=True)
    click.echo(
        f"{summary.new_articles} new article(s) and {summary.new_facts} fact(s) stored in {db_path}"
    )
    if summary.errors:
        for message in summary.failures:
            click.echo(f"Error: {message}", err=True)
        sys.exit(EXIT_RECORDED_ERRORS)


@cli.command()
@click.option(
    "--sources",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("sources.toml"),
    show_default=True,
    help="Sources file.",
)
@DB_OPTION
@click.option(
    "--every",
    "interval",
    metavar="INTERVAL",
    help="Keep running: start a pass every INTERVAL (90s, 30m, 6h, 1d). Ctrl-C stops.",
)
def crawl(sources: Path, db_path: Path, interval: str | None) -> None:
    """Fetch every configured source once and store new articles and facts.

    Sends conditional requests for pages seen before, obeys robots.txt, records per-article
    failures in the errors table and prints a summary. A lock file beside the database stops
    two crawls overlapping.
    """
    # systemd and kill send SIGTERM: stop like Ctrl-C, so the run row is closed as
    # "interrupted" and the lock released, instead of dying mid-article. Restored on return:
    # the command also runs in-process (tests, library callers).
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        _crawl(sources, db_path, interval)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _crawl(sources: Path, db_path: Path, interval: str | None) -> None:
    from extractor.jobs.crawl import crawl_pass, every, parse_interval
    from extractor.jobs.sources import load_sources
    from extractor.store.db import open_db

    config = load_sources(sources)
    seconds = parse_interval(interval) if interval else None
    db = open_db(db_path)

    def one_pass() -> int:
        with progress_bar("crawling", show_pos=True) as on_progress:
            summary = crawl_pass(db, db_path, config, on_progress=on_progress)
        # A scheduled crawl's summaries pile up in one log: each says when it ended.
        click.echo(f"{stamp()} {summary.line()}" if seconds is not None else summary.line())
        return summary.errors

    if seconds is None:
        try:
            errors = one_pass()
        except KeyboardInterrupt:  # the run row is already closed as "interrupted"
            click.echo("interrupted; the next crawl carries on where this one stopped", err=True)
            sys.exit(EXIT_INTERRUPTED)
        if errors:  # the pages that failed are in the errors table, with their reasons
            sys.exit(EXIT_RECORDED_ERRORS)
        return
    try:  # a pass that fails (e.g. the lock is held) is reported and skipped; the loop goes on
        every(seconds, one_pass, on_error=lambda error: click.echo(f"Error: {error}", err=True))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@cli.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--public",
    is_flag=True,
    help="For a network: no arbitrary SQL, a SQL time limit, no download (always read-only).",
)
def serve(db_path: Path, host: str, port: int, public: bool) -> None:
    """Browse the facts in Datasette (Ctrl-C stops it)."""
    from extractor.serve.app import check_database
    from extractor.serve.app import serve as run_datasette

    check_database(db_path)  # before saying "Serving": a wrong path fails in one line
    click.echo(f"Serving {db_path} on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    run_datasette(db_path, host=host, port=port, public=public)


@cli.command(name="eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--show-errors",
    is_flag=True,
    help="List missed and extra facts and wrong fields per file (NewsQuant: per quantity).",
)
def eval_command(paths: tuple[Path, ...], as_json: bool, show_errors: bool) -> None:
    """Score extraction against gold files or a NewsQuant JSONL.

    PATHS are gold files in SPEC.md format, NewsQuant `.jsonl` files, which score the
    quantity layer alone (value, value+unit, value+change), or folders of either (`*.json`,
    fixture folders' `*/expected.json`, `*.jsonl`).
    """
    from extractor.evaluate.scoring import evaluate, report_json

    gold, newsquant = evaluate(paths)
    if gold is not None:
        click.echo(report_json(gold) if as_json else gold.table(show_errors))
    for report in newsquant:
        click.echo(json.dumps(report.model_dump(), indent=2) if as_json else report.table())
        if show_errors and not as_json:
            from extractor.evaluate.newsquant import score_newsquant

            click.echo(score_newsquant(Path(report.path), keep_examples=True).errors())


@cli.command()
@DB_OPTION
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Extracting processes (default: one per core).",
)
@click.option("--all", "everything", is_flag=True, help="Redo every article, stale or not.")
def reextract(db_path: Path, workers: int | None, everything: bool) -> None:
    """Re-run extraction on stored articles made with an older patterns version.

    Each article's facts are replaced in one transaction; an interrupted run can be rerun.
    """
    from extractor.jobs.reextract import reextract as run_reextract

    with interruptible(), progress_bar("Re-extracting") as on_progress:
        result = run_reextract(
            db_path, workers=workers, everything=everything, on_progress=on_progress
        )
    click.echo(result.line())
    if result.errors:  # those articles kept their old facts; the errors table says why
        sys.exit(EXIT_RECORDED_ERRORS)


@cli.command()
@click.argument("source", metavar="[FILE|-]", required=False)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Input lines of {"id", "text"}; prints {"id", "quantities"} a line.',
)
def quantities(source: str | None, jsonl: Path | None) -> None:
    """Print every quantity (number with its unit) found in each input line, as JSONL.

    With --jsonl FILE each line {"id", "text"} gives one line {"id", "quantities": [{value,
    range, unit, unit_surface, change, concept, surface, span}]} (NewsQuant's convention).
    Without it, the plain text of FILE (or stdin) gives one such line.
    """
    from extractor.evaluate.newsquant import quantities_records

    if jsonl is not None:
        lines = read_input(str(jsonl), page=False).splitlines()
    else:
        text = read_input(source or "-", page=False)
        lines = [json.dumps({"id": source or "-", "text": text})]
    with ExitStack() as stack:
        items: Iterable[str] = lines
        if len(lines) > 500 and sys.stderr.isatty():
            items = stack.enter_context(
                click.progressbar(lines, label="quantities", file=sys.stderr)
            )
        for record in quantities_records(items):
            click.echo(json.dumps(record, ensure_ascii=False))


@cli.group()
def patterns() -> None:
    """The rules kept as data in patterns/*.jsonl: check them before a re-extraction."""


@patterns.command()
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def check(directory: Path | None) -> None:
    """Validate every pattern file in DIR (default: the installed patterns) and list every
    problem as FILE:LINE: FIELD: PROBLEM. Exits 1 if there is any, 0 with a summary if not."""
    from extractor.patterns import PATTERNS_DIR, check_patterns
    from extractor.vocabulary import check_vocabulary

    folder = directory or PATTERNS_DIR
    result = check_patterns(folder)
    result.problems += check_vocabulary(folder)
    for problem in result.problems:
        click.echo(str(problem))
    click.echo(result.summary(), err=bool(result.problems))
    if result.problems:
        sys.exit(EXIT_FAILED)


def main() -> None:
    cli(prog_name="newsfacts")

"""The command line: every verb has real help; bad input gives one line and exit code 2/1."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from extractor.cli import cli

VERBS = ["extract", "ingest", "crawl", "serve", "eval", "reextract", "quantities"]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help_with_options(verb: str) -> None:
    result = CliRunner().invoke(cli, [verb, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output and "--help" in result.output
    assert len(cli.commands[verb].help or "") > 20


def test_top_level_help_lists_every_verb() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for verb in VERBS:
        assert verb in result.output


def test_bad_date_is_one_line_error_with_exit_2(tmp_path) -> None:
    page = tmp_path / "a.txt"
    page.write_text("Exports rose 5% to $10 billion in 2025.")
    proc = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(page), "--published", "2025"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "YYYY-MM-DD" in proc.stderr


def test_missing_file_is_one_line_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", "/no/such/file.html"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "no such file" in proc.stderr


def test_extract_reads_stdin_and_prints_the_contract() -> None:
    result = CliRunner().invoke(
        cli, ["extract", "-", "--published", "2026-01-30"], input="Exports rose 5% in 2025.\n"
    )
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert set(payload) == {"article", "facts"}
    assert payload["article"]["published"] == "2026-01-30"
    assert isinstance(payload["facts"], list)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_extract_other_formats(fmt: str) -> None:
    result = CliRunner().invoke(cli, ["extract", "-", "--format", fmt], input="No numbers here.")
    assert result.exit_code == 0


def test_extract_csv_has_one_row_per_fact_with_json_lists() -> None:
    text = "China's exports rose 7.2% to $758.3 billion in 2025.\n"
    as_json = CliRunner().invoke(cli, ["extract", "-", "--published", "2026-01-30"], input=text)
    as_csv = CliRunner().invoke(
        cli, ["extract", "-", "--published", "2026-01-30", "--format", "csv"], input=text
    )
    facts = json.loads(as_json.output)["facts"]
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert facts and len(rows) == len(facts)
    assert [json.loads(row["span"]) for row in rows] == [fact["span"] for fact in facts]
    assert [float(row["value"]) for row in rows] == [fact["value"] for fact in facts]


def test_ingest_records_a_bad_file_and_stores_the_rest(tmp_path) -> None:
    """One file that cannot be read does not stop the others: it becomes an error row of the
    ingest run, its message is one line on stderr, and the exit code is 3."""
    import sqlite3

    good = tmp_path / "good.txt"
    good.write_text("China's exports rose 7.2% to $758.3 billion in 2025.\n")
    missing = tmp_path / "missing.html"
    db_path = tmp_path / "news.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(missing), str(good)])
    assert result.exit_code == 3  # done, with errors recorded
    assert "Traceback" not in result.output
    assert "1 new article(s) and 1 fact(s) stored" in result.output
    assert f"Error: {missing}: no such file" in result.output
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    (run,) = conn.execute("select * from runs").fetchall()
    assert (run["kind"], run["status"], run["articles_new"], run["errors"]) == (
        "ingest",
        "done",
        1,
        1,
    )
    (error,) = conn.execute("select * from errors").fetchall()
    assert (error["run_id"], error["stage"], error["url"]) == (
        run["id"],
        "fetch",
        missing.resolve().as_uri(),
    )
    (article,) = conn.execute("select canonical_url, run_id from articles").fetchall()
    assert tuple(article) == (good.resolve().as_uri(), run["id"])
    assert conn.execute("select count(*) from facts").fetchone()[0] > 0


def test_ingest_of_good_files_exits_0_and_stores_each_once(tmp_path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("China's exports rose 7.2% to $758.3 billion in 2025.\n")
    db_path = tmp_path / "news.db"
    first = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(page)])
    assert first.exit_code == 0 and "1 new article(s) and 1 fact(s) stored" in first.output
    again = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(page)])
    assert again.exit_code == 0 and "0 new article(s) and 0 fact(s) stored" in again.output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty; nothing to read"),
        (b"  \n\t\n", "empty; nothing to read"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "not a page or text but a binary file"),
        (bytes(range(32)) * 200, "not a page or text but binary data"),
    ],
    ids=["empty", "blank", "pdf", "control-bytes"],
)
def test_empty_or_binary_files_are_refused_not_stored(tmp_path, content, says) -> None:
    """They used to be stored as articles with a garbage title ("1 new article(s) stored")."""
    import sqlite3

    bad = tmp_path / "bad.html"
    bad.write_bytes(content)
    db_path = tmp_path / "news.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(bad)])
    assert result.exit_code == 3
    assert f"Error: {bad}: {says}" in result.output
    assert "0 new article(s)" in result.output
    assert sqlite3.connect(db_path).execute("select count(*) from articles").fetchone() == (0,)
    extracted = CliRunner().invoke(cli, ["extract", str(bad)])
    assert extracted.exit_code == 1 and f"Error: {bad}: {says}" in extracted.output


def test_ingest_refuses_a_database_in_a_missing_folder_and_creates_none(tmp_path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("China's exports rose 7.2% to $758.3 billion in 2025.\n")
    db_path = tmp_path / "no" / "such" / "news.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(page)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "mkdir -p" in result.output
    assert not (tmp_path / "no").exists()


def test_ingest_of_a_folder_says_it_is_a_folder(tmp_path) -> None:
    db_path = tmp_path / "news.db"
    result = CliRunner().invoke(cli, ["ingest", "--db", str(db_path), str(tmp_path)])
    assert result.exit_code == 3
    assert f"Error: {tmp_path}: is a folder; name the files in it" in result.output


def test_a_text_cut_short_is_said_on_stderr(tmp_path) -> None:
    """A page longer than an article holds is cut (a hostile page must not stall a run); the
    cut used to be silent."""
    page = tmp_path / "huge.txt"
    sentence = "China's exports rose 7.2% to $758.3 billion in 2025. "
    page.write_text(sentence * 4000)
    result = CliRunner().invoke(cli, ["extract", str(page)])
    assert result.exit_code == 0
    assert f"Warning: {page}: the article text was cut short" in result.output
    ingested = CliRunner().invoke(cli, ["ingest", "--db", str(tmp_path / "n.db"), str(page)])
    assert "the article text was cut short" in ingested.output


def test_our_errors_become_one_line_in_one_place(tmp_path) -> None:
    """Every verb's NewsfactsError goes through the command group's one handler: one
    `Error: ...` line, exit code 1, no per-command try/except to forget."""
    import ast
    from pathlib import Path

    import extractor.cli

    tree = ast.parse(Path(extractor.cli.__file__).read_text(encoding="utf-8"))
    handlers = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.ExceptHandler)
        and ast.unparse(node.type or ast.Name("")) == "NewsfactsError"
    ]
    assert len(handlers) == 1
    for args in (
        ["eval", str(tmp_path)],  # a folder with no gold files
        ["reextract", "--db", str(tmp_path / "none.db")],
        ["serve", "--db", str(tmp_path / "none.db")],
        ["crawl", "--sources", str(tmp_path / "none.toml"), "--db", str(tmp_path / "x.db")],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, args
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, args


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "Exit codes: 0 done; 1 stopped by an error" in result.output
    assert "3 done, but some articles failed" in result.output

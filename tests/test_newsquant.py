"""NewsQuant records and scoring on files we write ourselves; the CLI on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extractor.evaluate.newsquant import nq_unit, score_newsquant
from extractor.extract.inflection import singular
from extractor.extract.quantities import quantities_in_text


def test_units_map_to_newsquant_names() -> None:
    names = [nq_unit(q) for q in quantities_in_text(
        "It sold 751 million units for $5 billion, up 3%, at 12 dollars per share, to 40 workers."
    )]  # fmt: skip
    assert names == ["unit", "dollar", "percentage", "dollar per share", "worker"]
    assert singular("public housing properties") == "public housing property"


def test_score_newsquant_counts_value_unit_and_change(tmp_path: Path) -> None:
    gold = [
        {"id": "a", "text": "Exports rose 5% to $2 billion.", "quantities": [
            {"value": 5.0, "range": None, "unit": "percentage", "change": "up"},
            {"value": 2e9, "range": None, "unit": "dollar", "change": "="}]},
        {"id": "b", "text": "Growth of 5-6% is seen, about 30 people said.", "quantities": [
            {"value": None, "range": [5.0, 6.0], "unit": "percentage", "change": "up"},
            {"value": 30.0, "range": None, "unit": "people", "change": "="}]},
    ]  # fmt: skip
    path = tmp_path / "nq.jsonl"
    path.write_text("\n".join(json.dumps(g) for g in gold))
    report = score_newsquant(path)
    assert (report.gold, report.predicted) == (4, 4)
    assert report.value.tp == 4 and report.value_unit.tp == 4
    assert report.value_change.tp == 3  # "about 30 people" is "~", not "="
    assert "value+change" in report.table()
    assert json.loads(report.model_dump_json())["value"]["f1"] == 1.0
    errors = score_newsquant(path, keep_examples=True).errors().splitlines()
    assert errors[0].startswith("b: wrong change: gold (30.0,") and "about 30 people" in errors[1]
    assert len(errors) == 2


def run(verb: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "extractor", verb, *args],
                          input=stdin, capture_output=True, timeout=300)  # fmt: skip


def test_cli_jsonl_and_bad_input(tmp_path: Path) -> None:
    good = tmp_path / "in.jsonl"
    good.write_text('{"id": "x", "text": "Imports fell 1.4% to RM5 billion."}\n')
    out = run("quantities", "--jsonl", str(good))
    assert out.returncode == 0
    record = json.loads(out.stdout)
    assert [q["unit"] for q in record["quantities"]] == ["percent", "MYR"]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": 1}\n\xff\xfe junk')
    out = run("quantities", "--jsonl", str(bad))
    assert out.returncode == 1 and b"Traceback" not in out.stderr
    assert out.stderr.strip().count(b"\n") == 0
    five_mb = ("Trade talks resumed in the capital on Monday. " * 105_000).encode()
    dense = ("Exports rose 5%. " * 20_000).encode()
    for stdin in (b"", b"\x00\x01\xff" * 1000, five_mb, dense):
        out = run("quantities", stdin=stdin)
        assert out.returncode == 0 and b"Traceback" not in out.stderr
    assert len(json.loads(out.stdout)["quantities"]) == 20_000


def test_eval_reads_a_folder_of_newsquant_files_and_rejects_an_empty_one(tmp_path: Path) -> None:
    sentences = tmp_path / "eval"
    sentences.mkdir()
    record = {"id": "a", "text": "Exports rose 5% to $2 billion.", "quantities": [
        {"value": 5.0, "range": None, "unit": "percentage", "change": "up"},
        {"value": 2e9, "range": None, "unit": "dollar", "change": "="}]}  # fmt: skip
    (sentences / "nq.jsonl").write_text(json.dumps(record) + "\n")
    out = run("eval", "--json", str(sentences))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["value"]["tp"] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run("eval", "--json", str(empty))
    assert out.returncode == 1 and b"Traceback" not in out.stderr
    assert b"holds no gold files" in out.stderr and out.stderr.strip().count(b"\n") == 0

"""`newsfacts patterns check`: every problem in a pattern folder is reported as file:line, all of
them at once, and the exit code says whether there was any. Each case copies the real folder
and breaks one line of one family."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from extractor.cli import cli
from extractor.errors import PatternError
from extractor.patterns import FAMILIES, PATTERNS_DIR, check_patterns, load_family

LINE = 3  # the line broken in each case: not the first, so the number is really checked


def entry_line(family: str) -> int:
    """LINE, or the first entry after it where comment lines (`//`) come between entries."""
    lines = (PATTERNS_DIR / f"{family}.jsonl").read_text(encoding="utf-8").splitlines()
    return next(n for n in range(LINE, len(lines) + 1) if lines[n - 1].startswith("{"))


# A field each family's entries have, and a value of the wrong type for it.
FIELDS: dict[str, tuple[str, Any]] = {
    "metrics": ("kind", 3),
    "periods": ("gate", ["year"]),
    "qualifiers": ("qualifier", 1),
    "bases": ("basis", True),
    "quantities": ("block", "yes please"),
    "changes": ("role", ["verb"]),
    "entities": ("canonical", None),
    "units": ("position", 0),
    "unit_denominators": ("unit", 5),
    "numbers": ("value", "many"),
    "months": ("number", "May"),
    "cues": ("role", 7),
}


def broken_folder(tmp_path: Path, family: str, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the real pattern folder with line LINE of `family` changed."""
    folder = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, folder)
    path = folder / f"{family}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = entry_line(family)
    entry = json.loads(lines[line - 1])
    change(entry)
    lines[line - 1] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run_check(folder: Path | None = None) -> Result:
    return CliRunner().invoke(cli, ["patterns", "check", *([str(folder)] if folder else [])])


def assert_reported(result: Result, folder: Path, family: str, field: str) -> None:
    assert result.exit_code == 1, result.output
    where = f"{folder / family}.jsonl:{entry_line(family)}: {field}: "
    assert where in result.stdout, result.output


def misspell(name: str) -> str:
    return name[0] + name[2] + name[1] + name[3:]


def test_the_real_patterns_check_clean() -> None:
    result = run_check()
    assert result.exit_code == 0, result.output
    count = len(list(PATTERNS_DIR.glob("*.jsonl")))
    assert re.fullmatch(rf"{count} pattern files, [\d,]+ entries: no problems\n", result.output)


def test_the_command_has_help() -> None:
    result = CliRunner().invoke(cli, ["patterns", "check", "--help"])
    assert result.exit_code == 0 and "FILE:LINE" in result.output
    assert "check" in CliRunner().invoke(cli, ["patterns", "--help"]).output


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_misspelled_field_is_named_with_its_likely_meaning(tmp_path, family) -> None:
    field, _ = FIELDS[family]
    folder = broken_folder(tmp_path, family, lambda e: e.update({misspell(field): e.pop(field)}))
    result = run_check(folder)
    assert_reported(result, folder, family, misspell(field))
    assert f"did you mean {field!r}?" in result.stdout


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_an_unknown_field_is_reported(tmp_path, family) -> None:
    folder = broken_folder(tmp_path, family, lambda e: e.update(colour="green"))
    assert_reported(run_check(folder), folder, family, "colour")


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_a_wrong_type_is_reported(tmp_path, family) -> None:
    field, wrong = FIELDS[family]
    folder = broken_folder(tmp_path, family, lambda e: e.update({field: wrong}))
    assert_reported(run_check(folder), folder, family, field)


@pytest.mark.parametrize("field", ["pattern", "gate"])
def test_a_period_regex_that_does_not_compile_is_reported(tmp_path, field) -> None:
    folder = broken_folder(tmp_path, "periods", lambda e: e.update({field: "(?P<m>{MONTH}"}))
    result = run_check(folder)
    assert_reported(result, folder, "periods", field)
    assert "not a valid regex" in result.stdout


def test_a_cue_regex_that_does_not_compile_is_reported(tmp_path) -> None:
    folder = broken_folder(tmp_path, "cues", lambda e: e.update(pattern="(?i)(rose|{FLOW}"))
    result = run_check(folder)
    assert_reported(result, folder, "cues", "pattern")
    assert "not a valid regex" in result.stdout


def test_an_unknown_period_macro_is_reported(tmp_path) -> None:
    folder = broken_folder(tmp_path, "periods", lambda e: e.update(pattern=r"{MONHT}\s+\d+"))
    result = run_check(folder)
    assert_reported(result, folder, "periods", "pattern")
    assert "unknown macro {MONHT}" in result.stdout


@pytest.mark.parametrize("family", ["changes", "quantities"])
def test_a_bad_token_attribute_is_reported(tmp_path, family) -> None:
    def rename(entry: dict[str, Any]) -> None:
        token = entry["pattern"][0]
        key = next(k for k in token if k != "OP")
        token["LOWR"] = token.pop(key)

    folder = broken_folder(tmp_path, family, rename)
    result = run_check(folder)
    assert_reported(result, folder, family, "pattern")
    assert "0.LOWR" in result.stdout


def test_every_problem_is_listed_not_only_the_first(tmp_path) -> None:
    folder = broken_folder(tmp_path, "units", lambda e: e.update(colour="green"))
    lines = (folder / "numbers.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "numbers.jsonl").write_text("\n".join(["{not json", *lines[1:]]) + "\n")
    result = run_check(folder)
    assert result.exit_code == 1
    assert f"{folder / 'numbers.jsonl'}:1: not valid JSON" in result.stdout
    assert f"{folder / 'units.jsonl'}:{LINE}: colour: unknown field" in result.stdout
    assert "2 problems" in result.output


def test_ids_are_unique_within_and_across_files(tmp_path) -> None:
    first_unit = json.loads((PATTERNS_DIR / "units.jsonl").read_text().splitlines()[0])["id"]
    folder = broken_folder(tmp_path, "units", lambda e: e.update(id=first_unit))
    problems = [str(p) for p in check_patterns(folder).problems]
    assert problems == [f"{folder / 'units.jsonl'}:{LINE}: id: duplicate id {first_unit!r} "
                        "(first on line 1)"]  # fmt: skip
    folder = broken_folder(tmp_path / "again", "bases", lambda e: e.update(id=first_unit))
    problems = [str(p) for p in check_patterns(folder).problems]
    assert problems == [f"{folder / 'units.jsonl'}:1: id: id {first_unit!r} is also used in "
                        f"bases.jsonl:{LINE}"]  # fmt: skip


def test_a_missing_family_file_is_reported(tmp_path) -> None:
    folder = broken_folder(tmp_path, "units", lambda e: None)
    (folder / "bases.jsonl").unlink()
    result = run_check(folder)
    assert result.exit_code == 1
    assert f"{folder / 'bases.jsonl'}:0: file missing" in result.stdout


def test_loading_a_broken_family_raises_pattern_error_with_file_and_line(tmp_path) -> None:
    folder = broken_folder(tmp_path, "changes", lambda e: e.update(direction="sideways"))
    with pytest.raises(PatternError) as caught:
        load_family("changes", folder)
    assert (caught.value.path, caught.value.line) == (str(folder / "changes.jsonl"), LINE)
    assert caught.value.problems == ["direction: Input should be 'up' or 'down'"]


@pytest.mark.parametrize(
    ("family", "change", "field", "says"),
    [
        ("months", lambda e: e.update(number=1), "number", "month 1 is also"),
        ("cues", lambda e: e.update(role="counted_goods"), "role", "is also the role of"),
    ],
    ids=["month-twice", "cue-role-twice"],
)
def test_rules_across_entries_are_checked_with_file_and_line(
    tmp_path, family, change, field, says
) -> None:
    """Rules no single line can break alone used to surface only when extraction first read
    the vocabulary (with line 0, and only for the installed folder)."""
    folder = broken_folder(tmp_path, family, change)
    result = run_check(folder)
    assert_reported(result, folder, family, field)
    assert says in result.stdout


def test_a_local_dollar_must_be_a_currency_the_units_know(tmp_path) -> None:
    folder = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, folder)
    path = folder / "entities.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if '"local_dollar"' in line)
    entry = json.loads(lines[number - 1])
    entry["local_dollar"] = "XYZ"
    lines[number - 1] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_check(folder)
    assert result.exit_code == 1
    assert f"{path}:{number}: local_dollar: 'XYZ' is no currency of units.jsonl" in result.stdout

"""Vocabulary lives in patterns/ only (STYLE.md): the sets, tables and regexes the code reads
are derived from the pattern files, and no list of currency codes, months or flow words creeps
back into the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from extractor.cues import cue_regex
from extractor.errors import PatternError
from extractor.vocabulary import (
    currency_codes,
    fiscal_start,
    flow_words,
    local_dollar,
    month_number,
    month_words,
    months,
)

PACKAGE = Path(__file__).resolve().parent.parent / "extractor"


def literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module but its docstrings, and every set, list, tuple or dict
    of strings joined into one, with its line number (implicitly joined strings are one
    literal already)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
            items = [*node.keys, *node.values] if isinstance(node, ast.Dict) else node.elts
            words = [
                k.value for k in items if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
            if len(words) > 1:
                found.append((node.lineno, " | ".join(words)))
    return found


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


def currency_list(text: str) -> set[str]:
    return words_of(text) & currency_codes()


def month_list(text: str) -> set[int]:
    return {month_number(w) for w in words_of(text) if w.lower() in month_words()}


def flow_list(text: str) -> set[str]:
    return {w.lower() for w in words_of(text)} & set(flow_words("trade"))


@pytest.mark.parametrize(
    ("kind", "found"),
    [("ISO currency codes", currency_list), ("months", month_list), ("flow words", flow_list)],
)
def test_no_word_list_in_the_code(kind, found) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {sorted(map(str, hits))}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in literals(path)
        if len(hits := found(text)) >= 3
    ]
    assert offenders == [], f"{kind} belong in patterns/, not in code"


def test_the_checks_catch_the_lists_they_are_for() -> None:
    assert currency_list('{"USD", "CNY", "EUR"}') == {"USD", "CNY", "EUR"}
    assert month_list(r"\b(?:Jan|Feb|Mar)\b") == {1, 2, 3}
    assert flow_list("(?:exports|imports|shipments)") == {"exports", "imports", "shipments"}


def test_currency_codes_come_from_the_unit_entries() -> None:
    assert {"USD", "CNY", "EUR", "JPY", "KRW", "AUD", "TWD"} <= currency_codes()
    assert not {"GBX", "cent", "percent", "t"} & currency_codes()  # minor units, not codes


def test_one_month_table() -> None:
    assert [m.name for m in months()][:3] == ["January", "February", "March"]
    assert month_number("Sept.") == month_number("September") == 9
    assert month_number("mayor") == 5 and month_number("Tuesday") == 0  # by prefix, as before
    assert "may" in month_words() and "sept" in month_words()


def test_month_regexes_keep_their_case() -> None:
    hint = cue_regex("period_hint")  # a gate: any case
    assert hint.search("sales rose in sept") and hint.search("Sales rose in Sept")
    end = cue_regex("abbreviation_end")  # "Sept." is cut short, "May." ends a sentence
    assert end.search("figures for Sept.") and not end.search("figures for May.")


def test_flow_words_are_marked_in_metrics() -> None:
    assert set(flow_words("trade")) == {"exports", "imports", "shipments", "sales"}
    assert set(flow_words()) == {"exports", "imports", "shipments", "sales", "output", "production"}


def test_economies_facts_come_from_their_entities() -> None:
    assert fiscal_start("India") == 4 and fiscal_start("United States") == 10
    assert fiscal_start("China") is None and fiscal_start(None) is None
    assert local_dollar("Australia") == "AUD" and local_dollar("United States") is None


def test_an_unknown_cue_role_says_which() -> None:
    with pytest.raises(PatternError, match="no cue has role 'nope'"):
        cue_regex("nope")

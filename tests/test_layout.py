"""The package's shape is part of its design: stages in order, no circles, modules a newcomer can
read. Every `import` in `extractor/` (lazy ones inside functions included) is checked here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "extractor"
# Data flows one way: a stage may use the stages before it, never one after it.
STAGES = ["ingest", "parse", "extract", "store", "serve", "evaluate"]
# Shared by every stage; they import only each other.
CORE = {"errors", "models", "patterns", "phrases", "cues", "vocabulary", "__init__"}
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("extractor"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("extractor"))
    known = modules()
    return {name for name in found if name in known}


def place(module: str) -> str:
    """Where a module sits: a stage, `core`, `pipeline`, `jobs` or `cli`."""
    parts = module.split(".")
    if len(parts) == 1:
        return "core"
    if parts[1] in STAGES or parts[1] == "jobs":
        return parts[1]
    if parts[1] in CORE:
        return "core"
    return parts[1]  # pipeline, cli, __main__


def allowed(importer: str, imported: str) -> bool:
    here, there = place(importer), place(imported)
    if here in ("cli", "__main__") or there == "core" or here == there:
        return True
    if here == "core":
        return False
    if here == "jobs":
        return there in STAGES or there == "pipeline"
    if here == "pipeline":
        return there in STAGES
    # A stage: earlier stages; evaluation (the last) also runs articles through the pipeline.
    if there in STAGES:
        return STAGES.index(there) <= STAGES.index(here)
    return here == "evaluate" and there == "pipeline"


def test_no_stage_imports_a_later_one():
    wrong = [
        f"{importer} imports {imported}"
        for importer, path in modules().items()
        for imported in sorted(imports_of(path))
        if not allowed(importer, imported)
    ]
    assert wrong == []


def test_no_import_circles():
    graph = {name: imports_of(path) - {name} for name, path in modules().items()}
    # A package's __init__ is not an edge back to its own modules.
    graph = {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_readable(name):
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"


def test_every_module_sits_in_a_stage_or_is_shared():
    places = {place(name) for name in modules()}
    assert places <= {*STAGES, "core", "jobs", "pipeline", "cli", "__main__"}


# --- all SQL in the store -----------------------------------------------------------------------

# Only the store talks SQL; serve/ configures Datasette (canned queries, its own connections).
SQL_HOMES = ("store", "serve")
DB_CALLS = {"execute", "executemany", "executescript", "query"}
SQL_TEXT = re.compile(
    r"^\s*(select\b.+\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|update\s+\w+\s+set\b|delete\s+from\b"
    r"|pragma\s+\w+|create\s+(table|index|trigger|view)\b|drop\s+(table|index)\b|begin\b"
    r"|with\s+\w+\s+as\s*\()",
    re.I | re.S,
)


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose, not SQL)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_outside_the_store(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):  # an f-string's literal parts are string constants too
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DB_CALLS
        ):
            found.append((node.lineno, f".{node.func.attr}("))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in prose
            and SQL_TEXT.match(node.value)
        ):
            found.append((node.lineno, repr(node.value[:40])))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_sql_lives_in_the_store():
    wrong = [
        f"{name} {where}"
        for name, path in modules().items()
        if place(name) not in SQL_HOMES
        for where in sql_outside_the_store(path)
    ]
    assert wrong == []


def test_the_sql_scan_sees_sql(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Select the rows from the store (prose, not SQL)."""\n'
        'db.execute("update feed_state set checked_at = ? where url = ?", [1, 2])\n'
        "rows = conn.query(sql)\n"
        'SQL = "select id from articles where id = ?"\n'
        'more = f"select * from articles where id in ({marks})"\n'
        'tune = "PRAGMA cache_size = -1000"\n'
        'words = "Update the feeds, then select the best."\n'
        "soup.select('.digest h3')\n"
    )
    assert [hit.split(":")[0] for hit in sql_outside_the_store(sample)] == [
        "line 2",
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]

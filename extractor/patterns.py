"""Load and validate the pattern files in `patterns/`, and stamp them with a version.

Pattern files are JSONL, one family per file. Every entry has an `id`, a spaCy token `pattern`
(or a phrase `pattern` string for EntityRuler-style entries) and `examples`
(`{"match": [...], "no_match": [...]}`) that the test suite runs. Loading reports every
problem as `file:line: problem`.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractor.errors import PatternError

# `extractor/resources/patterns` links to the top-level `patterns/` folder, so a checkout, an
# editable install and a wheel (which copies the files in) all find the same rules.
PATTERNS_DIR = Path(__file__).resolve().parent / "resources" / "patterns"


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class PatternEntry(BaseModel):
    """One pattern. Families may carry extra data (a label, a canonical value, a sign)."""

    model_config = ConfigDict(extra="allow")
    id: str
    pattern: list[dict[str, Any]] | str
    examples: Examples = Field(default_factory=Examples)


def pattern_files(directory: Path = PATTERNS_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_family(name: str, directory: Path = PATTERNS_DIR) -> list[PatternEntry]:
    """Load `patterns/<name>.jsonl`, validating every line; raise on the first bad line."""
    return _load_file(directory / f"{name}.jsonl")


@cache
def _load_file(path: Path) -> list[PatternEntry]:
    if not path.exists():
        raise PatternError(str(path), 0, ["pattern file not found"])
    entries: list[PatternEntry] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            entry = PatternEntry.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise PatternError(str(path), number, [f"not valid JSON ({exc.msg})"]) from exc
        except ValidationError as exc:
            problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            raise PatternError(str(path), number, problems) from exc
        if entry.id in seen:
            raise PatternError(str(path), number, [f"duplicate id {entry.id!r}"])
        seen.add(entry.id)
        entries.append(entry)
    return entries


@cache
def patterns_version(directory: Path = PATTERNS_DIR) -> str:
    """A short hash of every file in `patterns/`: stamped on facts so stale ones can be redone."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

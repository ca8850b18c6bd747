"""Load and validate the pattern files in `patterns/`, and stamp them with a version.

Pattern files are JSONL, one family per file, and each family has its own model below
(`extra="forbid"`: a misspelled field is an error, not a silently ignored extra). Every entry has
an `id`, a `pattern` (a spaCy token pattern, a phrase, or for periods a regex) and `examples`
(`{"match": [...], "no_match": [...]}`) that the test suite runs. Loading checks types, closed
value sets, regexes (after macro expansion) and token patterns (against spaCy's own schema), and
reports every problem as `file:line: field: problem`; `newsfacts patterns check` lists them all.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, overload

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from extractor.errors import PatternError

# `extractor/resources/patterns` links to the top-level `patterns/` folder, so a checkout, an
# editable install and a wheel (which copies the files in) all find the same rules.
PATTERNS_DIR = Path(__file__).resolve().parent / "resources" / "patterns"

TokenPattern = list[dict[str, Any]]

# ---- period regex macros: part of the periods.jsonl format, so the loader can check them ----

NUM_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
MACROS = {
    "{YEAR}": r"(?:19|20)\d{2}",
    "{NUM}": r"\d{1,2}|" + "|".join(NUM_WORDS),
}
# Macros whose words are pattern data themselves (months.jsonl, the `flow` of metrics.jsonl):
# extractor/vocabulary.py writes them out at run time. Checking a regex at load needs only a
# stand-in, so one file can be checked without the others.
VOCABULARY_MACROS = ("{MONTH}", "{MONTH_PREFIX}", "{MONTH_ABBREVIATION}", "{FLOW}")


def expand_macros(source: str) -> str:
    """A regex with its {YEAR} and {NUM} macros written out (vocabulary.expand_macros adds
    the month and flow macros)."""
    for macro, value in MACROS.items():
        source = source.replace(macro, value)
    return source


def _checked_regex(source: str, flags: int = re.IGNORECASE) -> str:
    """`source` when it is a valid regex once its macros are written out; else ValueError."""
    known = (*MACROS, *VOCABULARY_MACROS)
    unknown = sorted(set(re.findall(r"\{[A-Z_]+\}", source)) - set(known))
    if unknown:
        raise ValueError(f"unknown macro {', '.join(unknown)} (known: {', '.join(known)})")
    stand_in = expand_macros(source)
    for macro in VOCABULARY_MACROS:
        stand_in = stand_in.replace(macro, "(?:x)")
    try:
        re.compile(stand_in, flags)
    except re.error as exc:
        raise ValueError(f"not a valid regex after macro expansion: {exc}") from exc
    return source


def _token_pattern(pattern: TokenPattern) -> TokenPattern:
    from spacy.schemas import validate_token_pattern  # spaCy only where token patterns are read

    errors = validate_token_pattern(pattern)
    if errors:
        # spaCy says "[pattern -> 0 -> LOWR] Extra inputs are not permitted"
        found = [re.sub(r"^\[pattern(?: -> )?(.*?)\] ", r"token \1: ", e) for e in errors]
        raise ValueError("; ".join(f.replace(" -> ", ".") for f in found))
    return pattern


# ---- one model per family ----


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class PatternBase(BaseModel):
    """What every entry has. Families narrow `pattern` to the form they use."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    pattern: str | TokenPattern
    examples: Examples = Field(default_factory=Examples)


class LexiconPattern(PatternBase):
    """A quantity-layer lexicon entry (extract/lexicons.py): a phrase, matched ignoring case
    unless `case_sensitive` ("M" million vs "m" metres)."""

    case_sensitive: bool = False


class MetricPattern(PatternBase):
    """metrics.jsonl: a cue phrase naming what is measured ("trade surplus"), or a marker that
    changes the metric's meaning (a forecast, a share, a revision)."""

    matcher: Literal["phrase"] = "phrase"
    pattern: str = Field(min_length=1)
    name: str | None = None  # the metric's name; the matched words when absent
    category: str = ""
    kind: Literal["noun", "verb", "marker"] = "noun"
    role: Literal["", "forecast", "share", "revision_old", "revision_new"] = ""
    suffix: str = ""  # what a marker appends to the metric (" forecast", " (revised)")
    flow: Literal["trade", "production"] | None = None  # a cue naming a flow of goods


PeriodKind = Literal[
    "day", "day_range", "day_span", "exclude", "first_days", "first_months", "fiscal_ending",
    "fiscal_span", "fiscal_year", "half", "last_months", "month", "month_range", "months_to",
    "quarter", "relative_fiscal", "relative_month", "relative_quarter", "relative_season",
    "relative_year", "same_period", "same_span", "season_span", "year", "year_ago",
    "year_range", "year_to",
]  # fmt: skip


class PeriodPattern(PatternBase):
    """periods.jsonl: a regex with macros, resolved by `kind`; `gate` is a cheap regex searched
    first, without which the pattern cannot match."""

    matcher: Literal["regex"] = "regex"
    kind: PeriodKind
    pattern: str = Field(min_length=1)
    gate: str | None = None

    @field_validator("pattern", "gate")
    @classmethod
    def check_regex(cls, source: str | None) -> str | None:
        return source if source is None else _checked_regex(source)


class QualifierPattern(LexiconPattern):
    """qualifiers.jsonl: "about", "more than", "at least" before a number."""

    pattern: str = Field(min_length=1)
    qualifier: Literal["~", ">", ">=", "<", "<="]


class BasisPattern(LexiconPattern):
    """bases.jsonl: the comparison basis of a change ("year-on-year" -> yoy)."""

    pattern: str = Field(min_length=1)
    basis: Literal["yoy", "mom", "qoq"]


class QuantityPattern(PatternBase):
    """quantities.jsonl: a Matcher token pattern around a number that is not a quantity ("No. 1",
    a phone number). The quantity layer skips the Matcher wherever one of the pattern's required
    ORTH/LOWER/TEXT/SHAPE tokens is missing, so every blocker needs at least one."""

    pattern: TokenPattern
    block: bool = True

    @field_validator("pattern")
    @classmethod
    def check_pattern(cls, pattern: TokenPattern) -> TokenPattern:
        _token_pattern(pattern)
        keys = ("ORTH", "LOWER", "TEXT", "SHAPE")
        if not any(spec.get("OP") not in ("?", "*") and set(spec) & set(keys) for spec in pattern):
            raise ValueError("a not-quantity pattern needs a required ORTH/LOWER/TEXT/SHAPE token")
        return pattern


class ChangePattern(LexiconPattern):
    """changes.jsonl: movement words ("rose" up, "down" down) in the role they play."""

    pattern: str | TokenPattern
    direction: Literal["up", "down"]
    role: Literal["verb", "adverb", "noun", "verb_by"]

    @field_validator("pattern")
    @classmethod
    def check_pattern(cls, pattern: str | TokenPattern) -> str | TokenPattern:
        if isinstance(pattern, str):
            return pattern
        _token_pattern(pattern)
        for spec in pattern:
            keys = set(spec) - {"OP"}
            value = spec.get(next(iter(keys))) if len(keys) == 1 else None
            literal = isinstance(value, str) or (isinstance(value, dict) and set(value) == {"IN"})
            if keys - {"LOWER", "ORTH", "TEXT"} or len(keys) != 1 or not literal:
                raise ValueError("a lexicon token needs one LOWER/ORTH/TEXT word or IN list")
        return pattern


class EntityPattern(PatternBase):
    """entities.jsonl: an EntityRuler-style alias of an economy, bloc, port, company..."""

    label: Literal["GPE", "NORP", "LOC", "ORG"]
    kind: Literal[
        "economy", "demonym", "dateline", "bloc", "bloc_anaphor", "region", "port", "company",
        "scope", "institution", "agency",
    ]  # fmt: skip
    pattern: str = Field(min_length=1)
    canonical: str = ""  # the alias itself when absent
    # An economy's own facts, on its canonical entry: the first month of its fiscal year, and
    # the ISO code "$" means in its own statistics ("AUD").
    fiscal_start: int | None = Field(default=None, ge=1, le=12)
    local_dollar: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def default_canonical(self) -> EntityPattern:
        self.canonical = self.canonical or self.pattern
        return self


class UnitPattern(LexiconPattern):
    """units.jsonl: a unit surface with its canonical `unit`, NewsQuant name `nq`, `kind` and
    where it stands: before the number ($), after it (tonnes) or either (US$)."""

    pattern: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    nq: str = Field(min_length=1)
    kind: Literal["currency", "percent", "index", "physical", "age", "time", "count", "sport"]
    position: Literal["pre", "post", "both"] = "post"
    minor: bool = False  # pence, cents: money, but no ISO code of its own
    header: bool = False  # a surface a table header may name its unit with


class UnitDenominatorPattern(LexiconPattern):
    """unit_denominators.jsonl: the "per barrel" part of a compound unit; `unit` is its
    canonical form where it has one (barrel -> bbl)."""

    pattern: str = Field(min_length=1)
    nq: str = Field(min_length=1)
    unit: str | None = None


class NumberPattern(LexiconPattern):
    """numbers.jsonl: number words, scales and fractions; `value_high` closes a vague range
    ("dozens" 24-120)."""

    pattern: str = Field(min_length=1)
    kind: Literal[
        "unit", "tens", "hundred", "scale", "scale_abbrev", "dozen", "vague", "fraction",
        "decimal_point", "article",
    ]  # fmt: skip
    value: float
    value_high: float | None = None
    header: bool = False  # a scale word a table header may state ("US$ million")


class MonthPattern(PatternBase):
    """months.jsonl: a month's full name (`pattern`), its `number` and its abbreviations."""

    pattern: str = Field(min_length=1)
    number: int = Field(ge=1, le=12)
    abbreviations: list[str] = Field(default_factory=list)


class CuePattern(PatternBase):
    """cues.jsonl: a named word regex the fact layer reads around numbers ("compared with",
    "rose ... to"); `role` is the name the code asks for, flags are inline, macros allowed;
    `anchored` cues are applied at a position (re.match), the others searched."""

    matcher: Literal["regex"] = "regex"
    role: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    anchored: bool = False

    @field_validator("pattern")
    @classmethod
    def check_regex(cls, source: str) -> str:
        return _checked_regex(source, flags=0)


FAMILIES: dict[str, type[PatternBase]] = {
    "metrics": MetricPattern,
    "periods": PeriodPattern,
    "qualifiers": QualifierPattern,
    "bases": BasisPattern,
    "quantities": QuantityPattern,
    "changes": ChangePattern,
    "entities": EntityPattern,
    "units": UnitPattern,
    "unit_denominators": UnitDenominatorPattern,
    "numbers": NumberPattern,
    "months": MonthPattern,
    "cues": CuePattern,
}


# ---- loading ----


@dataclass(frozen=True)
class PatternProblem:
    path: Path
    line: int  # 0: the whole file
    field: str  # "" when the problem is the line (or file) itself
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: "
        return where + (f"{self.field}: {self.message}" if self.field else self.message)


@dataclass
class PatternCheck:
    """What `check_patterns` found in a folder."""

    files: int = 0
    entries: int = 0
    problems: list[PatternProblem] = field(default_factory=list)

    def summary(self) -> str:
        found = f"{len(self.problems):,} problems" if self.problems else "no problems"
        return f"{self.files:,} pattern files, {self.entries:,} entries: {found}"


def pattern_files(directory: Path = PATTERNS_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


# fmt: off
@overload
def load_family(name: Literal["metrics"], directory: Path = ...) -> list[MetricPattern]: ...
@overload
def load_family(name: Literal["periods"], directory: Path = ...) -> list[PeriodPattern]: ...
@overload
def load_family(name: Literal["qualifiers"], directory: Path = ...) -> list[QualifierPattern]: ...
@overload
def load_family(name: Literal["bases"], directory: Path = ...) -> list[BasisPattern]: ...
@overload
def load_family(name: Literal["quantities"], directory: Path = ...) -> list[QuantityPattern]: ...
@overload
def load_family(name: Literal["changes"], directory: Path = ...) -> list[ChangePattern]: ...
@overload
def load_family(name: Literal["entities"], directory: Path = ...) -> list[EntityPattern]: ...
@overload
def load_family(name: Literal["units"], directory: Path = ...) -> list[UnitPattern]: ...
@overload
def load_family(
    name: Literal["unit_denominators"], directory: Path = ...
) -> list[UnitDenominatorPattern]: ...
@overload
def load_family(name: Literal["numbers"], directory: Path = ...) -> list[NumberPattern]: ...
@overload
def load_family(name: Literal["months"], directory: Path = ...) -> list[MonthPattern]: ...
@overload
def load_family(name: Literal["cues"], directory: Path = ...) -> list[CuePattern]: ...
@overload
def load_family(name: str, directory: Path = ...) -> list[PatternBase]: ...
# fmt: on
def load_family(name: str, directory: Path = PATTERNS_DIR) -> list[Any]:
    """The typed entries of `patterns/<name>.jsonl`; PatternError on the first bad line."""
    read = _read_cached(directory / f"{name}.jsonl")
    problems = read.problems
    if problems:
        first = problems[0].line
        here = [f"{p.field}: {p.message}" if p.field else p.message for p in problems]
        here = here[: sum(p.line == first for p in problems)]
        if len(problems) > len(here):
            here.append(
                f"and {len(problems) - len(here)} more: `newsfacts patterns check` lists all"
            )
        raise PatternError(str(problems[0].path), first, here)
    return read.entries


@dataclass
class FamilyFile:
    """One pattern file read: its valid entries (with the line of each id) and its problems."""

    path: Path
    entries: list[PatternBase] = field(default_factory=list)
    problems: list[PatternProblem] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


@cache
def _read_cached(path: Path) -> FamilyFile:
    return read_family(path)


def read_family(path: Path) -> FamilyFile:
    """Every valid entry of one pattern file, and every problem of its invalid lines."""
    model = FAMILIES.get(path.stem)
    read = FamilyFile(path)
    if model is None:
        known = ", ".join(f"{name}.jsonl" for name in FAMILIES)
        read.problems.append(PatternProblem(path, 0, "", f"not a pattern family (known: {known})"))
        return read
    if not path.exists():
        read.problems.append(PatternProblem(path, 0, "", "pattern file not found"))
        return read
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            entry = model.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            read.problems.append(PatternProblem(path, number, "", f"not valid JSON ({exc.msg})"))
            continue
        except ValidationError as exc:
            read.problems += [
                PatternProblem(path, number, *_explain(e, model)) for e in exc.errors()
            ]
            continue
        if entry.id in read.lines:
            message = f"duplicate id {entry.id!r} (first on line {read.lines[entry.id]})"
            read.problems.append(PatternProblem(path, number, "id", message))
            continue
        read.lines[entry.id] = number
        read.entries.append(entry)
    return read


def _explain(error: Any, model: type[PatternBase]) -> tuple[str, str]:
    """A pydantic error as (field, message), naming the field a misspelling was meant to be."""
    where = ".".join(map(str, error["loc"]))
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
        close = difflib.get_close_matches(where, list(model.model_fields), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(model.model_fields)}"
        message = f"unknown field ({hint})"
    elif error["type"] == "missing":
        message = "required field missing"
    return where, message


def check_patterns(directory: Path = PATTERNS_DIR) -> PatternCheck:
    """Validate a pattern folder, collecting every problem rather than stopping at the first:
    each file's lines, a family file missing, and an id used in two files (fact `rules` name
    entries by id alone)."""
    check = PatternCheck()
    owner: dict[str, tuple[Path, int]] = {}
    present = {p.stem for p in pattern_files(directory)}
    for name in sorted(set(FAMILIES) - present):
        check.problems.append(PatternProblem(directory / f"{name}.jsonl", 0, "", "file missing"))
    for path in pattern_files(directory):
        read = read_family(path)
        check.files += 1
        check.entries += len(read.entries) + len({p.line for p in read.problems if p.line})
        check.problems += read.problems
        for entry in read.entries:
            line = read.lines[entry.id]
            if entry.id in owner:
                first, first_line = owner[entry.id]
                message = f"id {entry.id!r} is also used in {first.name}:{first_line}"
                check.problems.append(PatternProblem(path, line, "id", message))
            else:
                owner[entry.id] = (path, line)
    return check


@cache
def patterns_version(directory: Path = PATTERNS_DIR) -> str:
    """A short hash of every file in `patterns/`: stamped on facts so stale ones can be redone."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

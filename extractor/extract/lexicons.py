"""The quantity layer's lexicons, compiled from `patterns/*.jsonl` into token-tuple lookup tables.

Each family file is data (see patterns.py for the entry format). Phrase entries (`"pattern":
"barrels per day"`) are tokenized with the shared tokenizer so the table sees exactly the tokens
the document has; token-pattern entries made of LOWER/ORTH constraints (`[{"LOWER": {"IN":
[...]}}]`) are expanded into the same phrase form. Lookup is then a dict hit on the first token
plus a tuple comparison: far cheaper than running a matcher per family over every document, and
only done next to numbers.

Families used here:
- numbers.jsonl      number words, scales, fractions (`kind`, `value`, optional `value_high`)
- units.jsonl        unit surfaces (`unit` canonical, `nq` NewsQuant name, `kind`, `position`)
- unit_denominators.jsonl  the "per share" part of compound units (`nq`)
- qualifiers.jsonl   about/more than/at least... (`qualifier`)
- changes.jsonl      movement words (`direction` up/down, `role` verb/adverb/noun)
- bases.jsonl        year-on-year/m/m/q/q phrases (`basis`)
- quantities.jsonl   Matcher token patterns marking numbers that are not quantities (`block`)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

import numpy
from spacy.matcher import Matcher

from extractor.errors import PatternError
from extractor.extract.nlp import get_nlp
from extractor.patterns import (
    BasisPattern,
    ChangePattern,
    LexiconPattern,
    NumberPattern,
    QualifierPattern,
    QuantityPattern,
    UnitDenominatorPattern,
    UnitPattern,
    load_family,
)

Phrase = tuple[str, ...]
# Columns of the token-attribute array the scanner exports (ORTH, LOWER, LIKE_NUM, SPACY, IDX,
# SHAPE): blockers test LOWER and SHAPE.
BLOCKER_COLUMNS = {"LOWER": 1, "SHAPE": 5}

E = TypeVar("E", bound=LexiconPattern)


@dataclass
class PhraseTable(Generic[E]):
    """Phrases keyed by their first (and last) token; case-insensitive unless an entry says so."""

    by_first: dict[str, list[tuple[Phrase, E, bool]]] = field(default_factory=dict)
    by_last: dict[str, list[tuple[Phrase, E, bool]]] = field(default_factory=dict)
    max_len: int = 1

    def add(self, phrase: Phrase, entry: E, case_sensitive: bool) -> None:
        key = tuple(t if case_sensitive else t.lower() for t in phrase)
        item = (key, entry, case_sensitive)
        self.by_first.setdefault(key[0].lower(), []).append(item)
        self.by_last.setdefault(key[-1].lower(), []).append(item)
        self.max_len = max(self.max_len, len(key))

    def finish(self) -> None:
        # Longest phrase first, and case-sensitive before case-insensitive variants.
        for table in (self.by_first, self.by_last):
            for items in table.values():
                items.sort(key=lambda it: (-len(it[0]), not it[2]))

    def match_at(self, texts: Sequence[str], i: int, end: int) -> tuple[E, int] | None:
        """The longest entry whose tokens start at texts[i] (not reaching past `end`)."""
        if i >= end:
            return None
        items = self.by_first.get(texts[i].lower())
        if not items:
            return None
        span = min(len(items[0][0]), end - i)
        toks = [texts[i + k] for k in range(span)]
        lows = [t.lower() for t in toks]
        for key, entry, cased in items:
            n = len(key)
            if n <= span and (tuple(toks[:n]) if cased else tuple(lows[:n])) == key:
                return entry, n
        return None

    def match_ending_at(self, texts: Sequence[str], j: int, start: int) -> tuple[E, int] | None:
        """The longest entry whose last token is texts[j] (not reaching before `start`)."""
        if j < start:
            return None
        items = self.by_last.get(texts[j].lower())
        if not items:
            return None
        span = min(len(items[0][0]), j - start + 1)
        toks = [texts[j - span + 1 + k] for k in range(span)]
        lows = [t.lower() for t in toks]
        for key, entry, cased in items:
            n = len(key)
            if n <= span and (tuple(toks[span - n :]) if cased else tuple(lows[span - n :])) == key:
                return entry, n
        return None


def phrases_of(entry: LexiconPattern) -> list[Phrase]:
    """Every token sequence an entry stands for (a phrase, or an expanded LOWER/ORTH pattern)."""
    if isinstance(entry.pattern, str):
        tokens = tuple(t.text for t in get_nlp().make_doc(entry.pattern))
        # A surface the tokenizer splits alone ("$US") may stay one token before a digit.
        if len(tokens) > 1 and " " not in entry.pattern:
            return [tokens, (entry.pattern,)]
        return [tokens]
    options: list[list[str]] = []
    for spec in entry.pattern:
        keys = set(spec) - {"OP"}
        if len(keys) != 1 or next(iter(keys)) not in ("LOWER", "ORTH", "TEXT"):
            raise PatternError(
                entry.id, 0, ["only LOWER/ORTH/TEXT token patterns can be used as a lexicon"]
            )
        value: Any = spec[next(iter(keys))]
        words = value["IN"] if isinstance(value, dict) else [value]
        options.append([str(w) for w in words])
    return [tuple(combo) for combo in itertools.product(*options)]


def _table(entries: Iterable[E]) -> PhraseTable[E]:
    table: PhraseTable[E] = PhraseTable()
    for entry in entries:
        for phrase in phrases_of(entry):
            table.add(phrase, entry, entry.case_sensitive)
    table.finish()
    return table


@dataclass
class Lexicons:
    numbers: PhraseTable[NumberPattern]
    units: PhraseTable[UnitPattern]
    denominators: PhraseTable[UnitDenominatorPattern]
    qualifiers: PhraseTable[QualifierPattern]
    changes: PhraseTable[ChangePattern]  # verbs and adverbs: "rose", "down"
    change_nouns: PhraseTable[ChangePattern]  # "a 3% drop", "a rise of 5%"
    # verbs that move a figure only with "by": "cut rates by 0.25 pp"
    changes_by: PhraseTable[ChangePattern]
    bases: PhraseTable[BasisPattern]
    unit_nq: dict[str, str]
    # Single-token number words by lowercase form (hot path: checked for every candidate).
    number_words: dict[str, NumberPattern]
    blockers: Matcher
    numeric_matcher: Matcher
    # Hashes (LOWER) of the words that start a written number, for a vectorized candidate scan.
    number_word_hashes: numpy.ndarray
    # Per blocker, its length and the (attribute column, hashes) of each token it needs: a
    # number with one of them missing within that many tokens is not given to the Matcher.
    # Columns are those of Scanner.attrs.
    blocker_needs: list[tuple[int, list[tuple[int, frozenset[int]]]]]


def required_specs(entry: QuantityPattern) -> list[tuple[str, set[str]]]:
    """Every non-optional literal token of a pattern as ("LOWER" | "SHAPE", values): a window
    lacking any one of them cannot match, so the Matcher is not run there. A blocker needs at
    least one, or it could never be skipped."""
    specs: list[tuple[str, set[str]]] = []
    for spec in entry.pattern:
        if spec.get("OP") in ("?", "*"):
            continue
        for key in ("ORTH", "LOWER", "TEXT", "SHAPE"):
            if key in spec:
                value = spec[key]
                words = {str(w) for w in (value["IN"] if isinstance(value, dict) else [value])}
                if key == "SHAPE":
                    specs.append(("SHAPE", words))
                else:
                    specs.append(("LOWER", {w.lower() for w in words}))
    if not specs:
        raise PatternError(entry.id, 0, ["a not-quantity pattern needs an ORTH/LOWER/SHAPE token"])
    return specs


def _hash_table(hashes: Iterable[int]) -> numpy.ndarray:
    """Sorted unique string hashes, for the scanner's binary-search membership test."""
    return numpy.array(sorted(set(hashes)), dtype=numpy.uint64)


@cache
def lexicons() -> Lexicons:
    nlp = get_nlp()
    number_words = {e.pattern.lower(): e for e in load_family("numbers")}
    unit_nq: dict[str, str] = {}
    for unit in load_family("units"):
        unit_nq.setdefault(unit.unit, unit.nq)
    blockers = Matcher(nlp.vocab, validate=True)
    needs: list[tuple[int, list[tuple[int, frozenset[int]]]]] = []
    for entry in load_family("quantities"):
        if entry.block:
            blockers.add(entry.id, [entry.pattern])
            specs = [
                (
                    BLOCKER_COLUMNS[attr],
                    frozenset(nlp.vocab.strings.add(w) for w in words),
                )
                for attr, words in required_specs(entry)
            ]
            needs.append((len(entry.pattern), specs))
    # The numbers in a text: digits (LIKE_NUM) and written numbers from the lexicon, found by
    # one Matcher pass in Cython rather than a Python loop over every token.
    numeric = Matcher(nlp.vocab)
    starters = sorted(
        w for w, e in number_words.items() if e.kind not in ("article", "decimal_point")
    )
    numeric.add("NUM", [[{"LIKE_NUM": True}], [{"LOWER": {"IN": starters}}]])
    changes = load_family("changes")
    return Lexicons(
        numbers=_table(load_family("numbers")),
        units=_table(load_family("units")),
        denominators=_table(load_family("unit_denominators")),
        qualifiers=_table(load_family("qualifiers")),
        changes=_table(e for e in changes if e.role in ("verb", "adverb")),
        changes_by=_table(e for e in changes if e.role in ("verb", "verb_by")),
        change_nouns=_table(e for e in changes if e.role == "noun"),
        bases=_table(load_family("bases")),
        unit_nq=unit_nq,
        number_words=number_words,
        blockers=blockers,
        numeric_matcher=numeric,
        blocker_needs=needs,
        number_word_hashes=_hash_table(nlp.vocab.strings.add(w) for w in starters),
    )

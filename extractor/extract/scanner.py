"""The quantity layer's token scanner: a sentence's tokens as arrays, with the lexicon
lookups (number words, units, qualifiers, change words) that read around one number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy
from spacy.attrs import IDX, LIKE_NUM, LOWER, ORTH, SHAPE, SPACY
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from extractor.extract.lexicons import Lexicons
from extractor.extract.number_phrases import NumberPhrase, NumberReader

# Tokens a context window never crosses.
HARD_STOPS = frozenset({".", "!", "?", ";", ":", "•", "|"})


# A preposition right before a number makes it a level even after a change verb
# ("rose 7% to $2.3 billion": the $2.3 billion is where it ended up).
LEVEL_WORDS = frozenset({"to", "at", "from", "of", "was", "is", "were", "are", "reached", "hit"})


YEAR_PREPOSITIONS = frozenset(
    {"in", "since", "by", "until", "till", "from", "to", "before", "after", "during", "through",
     "between", "and", "of", "early", "late", "mid", "year", "fiscal", "the", "for", "around", "–"}
)  # fmt: skip


PRONOUN_ONE_BEFORE = frozenset(
    {"the", "this", "that", "no", "any", "each", "every", "same", "which", "another", "such"}
)


NOT_COUNT_NOUNS = frozenset(
    {"percent", "per", "of", "and", "or", "to", "from", "in", "on", "at", "by", "for", "with",
     "than", "as", "while", "after", "before", "since", "is", "was", "were", "are", "year-on-year"}
)  # fmt: skip


RANGE_DASHES = frozenset({"-", "–", "—"})


BLOCK_WINDOW = 5  # tokens either side of a number where not-quantity patterns are tried


PLURAL_WORDS = frozenset({"people", "men", "women", "children", "staff", "personnel", "cattle"})


POSSESSIVES = frozenset(
    {"the", "its", "his", "her", "their", "our", "my", "your", "these", "those"}
)


def is_plural(word: str) -> bool:
    if word in PLURAL_WORDS:
        return True
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))


@dataclass
class UnitHit:
    unit: str | None
    surface: str | None
    end: int  # token index after the unit
    rules: list[str] = field(default_factory=list)
    count_noun: bool = False


# Columns of Scanner.attrs (lexicons.BLOCKER_COLUMNS relies on this order).
SCAN_ATTRS = [ORTH, LOWER, LIKE_NUM, SPACY, IDX, SHAPE]


ATTRS_KEY = "newsfacts.scan_attrs"


def token_attrs(doclike: Doc | Span) -> numpy.ndarray:
    """The scan's token attributes. For a Span, the whole Doc is exported once and kept in its
    `user_data`, and each sentence takes a slice: Span.to_array goes token by token (~6x the
    cost of Doc.to_array on a whole paragraph, per sentence), while re-exporting the Doc for
    every sentence would grow with the square of a long block."""
    if isinstance(doclike, Doc):
        return doclike.to_array(SCAN_ATTRS)
    doc = doclike.doc
    attrs = doc.user_data.get(ATTRS_KEY)
    if attrs is None or len(attrs) != len(doc):
        attrs = doc.user_data[ATTRS_KEY] = doc.to_array(SCAN_ATTRS)
    return attrs[doclike.start : doclike.end]


class Scanner(NumberReader):
    """Reads the quantities of one Doc or Span (token indices local to it)."""

    def __init__(self, doclike: Doc | Span, lex: Lexicons) -> None:
        self.doclike = doclike
        self.lex = lex
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        self.n = len(doclike)
        # One C-level export of the token attributes instead of a Token object per token:
        # the scan only ever looks at the few tokens around numbers.
        self.attrs = token_attrs(doclike)
        strings = doc.vocab.strings
        # Hash -> text lookups in one comprehension: far cheaper than a Token per token.
        self.texts = [strings[h] for h in self.attrs[:, 0].tolist()]

    # ---- number phrases ----
    def surface(self, start: int, end: int) -> str:
        """The document text of tokens [start, end), with its original spacing."""
        # spaCy keeps at most one space as a token's trailing whitespace (longer runs become
        # tokens), so texts plus the SPACY flags rebuild the text exactly, without Doc.text
        # (which joins the whole document on every access).
        texts, attrs = self.texts, self.attrs
        return "".join(
            texts[k] + (" " if k < end - 1 and attrs[k, 3] else "") for k in range(start, end)
        )

    def start_char(self, k: int) -> int:
        return int(self.attrs[k, 4])

    def end_char(self, k: int) -> int:
        return int(self.attrs[k, 4]) + len(self.texts[k])

    def _noun_follows(self, j: int) -> bool:
        if j >= self.n:
            return False
        if self.lex.units.match_at(self.texts, j, self.n) is not None:
            return True
        word = self.texts[j]
        return word.isalpha() and word.islower() and word not in STOP_WORDS

    # ---- units ----
    def currency_before(self, s: int, left: int) -> tuple[int, str | None, str | None, list[str]]:
        hit = self.lex.units.match_ending_at(self.texts, s - 1, left)
        if hit is not None:
            entry, length = hit
            if entry.position in ("pre", "both") and entry.kind == "currency":
                surface = self.surface(s - length, s)
                return s - length, entry.unit, surface, [entry.id]
        return s, None, None, []

    def unit_after(self, j: int, end: int) -> UnitHit | None:
        texts, lex = self.texts, self.lex
        k = j
        if k + 1 < end and texts[k] == "-":
            k += 1  # "6.1-inch", "five-year", "barrel-a-day"
        hit = lex.units.match_at(texts, k, end)
        if hit is not None:
            entry, length = hit
            if entry.position in ("post", "both"):
                if entry.pattern == "won" and k + 1 < end and texts[k + 1].lower() in ("the", "a"):
                    return None  # "3 won the" is a verb
                unit = entry.unit
                surface = self.surface(k, k + length)
                res = UnitHit(unit, surface, k + length, [entry.id])
                self._denominator(res, end)
                return res
        return None

    def _denominator(self, res: UnitHit, end: int) -> None:
        texts = self.texts
        k = res.end
        if k + 1 < end and texts[k].lower() in ("per", "a", "an", "/", "each"):
            hit = self.lex.denominators.match_at(texts, k + 1, end)
            if hit is not None:
                entry, length = hit
                # "$236 a tonne" -> USD/t: the denominator's canonical unit where it has one
                res.unit = f"{res.unit}/{entry.unit or entry.pattern}"
                res.surface = f"{res.surface} {self.surface(k, k + 1 + length)}"
                res.end = k + 1 + length
                res.rules.append(entry.id)

    def count_noun(self, j: int, end: int, singular_ok: bool = False) -> UnitHit | None:
        """The counted thing after a number: "13,000 workers", "1,100 public housing
        properties", "50 previous years" (a unit inside the phrase wins). Up to four words,
        ending at the first plural; a lone singular noun only after "one"."""
        texts, lex = self.texts, self.lex
        k = j
        while k < end and k < j + 5:
            word = texts[k]
            low = word.lower()
            if k > j and word == "-":
                k += 1
                continue
            if k + 2 < end and texts[k + 1] == "-" and word.isalpha() and word.islower():
                k += 2  # "first-team players": a hyphenated modifier, whatever its first word
                continue
            acronym = k == j and word.isupper() and len(word) > 1 and word.isalpha()
            if acronym and k + 1 < end and is_plural(texts[k + 1]) and texts[k + 1].islower():
                k += 1  # "five NBA teams"
                continue
            if not (word.replace("-", "").isalpha() and word[0].islower()):
                break
            if low in NOT_COUNT_NOUNS and not (k > j and low == "and"):
                break
            if low in STOP_WORDS and low not in ("other", "and"):
                break
            if k == j and low == "and":
                break
            if lex.changes.match_at(texts, k, end):
                break
            if k == j and lex.change_nouns.match_at(texts, k, end):
                break  # "a 3% drop"; but "thousands of job cuts" counts cuts
            if lex.bases.match_at(texts, k, end) or lex.number_words.get(low) is not None:
                break
            if k > j:
                unit = self.unit_after(k, end)
                if unit is not None:
                    return unit
            if is_plural(low):
                res = UnitHit("count", self.surface(j, k + 1), k + 1, ["count-noun"], True)
                self._denominator(res, end)
                return res
            k += 1
        if singular_ok and k > j and texts[j].lower() not in STOP_WORDS:
            res = UnitHit("count", self.surface(j, j + 1), j + 1, ["count-noun"], True)
            self._denominator(res, end)
            return res
        return None

    # ---- the scan ----
    def left_bound(self, s: int, floor: int) -> int:
        k = s - 1
        while k >= floor and k >= s - 8:
            t = self.texts[k]
            if t in HARD_STOPS or "\n" in t:
                return k + 1
            k -= 1
        return max(k + 1, floor)

    def right_bound(self, e: int, ceiling: int) -> int:
        k = e
        while k < ceiling and k < e + 12:
            t = self.texts[k]
            if t in HARD_STOPS or "\n" in t:
                return k
            k += 1
        return k

    def is_name_number(self, s: int, phrase: NumberPhrase) -> bool:
        """ "Windows 11", "Stoxx 50", "ASX 200": a number right after a capitalized name."""
        if s == 0 or phrase.words or phrase.scaled:
            return False
        prev = self.texts[s - 1]
        if not prev[:1].isalpha() or not any(c.isupper() for c in prev):
            return False
        if prev.lower() in STOP_WORDS or not prev.replace("&", "").replace("-", "").isalnum():
            return False
        lex = self.lex
        for table in (lex.qualifiers, lex.changes, lex.units, lex.bases):
            if table.match_ending_at(self.texts, s - 1, s - 1) is not None:
                return False
        return float(phrase.value).is_integer()


def member(values: numpy.ndarray, table: numpy.ndarray) -> numpy.ndarray:
    """`numpy.isin(values, table)` for a sorted unique `table` (the lexicon's hash tables): a
    binary search per value. isin sorts both arrays on every call, which on sentence-sized
    docs cost more than the rest of the scan (py-spy: 14% of extract)."""
    if not len(table):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.minimum(numpy.searchsorted(table, values), len(table) - 1)
    return table[at] == values

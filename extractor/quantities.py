"""The quantity layer: every number in a text with its unit, qualifier, change and basis.

One Matcher pass finds the numeric tokens (digits, and number words from patterns/numbers.jsonl)
and a second one the spans that are not quantities (patterns/quantities.jsonl: dates, times,
phone numbers, "Group of 20"). Around each remaining number a few cheap lexicon lookups, only in
a small window, read:

    [qualifier] [change word] [currency] NUMBER [scale] [unit | counted noun] [- NUMBER ...]
    [higher/lower | drop/rise] [year-on-year ...]

Results are `Quantity` models (extractor/models.py). Conventions the fact layer relies on:
- `value` is the number as written, in base units ("$758.3 billion" -> 758300000000.0); a
  negative sign stays in it ("-0.6%" -> -0.6). For ranges `value` is the first and
  `value_high` the second figure; `range_form` says "range" ("5-6%", "between 5% and 6%") or
  "from_to" ("from $36,040 to $34,935", stated order kept: it may fall).
- `direction` is the movement ("rose", "down", "a 3% drop", "+5%") whatever the qualifier;
  `change` is NewsQuant's single label, where a qualifier wins ("up about 19%" -> "~").
- A written share ("one-fifth") is `value` 20.0 `percent` with `fraction` True.
- `unit` is canonical (USD, CNY, percent, pp, count, t, bbl/d, ...); for `count` the counted
  noun is `unit_surface` ("vehicles").
- `rules` lists every pattern id that contributed; `pattern` is the main one (the unit's).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy
from spacy.attrs import IDX, LIKE_NUM, LOWER, ORTH, SHAPE, SPACY
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from extractor.lexicons import Lexicons, lexicons
from extractor.models import Quantity
from extractor.nlp import get_nlp
from extractor.numbers import (
    WordNumber,
    is_ordinal_numeral,
    is_year_like,
    parse_numeral,
)

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


def _is_plural(word: str) -> bool:
    if word in PLURAL_WORDS:
        return True
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))


@dataclass
class NumberPhrase:
    start: int
    end: int
    value: float
    value_high: float | None = None
    raw: float = 0.0  # the value before any scale word
    scaled: bool = False
    words: bool = False
    fraction: bool = False
    year_like: bool = False
    rules: list[str] = field(default_factory=list)


@dataclass
class UnitHit:
    unit: str | None
    surface: str | None
    end: int  # token index after the unit
    rules: list[str] = field(default_factory=list)
    count_noun: bool = False


# Columns of Scanner.attrs (lexicons.BLOCKER_COLUMNS relies on this order).
SCAN_ATTRS = [ORTH, LOWER, LIKE_NUM, SPACY, IDX, SHAPE]
_ATTRS_KEY = ("newsfacts", "scan_attrs")


def token_attrs(doclike: Doc | Span) -> numpy.ndarray:
    """The scan's token attributes. For a Span, the whole Doc is exported once and kept in its
    `user_data`, and each sentence takes a slice: Span.to_array goes token by token (~6x the
    cost of Doc.to_array on a whole paragraph, per sentence), while re-exporting the Doc for
    every sentence would grow with the square of a long block."""
    if isinstance(doclike, Doc):
        return doclike.to_array(SCAN_ATTRS)
    doc = doclike.doc
    attrs = doc.user_data.get(_ATTRS_KEY)
    if attrs is None or len(attrs) != len(doc):
        attrs = doc.user_data[_ATTRS_KEY] = doc.to_array(SCAN_ATTRS)
    return attrs[doclike.start : doclike.end]


class Scanner:
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
    def number_at(self, i: int, end: int, currency: bool) -> NumberPhrase | None:
        texts, lex = self.texts, self.lex
        text = texts[i]
        lower = text.lower()
        entry = lex.number_words.get(lower)
        if entry is None or text[0].isdigit() or text[0] in "+-−.":
            value = parse_numeral(text)
            if value is None or is_ordinal_numeral(text):
                return None
            phrase = NumberPhrase(i, i + 1, value, raw=value, year_like=is_year_like(text))
            j = i + 1
            # "57-point-zero-seven"
            if j + 1 < end and texts[j] == "-" and texts[j + 1].lower() == "point":
                state = WordNumber()
                state.add_digits(value)
                state.in_decimals = True
                k = j + 2
                while k < end:
                    if texts[k] == "-" and k + 1 < end:
                        k += 1
                    nxt = lex.number_words.get(texts[k].lower())
                    if nxt is None or not state.add(nxt):
                        break
                    k += 1
                if state.decimals:
                    phrase.value = phrase.raw = state.value
                    phrase.end = j = k if texts[k - 1] != "-" else k - 1
            return self._scales(phrase, j, end, currency)
        return self._words(i, end)

    def _scales(self, phrase: NumberPhrase, j: int, end: int, currency: bool) -> NumberPhrase:
        texts, lex = self.texts, self.lex
        while j < end:
            hit = lex.numbers.match_at(texts, j, end)
            if hit is None:
                break
            entry, length = hit
            kind = getattr(entry, "kind", "")
            if kind not in ("scale", "scale_abbrev", "hundred", "dozen"):
                break
            if entry.pattern in ("b", "B") and j + 1 < end and texts[j + 1] == "/":
                break  # "b/d": barrels a day
            if entry.pattern in ("m", "M") and not currency and self._metres_follow(j + 1):
                break  # "a 100m sprint", "30m-high": metres, not million
            phrase.value *= float(getattr(entry, "value", 1.0))
            phrase.scaled = True
            phrase.year_like = False
            phrase.rules.append(entry.id)
            j += length
            phrase.end = j
        return phrase

    def _words(self, i: int, end: int) -> NumberPhrase | None:
        texts, lex = self.texts, self.lex
        entry = lex.number_words.get(texts[i].lower())
        if entry is None:
            return None
        kind = getattr(entry, "kind", "")
        start = i
        # "a million", "a third", "a dozen": the article is the number one.
        article = i > 0 and texts[i - 1].lower() in ("a", "an") and kind in (
            "scale", "hundred", "dozen", "fraction"
        )  # fmt: skip
        if kind == "vague":
            if i + 1 < end and texts[i + 1].lower() == "of":
                lo = float(getattr(entry, "value", 0.0))
                hi = float(getattr(entry, "value_high", lo))
                inner = lex.number_words.get(texts[i + 2].lower()) if i + 2 < end else None
                if inner is not None and getattr(inner, "kind", "") == "vague":
                    # "tens of thousands" -> 10,000 to 100,000
                    lo2 = float(getattr(inner, "value", 0.0))
                    hi2 = float(getattr(inner, "value_high", lo2))
                    return NumberPhrase(i, i + 3, lo * lo2, lo * hi2, lo * lo2, words=True,
                                        rules=[entry.id, inner.id])  # fmt: skip
                if entry.pattern == "tens":
                    return None
                return NumberPhrase(i, i + 1, lo, hi, lo, words=True, rules=[entry.id])
            return None
        if kind in ("scale", "hundred", "dozen") and not article:
            prev = texts[i - 1] if i > 0 else ""
            if not (prev[:1].isdigit() or lex.number_words.get(prev.lower()) is not None):
                return None  # "several hundred", "a baker's dozen": no stated number
        if kind == "fraction" and not article:
            # Bare "half of": one half. Other bare ordinals ("the third quarter") are not numbers.
            if entry.pattern == "half" and i + 1 < end and texts[i + 1].lower() == "of":
                return NumberPhrase(i, i + 1, 50.0, raw=0.5, words=True, fraction=True,
                                    rules=[entry.id])  # fmt: skip
            return None
        if kind in ("decimal_point", "article"):
            return None
        state = WordNumber()
        rules: list[str] = []
        if article:
            start = i - 1
            state.add_digits(1.0)
            state.seen = True
        if article:
            rules.append(lex.number_words["a"].id)
        j = i
        last = i - 1 if article else i
        while j < end:
            word = lex.number_words.get(texts[j].lower())
            if word is None:
                break
            wkind = getattr(word, "kind", "")
            if wkind == "fraction":
                break
            if wkind == "decimal_point":
                after = lex.number_words.get(texts[j + 1].lower()) if j + 1 < end else None
                if after is None or getattr(after, "kind", "") != "unit":
                    break
            if wkind in ("vague", "article") or (wkind == "scale_abbrev" and j == i):
                break
            if wkind == "scale_abbrev" and word.pattern not in (
                "bn",
                "mn",
                "tn",
                "trn",
                "mln",
                "bln",
            ):
                break
            if not state.add(word):
                break
            rules.append(word.id)
            last = j
            j += 1
            # "twenty-five", "one hundred and five"
            if (
                j + 1 < end
                and texts[j] in ("-", "and")
                and texts[j + 1].lower() in lex.number_words
            ):
                nxt = lex.number_words[texts[j + 1].lower()]
                if getattr(nxt, "kind", "") in ("unit", "tens", "fraction", "decimal_point"):
                    j += 1
        if not state.seen:
            return None
        end_tok = last + 1
        # A fraction after the numerator: "one-fifth", "two-thirds", "a third".
        k = end_tok
        if k < end and texts[k] == "-":
            k += 1
        frac = lex.number_words.get(texts[k].lower()) if k < end else None
        if frac is not None and getattr(frac, "kind", "") == "fraction" and state.total == 0:
            numerator = state.current
            share = numerator * float(getattr(frac, "value", 0.0))
            rules.append(frac.id)
            # "half a million": a multiplier, not a share
            if k + 2 < end and texts[k + 1].lower() in ("a", "an"):
                scale = lex.number_words.get(texts[k + 2].lower())
                if scale is not None and getattr(scale, "kind", "") == "scale":
                    value = share * float(getattr(scale, "value", 1.0))
                    return NumberPhrase(start, k + 3, value, raw=share, words=True, scaled=True,
                                        rules=rules + [scale.id])  # fmt: skip
            if numerator >= 1 and share <= 1.0 + 1e-9:
                return NumberPhrase(start, k + 1, round(share * 100, 10), raw=share,
                                    words=True, fraction=True, rules=rules)  # fmt: skip
        # "two and a half"
        if (
            end_tok + 2 < end
            and texts[end_tok].lower() == "and"
            and texts[end_tok + 1].lower() in ("a", "one")
            and texts[end_tok + 2].lower() == "half"
        ):
            state.current += 0.5
            end_tok += 3
        value = state.value
        raw = value
        last_word = lex.number_words.get(texts[end_tok - 1].lower())
        if last_word is not None and getattr(last_word, "kind", "") in ("scale", "hundred"):
            raw = value / float(getattr(last_word, "value", 1.0))
        phrase = NumberPhrase(start, end_tok, value, raw=raw, words=True, rules=rules)
        phrase.scaled = state.total > 0 or any("scale" in r or "hundred" in r for r in rules)
        return phrase

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

    def spaced(self, k: int) -> bool:
        """Whether whitespace follows token k."""
        return bool(self.attrs[k, 3])

    def _metres_follow(self, j: int) -> bool:
        if j >= self.n:
            return False
        return self.texts[j] == "-" or self.texts[j].lower() in METRE_CONTEXT

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
            if (
                getattr(entry, "position", "post") in ("pre", "both")
                and getattr(entry, "kind", "") == "currency"
            ):
                surface = self.surface(s - length, s)
                return s - length, str(getattr(entry, "unit", "")), surface, [entry.id]
        return s, None, None, []

    def unit_after(self, j: int, end: int) -> UnitHit | None:
        texts, lex = self.texts, self.lex
        k = j
        if k + 1 < end and texts[k] == "-":
            k += 1  # "6.1-inch", "five-year", "barrel-a-day"
        hit = lex.units.match_at(texts, k, end)
        if hit is not None:
            entry, length = hit
            if getattr(entry, "position", "post") in ("post", "both"):
                if entry.pattern == "won" and k + 1 < end and texts[k + 1].lower() in ("the", "a"):
                    return None  # "3 won the" is a verb
                unit = str(getattr(entry, "unit", ""))
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
                res.unit = f"{res.unit}/{getattr(entry, 'unit', None) or entry.pattern}"
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
            if acronym and k + 1 < end and _is_plural(texts[k + 1]) and texts[k + 1].islower():
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
            if _is_plural(low):
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


def find_quantities(doclike: Doc | Span) -> list[Quantity]:
    """Every quantity in a Doc or Span; spans are character offsets in the Doc's text."""
    lex = lexicons()
    scanner = Scanner(doclike, lex)
    if scanner.n == 0:
        return []
    attrs = scanner.attrs
    is_number = (attrs[:, 2] != 0) | _member(attrs[:, 1], lex.number_word_hashes)
    candidates = [int(k) for k in numpy.nonzero(is_number)[0]]
    blocked = _blocked(doclike, lex, candidates, attrs)
    found: list[_Found] = []
    consumed = 0
    for pos, i in enumerate(candidates):
        if i < consumed or i in blocked:
            continue
        item = _read_quantity(scanner, i, consumed, _next_numbers(scanner, candidates, pos + 1))
        if item is None:
            continue
        consumed = item.end
        if item.keep:
            found.append(item)
    _inherit_changes(scanner, found)
    _inherit_units(scanner, found)
    return [f.to_quantity(scanner) for f in found if f.keep]


def _blocked(
    doclike: Doc | Span, lex: Lexicons, candidates: list[int], attrs: numpy.ndarray
) -> set[int]:
    """Tokens inside not-quantity patterns, matched only in windows around the numbers (the
    Matcher's set predicates are Python calls per token: too slow over a whole document)."""
    blocked: set[int] = set()
    n = len(doclike)
    # Per required-token set: the sorted positions of the tokens in it, or None when there are
    # none. Plain lists and bisect: numpy's per-call overhead dwarfs ~30 tokens.
    columns: dict[int, list[int]] = {}
    positions: dict[int, list[int] | None] = {}
    needs = []
    for length, pattern_needs in lex.blocker_needs:
        ids = []
        for column, hashes in pattern_needs:
            key = id(hashes)
            if key not in positions:
                if column not in columns:
                    columns[column] = attrs[:, column].tolist()
                values = columns[column]
                positions[key] = (
                    None
                    if hashes.isdisjoint(values)
                    else [i for i, v in enumerate(values) if v in hashes]
                )
            ids.append(positions[key])
        if None not in ids:  # a token the pattern needs is nowhere in the text: it cannot match
            needs.append((length, ids))
    windows: list[list[int]] = []
    for k in candidates:
        # A pattern of length L that covers token k lies within [k - L + 1, k + L).
        if not any(_all_near(ids, max(0, k - size + 1), min(n, k + size)) for size, ids in needs):
            continue  # no not-quantity pattern has all the tokens it needs near this number
        a, b = max(0, k - BLOCK_WINDOW), min(n, k + BLOCK_WINDOW + 1)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = b
        else:
            windows.append([a, b])
    for a, b in windows:
        for _, bs, be in lex.blockers(doclike[a:b]):
            blocked.update(range(a + bs, a + be))
    return blocked


def _tidy(value: float | None) -> float | None:
    """8.2 x 1e9 is 8199999999.999999 in binary floating point: twelve significant digits
    are more than any reported figure has, and give back 8200000000.0."""
    return None if value is None else float(f"{value:.12g}")


def _all_near(ids: list[list[int]], lo: int, hi: int) -> bool:
    """Whether every position list has a position in [lo, hi)."""
    for ps in ids:
        i = bisect_left(ps, lo)
        if i == len(ps) or ps[i] >= hi:
            return False
    return True


def _member(values: numpy.ndarray, table: numpy.ndarray) -> numpy.ndarray:
    """`numpy.isin(values, table)` for a sorted unique `table` (the lexicon's hash tables): a
    binary search per value. isin sorts both arrays on every call, which on sentence-sized
    docs cost more than the rest of the scan (py-spy: 14% of extract)."""
    if not len(table):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.minimum(numpy.searchsorted(table, values), len(table) - 1)
    return table[at] == values


def _next_numbers(sc: Scanner, candidates: list[int], first: int) -> list[int]:
    """The next candidate that can start a number (not "quarter" in "quarter-on-quarter")."""
    out = []
    for idx in range(first, len(candidates)):
        k = candidates[idx]
        word = sc.lex.number_words.get(sc.texts[k].lower())
        if word is None or getattr(word, "kind", "") in ("unit", "tens", "vague"):
            out.append(k)
            if len(out) == 1:
                break
    return out


# Spaces the tokenizer would keep inside a token ("758.3\u00a0billion"); each maps to one plain
# space, so offsets into the caller's text stay valid.
_WIDE_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f", " "))


def quantities_in_text(text: str) -> list[Quantity]:
    """Convenience: tokenize `text` with the shared pipeline and find its quantities."""
    return find_quantities(get_nlp().make_doc(text.translate(_WIDE_SPACES)))


@dataclass
class _Found:
    start: int
    end: int
    value: float
    value_high: float | None
    unit: str | None
    unit_surface: str | None
    rules: list[str]
    qualifier: str = "="
    direction: str | None = None
    basis: str | None = None
    range_form: str | None = None
    fraction: bool = False
    bracketed: bool = False
    trigger: str | None = None
    keep: bool = True
    pending_basis: tuple[str, str] | None = None

    def to_quantity(self, sc: Scanner) -> Quantity:
        span = (sc.start_char(self.start), sc.end_char(self.end - 1))
        surface = sc.surface(self.start, self.end)
        if self.qualifier in ("~",):
            change = "~"
        elif self.qualifier in (">", ">="):
            change = ">"
        elif self.qualifier in ("<", "<="):
            change = "<"
        else:
            change = self.direction or "="
        main = next((r for r in self.rules if r.startswith(("unit-", "count-"))), None)
        return Quantity(
            value=_tidy(self.value),
            value_high=_tidy(self.value_high),
            unit=self.unit,
            unit_surface=self.unit_surface,
            change=change,  # type: ignore[arg-type]
            qualifier=self.qualifier,  # type: ignore[arg-type]
            change_basis=self.basis,  # type: ignore[arg-type]
            concept=None,
            surface=surface,
            span=span,
            pattern=main or (self.rules[0] if self.rules else "number"),
            direction=self.direction,  # type: ignore[arg-type]
            range_form=self.range_form,  # type: ignore[arg-type]
            fraction=self.fraction,
            bracketed=self.bracketed,
            trigger=self.trigger,
            rules=self.rules,
        )


def _read_quantity(sc: Scanner, i: int, floor: int, later: list[int]) -> _Found | None:
    texts, n = sc.texts, sc.n
    left = sc.left_bound(i, floor)
    s, cur_unit, cur_surface, cur_rules = sc.currency_before(i, left)
    phrase = sc.number_at(i, n, currency=cur_unit is not None)
    if phrase is None:
        return None
    s = min(s, phrase.start)
    sign_dir, s = _sign(sc, phrase, s, i, left, cur_unit is not None)
    unit = sc.unit_after(phrase.end, n)
    if unit is None and cur_unit is None and phrase.end < n:
        k = phrase.end
        if texts[k].lower() == "of" and (phrase.value_high is not None or phrase.value == 1):
            # "dozens of people", "one of the students"
            k += 2 if k + 1 < n and texts[k + 1].lower() in POSSESSIVES else 1
            unit = sc.unit_after(k, n) or sc.count_noun(k, n)
        else:
            unit = sc.count_noun(k, n, singular_ok=phrase.value == 1)
    e = unit.end if unit else phrase.end
    if unit is not None and unit.count_noun and phrase.end < n and texts[phrase.end] == "of":
        e = phrase.end  # the surface stays "one"; the noun is only its unit
    if cur_unit is not None:
        # "$5 per share": the denominator after a prefixed currency
        probe = UnitHit(cur_unit, cur_surface, e, [])
        sc._denominator(probe, n)
        unit_name, unit_surface = probe.unit, probe.surface
        rules = cur_rules + probe.rules
        e = probe.end
    elif unit is not None:
        unit_name, unit_surface, rules = unit.unit, unit.surface, list(unit.rules)
    else:
        unit_name, unit_surface, rules = None, None, []
    if phrase.fraction:
        unit_name, unit_surface = "percent", sc.surface(phrase.start, phrase.end)
        rules = []
        e = phrase.end
    found = _Found(s, e, phrase.value, phrase.value_high, unit_name, unit_surface,
                   phrase.rules + rules, fraction=phrase.fraction)  # fmt: skip
    if phrase.value_high is not None:
        found.range_form = "range"
    if texts[i][:1] == "~":
        found.qualifier = "~"
    _read_range(sc, found, phrase, left)
    if not found.keep or _not_a_quantity(sc, found, phrase, s, i, cur_unit is not None):
        found.keep = False
        return found
    found.bracketed = s > 0 and texts[s - 1] in ("(", "[")
    _read_context(sc, found, left, later, sign_dir)
    return found


def _sign(
    sc: Scanner, phrase: NumberPhrase, s: int, i: int, left: int, currency: bool
) -> tuple[str | None, int]:
    """A sign written against the number ("-6.4%", "+€5bn") marks a change; "minus" a level."""
    texts = sc.texts
    if s > left and texts[s - 1] in ("+", "-", "−") and (currency or s == i):
        attached = not sc.spaced(s - 1)
        spaced_before = s - 2 < 0 or sc.spaced(s - 2) or texts[s - 2] in "(["
        if attached and spaced_before:
            if texts[s - 1] != "+":
                phrase.value = -phrase.value
            return ("up" if texts[s - 1] == "+" else "down"), s - 1
        return None, s
    if s > left and texts[s - 1].lower() == "minus":
        phrase.value = -phrase.value
        return None, s - 1
    if texts[i][:1] in ("-", "−", "+") and not phrase.words:
        if i > 0 and not sc.spaced(i - 1) and texts[i - 1] not in "([":
            phrase.value = abs(phrase.value)  # "production-4-door", "COVID-19": a hyphen
            return None, s
        return ("up" if texts[i][0] == "+" else "down"), s
    return None, s


def _not_a_quantity(
    sc: Scanner, found: _Found, phrase: NumberPhrase, s: int, i: int, currency: bool
) -> bool:
    """Years, numbers in names ("Windows 11", "737 Max"), a pronoun "one", "5G", "Senard, 65,"."""
    texts, n = sc.texts, sc.n
    unit = found.unit
    prev = texts[s - 1].lower() if s > 0 else ""
    if phrase.year_like and not currency and found.range_form is None:
        if unit is None:
            return True
        if unit == "count":
            noun = (found.unit_surface or "").lower()
            if " " in noun or "-" in noun:
                return True  # "the 2019 review - pictures"
            plural = noun.endswith("s") or noun in ("people", "staff")
            if prev in YEAR_PREPOSITIONS or not plural or prev == "":
                return True
    if currency or unit not in (None, "count"):
        return False
    end = phrase.end
    if not phrase.words and end < n and not sc.spaced(end - 1):
        nxt = texts[end]
        if nxt[:1].isalpha() and sc.lex.units.match_at(texts, end, n) is None:
            return True  # "5G", "3D": a glued letter that is no unit
    if sc.is_name_number(s, phrase):
        return True
    plain = not phrase.words and not phrase.scaled and float(phrase.value).is_integer()
    if plain and end < n and unit is None and found.range_form is None:
        nxt = texts[end]
        if nxt[:1].isupper() and nxt.isalpha() and len(nxt) > 1 and "," not in texts[i]:
            if phrase.value < 1000 or nxt.isupper():
                return True  # "787 Dreamliner", "90049 ZIP Code", "49 Zorro Ranch Road"
        if prev == "," and nxt == "," and s > 1 and texts[s - 2][:1].isupper():
            return True  # "Senard, 65, ...": an age in apposition
    if phrase.words and i > 1 and texts[i - 1] == "-" and not sc.spaced(i - 2):
        if texts[i - 2].isalpha() and sc.lex.number_words.get(texts[i - 2].lower()) is None:
            return True  # "a production-four-door record": a word inside a compound
    if phrase.words and texts[i].lower() == "one" and phrase.end == i + 1:
        nxt = texts[i + 1] if i + 1 < n else ""
        return prev in PRONOUN_ONE_BEFORE or not (nxt.lower() == "of" or unit is not None)
    return False


def _read_range(sc: Scanner, found: _Found, p1: NumberPhrase, left: int) -> None:
    texts, n = sc.texts, sc.n
    k = found.end
    if k + 1 >= n or found.range_form is not None:
        return
    conn = texts[k].lower()
    before = texts[found.start - 1].lower() if found.start > left else ""
    before2 = texts[found.start - 2].lower() if found.start - 1 > left else ""
    if conn in RANGE_DASHES:
        form = "range"
    elif conn == "to":
        form = "from_to" if before == "from" else "range"
        if before != "from" and sc.lex.changes.match_ending_at(texts, found.start - 1, left):
            return  # "rose 5% to $2 billion"
    elif conn == "and" and (before == "between" or before2 == "between"):
        form = "range"
    else:
        return
    j = k + 1
    j2, cur2, _, cur_rules = sc.currency_before(j + 1, j) if False else (j, None, None, [])
    hit = sc.lex.units.match_at(texts, j, n)
    if (
        hit is not None
        and getattr(hit[0], "position", "") in ("pre", "both")
        and getattr(hit[0], "kind", "") == "currency"
    ):
        cur2, cur_rules, j2 = str(getattr(hit[0], "unit", "")), [hit[0].id], j + hit[1]
    if j2 >= n:
        return
    p2 = sc.number_at(j2, n, currency=cur2 is not None or found.unit not in (None, "count"))
    if p2 is None or p2.fraction or p2.value_high is not None:
        return
    unit2 = sc.unit_after(p2.end, n)
    if unit2 is None and cur2 is None:
        unit2 = sc.count_noun(p2.end, n) if found.unit is None else None
    u2 = cur2 or (unit2.unit if unit2 else None)
    if found.unit is not None and u2 is not None and found.unit != u2:
        return
    if p1.year_like and p2.year_like and found.unit is None and u2 in (None, "count"):
        found.keep = False  # "2021–2025", "between 1600 and 1900": years
        found.end = p2.end
        return
    if p1.year_like != p2.year_like and found.unit is None and cur2 is None:
        return
    if conn in ("to",) and found.unit is None and u2 is None and form == "range":
        return  # "from 5 to ..." without any unit is too weak a range
    v1 = found.value
    if not p1.scaled and p2.scaled and p1.raw < p2.raw:
        v1 = p1.raw * (p2.value / p2.raw if p2.raw else 1.0)
    found.value, found.value_high = v1, p2.value
    found.range_form = form
    if found.unit is None and u2 is not None:
        found.unit = u2
        found.unit_surface = unit2.surface if unit2 else texts[j]
    found.rules += p2.rules + cur_rules + (unit2.rules if unit2 else [])
    found.end = unit2.end if unit2 else p2.end
    if cur2 is not None and unit2 is None:
        probe = UnitHit(found.unit, found.unit_surface, found.end, [])
        sc._denominator(probe, n)  # "between $62 and $68 per share"
        if probe.rules:
            found.unit, found.unit_surface, found.end = probe.unit, probe.surface, probe.end
            found.rules += probe.rules


def _read_context(
    sc: Scanner, found: _Found, left: int, later: list[int], sign_dir: str | None
) -> None:
    texts, lex = sc.texts, sc.lex
    k = found.start - 1
    if k >= left and texts[k].lower() == "by":
        k -= 1
    hit = lex.qualifiers.match_ending_at(texts, k, left)
    if hit is not None:
        found.qualifier = str(getattr(hit[0], "qualifier", "="))
        found.rules.append(hit[0].id)
        k -= hit[1]
        if found.range_form == "range" and texts[k + 1].lower() == "between":
            pass
    article = k >= left and texts[k].lower() in ("a", "an", "the", "another")
    if k >= left and (article or texts[k].lower() == "by"):
        k -= 1
    direction = None
    by_k = k + 1 if k + 1 < found.start and texts[k + 1].lower() == "by" else None
    if found.range_form == "from_to" and k >= left and texts[k].lower() == "from":
        k -= 1  # "fell from $2,415 to $2,315"
    if k >= left and texts[k].lower() == "of":
        noun = lex.change_nouns.match_ending_at(texts, k - 1, left)
        if noun is not None:
            direction = str(getattr(noun[0], "direction", ""))
            found.rules.append(noun[0].id)
            found.trigger = texts[k - 1].lower()
    elif k >= left and texts[k].lower() not in LEVEL_WORDS:
        verb = lex.changes.match_ending_at(texts, k, left)
        if verb is not None and k > left and texts[k - 1].lower() in PHRASAL_NOT_CHANGE:
            verb = None  # "making up one-fifth", "gave up 517 yards"
        if article:
            verb = None  # "added a 30 degree homer": the verb's object, not its size
        if verb is not None:
            if texts[k].lower() not in ("higher", "lower", "plus", "off"):
                direction = str(getattr(verb[0], "direction", ""))
                found.rules.append(verb[0].id)
                found.trigger = texts[k].lower()
    if direction is None and by_k is not None:
        # "grow sales by 35 per cent", "cut its forecast by 0.5 points"
        for v in range(by_k - 1, max(left, by_k - 4) - 1, -1):
            verb = lex.changes_by.match_ending_at(texts, v, left)
            if verb is not None:
                direction = str(getattr(verb[0], "direction", ""))
                found.rules.append(verb[0].id)
                found.trigger = texts[v].lower()
                break
            if texts[v] in HARD_STOPS or texts[v] == ",":
                break
    right = sc.right_bound(found.end, later[0] if later else sc.n)
    if direction is None:
        j = found.end
        basis_hit = lex.bases.match_at(texts, j, right)
        if basis_hit is not None:
            j += basis_hit[1]
        if j < right:
            word = texts[j].lower()
            post = lex.change_nouns.match_at(texts, j, right)
            if post is None and word in ("higher", "lower"):
                post = lex.changes.match_at(texts, j, right)
            if post is not None:
                direction = str(getattr(post[0], "direction", ""))
                found.rules.append(post[0].id)
                found.trigger = word
    if direction is None:
        direction = sign_dir
    found.direction = direction
    if direction is not None or found.unit in ("percent", "pp"):
        _find_basis(sc, found, left, right)


def _find_basis(sc: Scanner, found: _Found, left: int, right: int) -> None:
    """The comparison basis near a change: after it first ("rose 5% year-on-year"), then before
    ("a year-on-year rise of 5%"). Kept aside until the quantity is known to be a change."""
    texts, lex = sc.texts, sc.lex
    spans = [(j, right) for j in range(found.end, right)]
    spans += [(j, found.start) for j in range(max(left, found.start - 6), found.start)]
    for j, stop in spans:
        hit = lex.bases.match_at(texts, j, stop)
        if hit is not None:
            found.pending_basis = (str(getattr(hit[0], "basis", "")), hit[0].id)
            if found.direction is not None:
                found.basis = found.pending_basis[0]
                found.rules.append(hit[0].id)
            return


# After "100m", these say metres; otherwise a lone "m" after a number is million in news.
METRE_CONTEXT = frozenset(
    {"tall", "high", "long", "wide", "deep", "away", "sprint", "race", "hurdles", "freestyle",
     "dash", "relay", "below", "above", "underground", "altitude", "depth", "radius"}
)  # fmt: skip
PHRASAL_NOT_CHANGE = frozenset(
    {"make", "makes", "making", "made", "give", "gives", "giving", "gave", "given", "take",
     "takes", "taking", "took", "set", "sets", "setting", "sign", "signed", "sum", "summed"}
)  # fmt: skip
ELLIPSIS_UNITS = frozenset({"points", "deg", "GBX", "°C", "°F"})


def _inherit_units(sc: Scanner, found: list[_Found]) -> None:
    """A bare figure beside one with a unit in the same sentence often leaves the unit out:
    "eight or nine euros", "(16369.03 up 58.06 points)", "climbed 0.1% to 1,333.18" after
    "1,463.87 points". Only index points, degrees and pence are carried across a sentence."""
    texts = sc.texts
    for k, cur in enumerate(found):
        if cur.unit is not None or cur.fraction or cur.value_high is not None:
            continue
        nxt = found[k + 1] if k + 1 < len(found) else None
        if nxt is not None and nxt.unit is not None and nxt.start - cur.end == 1:
            if texts[cur.end].lower() in ("or", "to", "and") and not nxt.unit.startswith("count"):
                cur.unit, cur.unit_surface = nxt.unit, nxt.unit_surface
                cur.rules.append("unit-ellipsis")
                continue
        if _scaled(cur):
            # "6 million homes ... including 1.5 million in LA": parallel magnitudes
            for other in found[max(0, k - 6) : k + 7]:
                if other is not cur and other.unit is not None and _scaled(other):
                    if not other.fraction and _same_sentence(sc, cur, other):
                        cur.unit, cur.unit_surface = other.unit, other.unit_surface
                        cur.rules.append("unit-ellipsis")
                        break
            continue
        surface = texts[cur.start]
        if not ("." in surface or len(surface.replace(",", "")) >= 4) or cur.unit is not None:
            continue
        for other in found[max(0, k - 6) : k + 7]:
            if other is cur or other.unit not in ELLIPSIS_UNITS:
                continue
            if not _same_sentence(sc, cur, other):
                continue
            cur.unit, cur.unit_surface = other.unit, None
            cur.rules.append("unit-ellipsis")
            break


def _scaled(q: _Found) -> bool:
    return any(r.startswith(("num-scale", "num-hundred")) for r in q.rules)


def _same_sentence(sc: Scanner, a: _Found, b: _Found) -> bool:
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    return not any(sc.texts[t] in HARD_STOPS for t in range(lo, hi))


def _inherit_changes(sc: Scanner, found: list[_Found]) -> None:
    """ "lost 190 points, or 0.6%" / "up 5% ($2 billion)": the restatement moves the same way."""
    texts = sc.texts
    for prev, cur in zip(found, found[1:], strict=False):
        if cur.start - prev.end > 5:
            continue
        gap = [texts[k].lower() for k in range(prev.end, cur.start)]
        if gap in (["("], [",", "("]) and cur.qualifier == "=" and prev.qualifier != "=":
            cur.qualifier = prev.qualifier  # "more than 100 kilometers (60 miles)"
        if prev.direction is None or cur.direction is not None:
            continue
        if gap in (["or"], [",", "or"], ["("], [",", "("], ["or", "about"]):
            cur.direction = prev.direction
            cur.basis = cur.basis or prev.basis
            cur.trigger = prev.trigger
        elif (
            gap
            and gap[-1] in ("and", ",")
            and cur.unit == prev.unit
            and not any(w in LEVEL_WORDS or sc.lex.number_words.get(w) for w in gap)
        ):
            # "fell 7.7% by volume and 9.4% by value", "up 5.3% from April and 12.3% ..."
            cur.direction = prev.direction
            cur.trigger = prev.trigger
            if cur.pending_basis is not None:
                cur.basis = cur.pending_basis[0]
                cur.rules.append(cur.pending_basis[1])

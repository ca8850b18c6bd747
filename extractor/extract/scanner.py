"""The quantity layer's token scanner: a sentence's tokens as arrays, with the lexicon
lookups (number words, units, qualifiers, change words) that read around one number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy
from spacy.attrs import IDX, LIKE_NUM, LOWER, ORTH, SHAPE, SPACY
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from extractor.extract.lexicons import Lexicons
from extractor.extract.numbers import (
    WordNumber,
    is_ordinal_numeral,
    is_year_like,
    parse_numeral,
)

# Powers: beyond these a "10^N" is no amount any news story states (refused, not misread).
MAX_EXPONENT = 30
MAX_AMOUNT = 1e18

# A three-digit group after a space-separated thousands head ("187", "187,45", "100,3").
SPACE_GROUP = re.compile(r"[0-9]{3}(?:,[0-9]{1,2})?")

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
    refused: bool = False  # a number that must not become a quantity ("10^400")
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
            if j + 1 < end and texts[j] == "^":
                return self._power(phrase, j, end)
            j = self._space_groups(phrase, j, end, currency)
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

    def _power(self, phrase: NumberPhrase, j: int, end: int) -> NumberPhrase:
        """ "10^6": a power, read right when it is an amount news could state; a huge or tiny
        one ("10^400", a superscript the page lost) is refused whole, so neither the base nor
        the exponent becomes a fact of its own."""
        exponent = parse_numeral(self.texts[j + 1])
        phrase.end = j + 2
        phrase.year_like = False
        if exponent is None or not float(exponent).is_integer() or abs(exponent) > MAX_EXPONENT:
            phrase.refused = True
            return phrase
        value = phrase.value ** int(exponent)
        if not 0 < abs(value) <= MAX_AMOUNT or abs(value) < 1 / MAX_AMOUNT:
            phrase.refused = True
            return phrase
        phrase.value = phrase.raw = value
        phrase.scaled = True
        return phrase

    def _space_groups(self, phrase: NumberPhrase, j: int, end: int, currency: bool) -> int:
        """Thousands set off by spaces, as South African and European releases write them:
        "R1 187,45-billion" is 1,187.45 billion. Only after a currency or when the last group
        has a decimal comma ("1 100,32"), so "in 2019 150 people" stays two numbers."""
        texts = self.texts
        head = texts[phrase.start]
        if not (head.isdigit() and len(head) <= 3) or phrase.start != j - 1:
            return j
        k = j
        while k < end and self.spaced(k - 1) and SPACE_GROUP.fullmatch(texts[k]):
            k += 1
        if k == j or not (currency or "," in texts[k - 1]):
            return j
        joined = head + "".join(texts[j:k]).replace(",", ".")
        try:
            value = float(joined)
        except ValueError:
            return j
        phrase.value = phrase.raw = value
        phrase.end = k
        phrase.year_like = False
        return k

    def _scales(self, phrase: NumberPhrase, j: int, end: int, currency: bool) -> NumberPhrase:
        texts, lex = self.texts, self.lex
        while j < end:
            if texts[j] == "-" and j + 1 < end and not self.spaced(j):
                # "15,72-billion": a hyphenated scale word
                after = lex.number_words.get(texts[j + 1].lower())
                if after is not None and after.kind == "scale":
                    j += 1
                    continue
                break
            hit = lex.numbers.match_at(texts, j, end)
            if hit is None:
                break
            entry, length = hit
            kind = entry.kind
            if kind not in ("scale", "scale_abbrev", "hundred", "dozen"):
                break
            if entry.pattern in ("b", "B") and j + 1 < end and texts[j + 1] == "/":
                break  # "b/d": barrels a day
            if entry.pattern in ("m", "M") and not currency and self._metres_follow(j + 1):
                break  # "a 100m sprint", "30m-high": metres, not million
            phrase.value *= entry.value
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
        kind = entry.kind
        start = i
        # "a million", "a third", "a dozen": the article is the number one.
        article = i > 0 and texts[i - 1].lower() in ("a", "an") and kind in (
            "scale", "hundred", "dozen", "fraction"
        )  # fmt: skip
        if kind == "vague":
            if i + 1 < end and texts[i + 1].lower() == "of":
                lo = entry.value
                hi = entry.value_high if entry.value_high is not None else lo
                inner = lex.number_words.get(texts[i + 2].lower()) if i + 2 < end else None
                if inner is not None and inner.kind == "vague":
                    # "tens of thousands" -> 10,000 to 100,000
                    lo2 = inner.value
                    hi2 = inner.value_high if inner.value_high is not None else lo2
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
            wkind = word.kind
            if wkind == "fraction":
                break
            if wkind == "decimal_point":
                after = lex.number_words.get(texts[j + 1].lower()) if j + 1 < end else None
                if after is None or after.kind != "unit":
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
                if nxt.kind in ("unit", "tens", "fraction", "decimal_point"):
                    j += 1
        if not state.seen:
            return None
        end_tok = last + 1
        # A fraction after the numerator: "one-fifth", "two-thirds", "a third".
        k = end_tok
        if k < end and texts[k] == "-":
            k += 1
        frac = lex.number_words.get(texts[k].lower()) if k < end else None
        if frac is not None and frac.kind == "fraction" and state.total == 0:
            numerator = state.current
            share = numerator * frac.value
            rules.append(frac.id)
            # "half a million": a multiplier, not a share
            if k + 2 < end and texts[k + 1].lower() in ("a", "an"):
                scale = lex.number_words.get(texts[k + 2].lower())
                if scale is not None and scale.kind == "scale":
                    value = share * scale.value
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
        if last_word is not None and last_word.kind in ("scale", "hundred"):
            raw = value / last_word.value
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


# After "100m", these say metres; otherwise a lone "m" after a number is million in news.
METRE_CONTEXT = frozenset(
    {"tall", "high", "long", "wide", "deep", "away", "sprint", "race", "hurdles", "freestyle",
     "dash", "relay", "below", "above", "underground", "altitude", "depth", "radius"}
)  # fmt: skip

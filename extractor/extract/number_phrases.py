"""Number phrases: how a number is written at one token of the scan ("1,234.5", "R1 187,45",
"10^6", "57-point-zero-seven billion", "two hundred and five", "one-fifth", "dozens of").

`NumberReader` is the half of the Scanner (extractor/extract/scanner.py) that reads the number
itself; the Scanner adds the units, the counted nouns and the context windows around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy

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


class NumberReader:
    """Reads the number phrase starting at a token (indices local to the scanned Doc or Span)."""

    texts: list[str]
    lex: Lexicons
    n: int
    attrs: numpy.ndarray

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
                # "three point two", "five-point-one" (a broadcast script's hyphens)
                if j + 2 < end and texts[j + 1] == "-" and not self.spaced(j):
                    after = lex.number_words.get(texts[j + 2].lower())
                    if after is not None and after.kind == "unit" and state.add(word):
                        rules.append(word.id)
                        j += 2
                        continue
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
        if state.decimals:
            # "fifty-seven-point-zero-seven billion": the scale after the decimals
            return self._scales(phrase, end_tok, end, currency=False)
        return phrase

    def spaced(self, k: int) -> bool:
        """Whether whitespace follows token k."""
        return bool(self.attrs[k, 3])

    def _metres_follow(self, j: int) -> bool:
        if j >= self.n:
            return False
        return self.texts[j] == "-" or self.texts[j].lower() in METRE_CONTEXT


# After "100m", these say metres; otherwise a lone "m" after a number is million in news.
METRE_CONTEXT = frozenset(
    {"tall", "high", "long", "wide", "deep", "away", "sprint", "race", "hurdles", "freestyle",
     "dash", "relay", "below", "above", "underground", "altitude", "depth", "radius"}
)  # fmt: skip

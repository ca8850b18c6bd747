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

import numpy
from spacy.tokens import Doc, Span

from extractor.extract.lexicons import Lexicons, lexicons
from extractor.extract.nlp import get_nlp
from extractor.extract.number_phrases import NumberPhrase
from extractor.extract.quantity_context import (
    Found,
    ScaleNote,
    apply_scale_notes,
    inherit_changes,
    inherit_units,
    read_context,
    read_range,
    scale_note_at,
)
from extractor.extract.scanner import (
    BLOCK_WINDOW,
    POSSESSIVES,
    PRONOUN_ONE_BEFORE,
    YEAR_PREPOSITIONS,
    Scanner,
    UnitHit,
    member,
)
from extractor.models import Quantity

# A sentence never states more numbers than this; past it the "sentence" is a flattened table or
# junk, and the fact layer's per-sentence work (each number read against the others) would grow
# with the square of its length: "rose 5% and 5% and ..." 4,000 times took 13 s.
MAX_SENTENCE_QUANTITIES = 120


def find_quantities(doclike: Doc | Span) -> list[Quantity]:
    """Every quantity in a Doc or Span; spans are character offsets in the Doc's text. A Span is
    one sentence: only its first MAX_SENTENCE_QUANTITIES quantities are read."""
    limit = MAX_SENTENCE_QUANTITIES if isinstance(doclike, Span) else None
    lex = lexicons()
    scanner = Scanner(doclike, lex)
    if scanner.n == 0:
        return []
    attrs = scanner.attrs
    is_number = (attrs[:, 2] != 0) | member(attrs[:, 1], lex.number_word_hashes)
    candidates = [int(k) for k in numpy.nonzero(is_number)[0]]
    blocked = _blocked(doclike, lex, candidates, attrs)
    found: list[Found] = []
    consumed = 0
    floor = 0  # a context window reaches back over dropped numbers (years), not kept ones
    notes: list[ScaleNote] = []
    for pos, i in enumerate(candidates):
        if i < consumed or i in blocked:
            continue
        note = scale_note_at(scanner, i)
        if note is not None:
            notes.append(note)
            consumed = note.end
            continue
        item = _read_quantity(scanner, i, floor, _next_numbers(scanner, candidates, pos + 1))
        if item is None:
            continue
        consumed = item.end
        if item.keep:
            floor = item.end
            found.append(item)
            if limit is not None and len(found) >= limit:
                break
    if notes:
        apply_scale_notes(scanner, found, notes)
    inherit_changes(scanner, found)
    inherit_units(scanner, found)
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
        found = [i for i in ids if i is not None]
        if len(found) == len(ids):  # else a token the pattern needs is nowhere: it cannot match
            needs.append((length, found))
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


def _all_near(ids: list[list[int]], lo: int, hi: int) -> bool:
    """Whether every position list has a position in [lo, hi)."""
    for ps in ids:
        i = bisect_left(ps, lo)
        if i == len(ps) or ps[i] >= hi:
            return False
    return True


def _next_numbers(sc: Scanner, candidates: list[int], first: int) -> list[int]:
    """The next candidate that can start a number (not "quarter" in "quarter-on-quarter")."""
    out = []
    for idx in range(first, len(candidates)):
        k = candidates[idx]
        word = sc.lex.number_words.get(sc.texts[k].lower())
        if word is None or word.kind in ("unit", "tens", "vague"):
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


def _read_quantity(sc: Scanner, i: int, floor: int, later: list[int]) -> Found | None:
    texts, n = sc.texts, sc.n
    left = sc.left_bound(i, floor)
    s, cur_unit, cur_surface, cur_rules = sc.currency_before(i, left)
    if s < i:
        left = sc.left_bound(s, floor)  # the window is counted from the currency sign
    phrase = sc.number_at(i, n, currency=cur_unit is not None)
    if phrase is None:
        return None
    if phrase.refused:
        return Found(phrase.start, phrase.end, phrase.value, None, None, None, [], keep=False)
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
    found = Found(s, e, phrase.value, phrase.value_high, unit_name, unit_surface,
                   phrase.rules + rules, fraction=phrase.fraction)  # fmt: skip
    if phrase.value_high is not None:
        found.range_form = "range"
    if texts[i][:1] == "~":
        found.qualifier = "~"
    read_range(sc, found, phrase, left)
    if not found.keep or _not_a_quantity(sc, found, phrase, s, i, cur_unit is not None):
        found.keep = False
        return found
    found.bracketed = s > 0 and texts[s - 1] in ("(", "[")
    read_context(sc, found, left, later, sign_dir)
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
    sc: Scanner, found: Found, phrase: NumberPhrase, s: int, i: int, currency: bool
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

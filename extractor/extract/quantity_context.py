"""Reading around a found number: ranges ("5-6%", "from X to Y"), change words and bases
after it, and what later figures in a sentence inherit (units, changes) from earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractor.cues import cue_regex
from extractor.extract.number_phrases import NumberPhrase
from extractor.extract.numbers import is_year_like
from extractor.extract.scanner import (
    HARD_STOPS,
    LEVEL_WORDS,
    RANGE_DASHES,
    Scanner,
    UnitHit,
)
from extractor.models import Quantity
from extractor.patterns import ChangePattern


def read_range(sc: Scanner, found: Found, p1: NumberPhrase, left: int) -> None:
    texts, n = sc.texts, sc.n
    k = found.end
    if k + 1 >= n or found.range_form is not None:
        return
    conn = texts[k].lower()
    before = texts[found.start - 1].lower() if found.start > left else ""
    before2 = texts[found.start - 2].lower() if found.start - 1 > left else ""
    after_change = False
    if conn in RANGE_DASHES:
        form = "range"
    elif conn == "to":
        form = "from_to" if before == "from" else "range"
        if before != "from" and sc.lex.changes.match_ending_at(texts, found.start - 1, left):
            return  # "rose 5% to $2 billion"
        after_change = before != "from" and _change_before(sc, found.start)
    elif conn == "and" and (before == "between" or before2 == "between"):
        form = "range"
        after_change = False
    else:
        return
    j = k + 1
    j2, cur2, _, cur_rules = sc.currency_before(j + 1, j) if False else (j, None, None, [])
    hit = sc.lex.units.match_at(texts, j, n)
    if hit is not None and hit[0].position in ("pre", "both") and hit[0].kind == "currency":
        cur2, cur_rules, j2 = hit[0].unit, [hit[0].id], j + hit[1]
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
    if after_change and found.unit is not None and (p1.scaled or not p2.scaled):
        # "dropped 6% or $3 billion to $45 billion": a change, then the level it reached;
        # but "fell by 1 to 1.5 degrees", "down from $89 to $93 billion" are ranges
        return
    if p1.year_like and p2.year_like and found.unit is None and u2 in (None, "count"):
        found.keep = False  # "2021–2025", "between 1600 and 1900": years
        found.end = p2.end
        return
    if p1.year_like != p2.year_like and found.unit is None and cur2 is None:
        if not (conn in RANGE_DASHES and u2 not in (None, "count") and p2.value > p1.value):
            return  # but "2000 - 2500 calories" is a range of a measure
    if p1.year_like and found.unit is None and cur2 is not None:
        return  # "from R1 100 in 2016 to R1 187 in 2017": a year, then a new amount
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


def _noun_in_of(sc: Scanner, of: int, left: int) -> tuple[ChangePattern, int] | None:
    """ "an increase in the goods deficit of $0.3 billion": a change noun, then what changed
    ("in ..."), then "of" and the size (up to six words between, no comma)."""
    texts = sc.texts
    for v in range(of - 1, max(left, of - 7), -1):
        if texts[v] in HARD_STOPS or texts[v] == ",":
            return None
        if texts[v].lower() in ("in", "for") and v - 1 >= left:
            return sc.lex.change_nouns.match_ending_at(texts, v - 1, left)
    return None


def _change_before(sc: Scanner, start: int) -> bool:
    """Whether a change verb stands earlier in the clause: then "A to B" is a change and the
    level it reached, not a range. Looks back over other figures ("fell 6% or $3 billion to"),
    not over a comma or a sentence stop."""
    texts, lex = sc.texts, sc.lex
    k = start - 1
    while k > max(-1, start - CHANGE_REACH):
        if texts[k] in HARD_STOPS or texts[k] in (",", "from", "between"):
            return False
        hedge = lex.qualifiers.match_ending_at(texts, k, max(0, k - 3))
        if hedge is not None:
            k -= hedge[1]  # "up to", "more than": a hedge, not a change
            continue
        if lex.changes.match_ending_at(texts, k, max(0, k - 3)) is not None:
            return not _not_yet(texts, k)
        k -= 1
    return False


def _not_yet(texts: list[str], verb: int) -> bool:
    """A movement put in the future or the conditional ("expect exports to increase about $1
    billion to $2 billion"): its "A to B" stays a range (cue not_yet_before)."""
    first = verb
    while first > 0 and texts[first - 1] not in HARD_STOPS and verb - first < 12:
        first -= 1
    return bool(cue_regex("not_yet_before").search(" ".join(texts[first:verb])))


# How far back a change verb turns "A to B" into a change and a level.
CHANGE_REACH = 10


def read_context(
    sc: Scanner, found: Found, left: int, later: list[int], sign_dir: str | None
) -> None:
    texts, lex = sc.texts, sc.lex
    k = found.start - 1
    if k >= left and texts[k].lower() == "by":
        k -= 1
    hit = lex.qualifiers.match_ending_at(texts, k, left)
    if hit is not None:
        found.qualifier = hit[0].qualifier
        found.rules.append(hit[0].id)
        k -= hit[1]
        if found.range_form == "range" and texts[k + 1].lower() == "between":
            pass
    article = k >= left and texts[k].lower() in ("a", "an", "the", "another")
    if k >= left and (article or texts[k].lower() == "by"):
        k -= 1
    if article and k >= left and texts[k].lower() == "by":
        k -= 1  # "revised up by a $1 billion"
    direction: str | None = None
    by_k = k + 1 if k + 1 < found.start and texts[k + 1].lower() == "by" else None
    if found.range_form == "from_to" and k >= left and texts[k].lower() == "from":
        k -= 1  # "fell from $2,415 to $2,315"
    if k >= left and texts[k].lower() == "of":
        noun = lex.change_nouns.match_ending_at(texts, k - 1, left) or _noun_in_of(sc, k, left)
        if noun is not None:
            direction = noun[0].direction
            found.rules.append(noun[0].id)
            found.trigger = texts[k - 1].lower()
    elif k >= left and texts[k].lower() not in LEVEL_WORDS:
        verb = lex.changes.match_ending_at(texts, k, left)
        if verb is not None and k > left and texts[k - 1].lower() in PHRASAL_NOT_CHANGE:
            verb = None  # "making up one-fifth", "gave up 517 yards"
        if article and by_k is None:
            verb = None  # "added a 30 degree homer": the verb's object, not its size
        if verb is not None:
            if texts[k].lower() not in ("higher", "lower", "plus", "off"):
                direction = verb[0].direction
                found.rules.append(verb[0].id)
                found.trigger = texts[k].lower()
    if direction is None and by_k is not None:
        # "grow sales by 35 per cent", "cut its forecast by 0.5 points", "fell from May to
        # June by $3 billion" (a span of dates between, but no other amount)
        for v in range(by_k - 1, max(left, by_k - BY_REACH) - 1, -1):
            verb = lex.changes_by.match_ending_at(texts, v, left)
            if verb is not None:
                direction = verb[0].direction
                found.rules.append(verb[0].id)
                found.trigger = texts[v].lower()
                break
            if texts[v] in HARD_STOPS or texts[v] == ",":
                break
            if texts[v][:1].isdigit() and not is_year_like(texts[v]):
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
            comparative = COMPARATIVES.get(word) if j + 1 < right else None
            if post is None and comparative and texts[j + 1].lower() == "than":
                # "12 per cent greater than a year earlier", "9% less than in May"
                direction = comparative
                found.rules.append(f"change-comparative-{comparative}")
                found.trigger = word
            elif post is not None:
                direction = post[0].direction
                found.rules.append(post[0].id)
                found.trigger = word
    if direction is None:
        direction = sign_dir
    found.direction = direction
    if direction is not None or found.unit in ("percent", "pp"):
        find_basis(sc, found, left, right)


def find_basis(sc: Scanner, found: Found, left: int, right: int) -> None:
    """The comparison basis near a change: after it first ("rose 5% year-on-year"), then before
    ("a year-on-year rise of 5%"). Kept aside until the quantity is known to be a change."""
    texts, lex = sc.texts, sc.lex
    spans = [(j, right) for j in range(found.end, right)]
    spans += [(j, found.start) for j in range(max(left, found.start - 6), found.start)]
    for j, stop in spans:
        hit = lex.bases.match_at(texts, j, stop)
        if hit is not None:
            found.pending_basis = (hit[0].basis, hit[0].id)
            if found.direction is not None:
                found.basis = found.pending_basis[0]
                found.rules.append(hit[0].id)
            return


# A figure followed by one of these and "than" is the size of a change ("12% greater than a
# year earlier"); before a figure they are hedges ("more than 5%": qualifiers.jsonl).
COMPARATIVES = {"greater": "up", "more": "up", "higher": "up", "bigger": "up", "larger": "up",
                "less": "down", "lower": "down", "smaller": "down", "fewer": "down"}  # fmt: skip


# How far before "by N" a change verb may stand ("decreased from May 2017 to June 2017 by").
BY_REACH = 8


PHRASAL_NOT_CHANGE = frozenset(
    {"make", "makes", "making", "made", "give", "gives", "giving", "gave", "given", "take",
     "takes", "taking", "took", "set", "sets", "setting", "sign", "signed", "sum", "summed"}
)  # fmt: skip


ELLIPSIS_UNITS = frozenset({"points", "deg", "GBX", "°C", "°F"})


def inherit_units(sc: Scanner, found: list[Found]) -> None:
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


def _scaled(q: Found) -> bool:
    return any(r.startswith(("num-scale", "num-hundred")) for r in q.rules)


def _same_sentence(sc: Scanner, a: Found, b: Found) -> bool:
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    return not any(sc.texts[t] in HARD_STOPS for t in range(lo, hi))


def inherit_changes(sc: Scanner, found: list[Found]) -> None:
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


def tidy(value: float | None) -> float | None:
    """8.2 x 1e9 is 8199999999.999999 in binary floating point: twelve significant digits
    are more than any reported figure has, and give back 8200000000.0."""
    return None if value is None else float(f"{value:.12g}")


@dataclass
class Found:
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
            value=tidy(self.value),
            value_high=tidy(self.value_high),
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


@dataclass
class ScaleNote:
    """ "($ millions)", "in thousands of tonnes": the scale (and unit) of the bare figures
    around it, stated once."""

    start: int
    end: int
    multiplier: float
    unit: str | None
    unit_surface: str | None
    rule: str


def scale_note_at(sc: Scanner, i: int) -> ScaleNote | None:
    """A scale word at token i that is a note, not an amount: in brackets ("(millions)",
    "(US$ million)") or after "in" and closing its phrase ("in millions of dollars,")."""
    texts, lex, n = sc.texts, sc.lex, sc.n
    entry = lex.number_words.get(texts[i].lower())
    if entry is None or entry.kind not in ("scale", "vague") or entry.value < 1000:
        return None
    unit = surface = None
    k = i - 1
    hit = lex.units.match_ending_at(texts, k, max(0, k - 2)) if k >= 0 else None
    if hit is not None and hit[0].kind == "currency" and hit[0].position in ("pre", "both"):
        unit, surface = hit[0].unit, sc.surface(k - hit[1] + 1, k + 1)
        k -= hit[1]
    opener = texts[k].lower() if k >= 0 else ""
    j = i + 1
    if j + 1 < n and texts[j].lower() == "of":
        after = sc.unit_after(j + 1, n)
        if after is None or after.unit in (None, "count", "percent"):
            return None
        if unit is None:
            unit, surface = after.unit, after.surface
        j = after.end
    closer = texts[j] if j < n else "."
    if opener == "(" and closer == ")":
        return ScaleNote(k, j + 1, entry.value, unit, surface, entry.id)
    if opener == "in" and (closer in (")", ",") or closer in HARD_STOPS):
        return ScaleNote(k, j, entry.value, unit, surface, entry.id)
    return None


def apply_scale_notes(sc: Scanner, found: list[Found], notes: list[ScaleNote]) -> None:
    """Scale the bare figures of a note's sentence: those after it, and the one right before a
    bracketed note ("5,234 ($ million)"). A figure with its own scale, a percentage or another
    unit keeps what it says."""
    for note in notes:
        for f in found:
            before = f.end == note.start and sc.texts[note.start] == "("
            if not before and (f.start < note.end or not _between_clear(sc, note.end, f.start)):
                continue
            if f.fraction or any(r.startswith("num-") for r in f.rules):
                continue
            if f.unit is not None and (note.unit is None or f.unit != note.unit):
                continue
            f.value *= note.multiplier
            if f.value_high is not None:
                f.value_high *= note.multiplier
            if f.unit is None and note.unit is not None:
                f.unit, f.unit_surface = note.unit, note.unit_surface
            f.rules += [note.rule, "scale-note"]


def _between_clear(sc: Scanner, lo: int, hi: int) -> bool:
    return not any(sc.texts[t] in HARD_STOPS for t in range(lo, hi))

"""Inside one sentence: split it into clauses, decide what each quantity is (a level, a change,
the base of a comparison, or not a fact at all) and join levels with their changes.

The quantity layer reads each number alone; this module reads the words *between* numbers:
"rose 7.2% year-on-year to $758.3 billion" joins a change and a level, "$3 billion, up 5%"
joins a level and the change after it, "compared with $2 billion" marks a base. The movement
words come from the quantity layer's own `patterns/changes.jsonl`, the basis phrases from
`patterns/bases.jsonl`, so the two layers share one lexicon; the named word patterns between
and around numbers ("to_level", "comparison_mark", ...) are the cue regexes of
`patterns/cues.jsonl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.cues import cue_regex
from extractor.extract.changes import basis_regex, change_words, direction_word_before, find_bases
from extractor.models import Quantity


def basis_after(text: str, item: Item) -> str | None:
    """The basis phrase right after a change ('5.3% month-on-month'), else the quantity's."""
    for start, _end, basis in find_bases(text[item.end : item.end + 28]):
        if start <= 3 and basis:
            return basis
    return item.q.change_basis


@dataclass
class Item:
    """A quantity placed in its sentence, with the role the fact layer gives it."""

    q: Quantity
    start: int  # offsets in the sentence text
    end: int
    role: str = "level"  # level | change | comparison
    direction: str | None = None
    share: bool = False
    clause: int = 0


@dataclass
class Group:
    """One fact in the making: a level and/or one change."""

    level: Item | None = None
    change: Item | None = None
    extra_changes: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [i for i in (self.level, self.change) if i is not None]

    # start, end and first are read tens of times per group while facts are built: compared
    # directly, not through a list of items.
    @property
    def start(self) -> int:
        return self.first.start

    @property
    def end(self) -> int:
        level, change = self.level, self.change
        if level is None or change is None:
            return (level or change).end  # type: ignore[union-attr]
        return max(level.end, change.end)

    @property
    def first(self) -> Item:
        level, change = self.level, self.change
        if level is None or change is None:
            return level or change  # type: ignore[return-value]
        return change if change.start < level.start else level


def clause_bounds(text: str) -> list[tuple[int, int]]:
    cuts = [0]
    for m in cue_regex("clause_break").finditer(text):
        if m.start() > cuts[-1] + 3:
            cuts.append(m.start())
    cuts.append(len(text))
    return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]


# Durations, ages, temperatures and speeds are never the figure of an economic fact.
NON_FACT_UNITS = {
    "s", "min", "hour", "day", "week", "month", "year", "decade", "age", "°C", "°F", "deg",
    "rpm", "mph", "km/h", "m/s", "times", "rpg", "apg", "ppg",
}  # fmt: skip


def keep_quantity(q: Quantity, text: str, start: int, end: int) -> bool:
    """Drop what is not a figure: bare numbers, counts of non-goods, '$200 billion mark'."""
    if q.unit is None or q.unit in NON_FACT_UNITS:
        return False
    if q.unit == "count" and not cue_regex("counted_goods").match((q.unit_surface or "").strip()):
        return False
    if cue_regex("not_a_figure_after").match(text[end : end + 25]):
        return False
    return not re.search(r"\b(?:top|No\.?|number|ranked)\s*$", text[max(0, start - 8) : start])


def assign_roles(items: list[Item], text: str, clauses: list[tuple[int, int]]) -> None:
    """Level or change or comparison base, by the words before each quantity."""
    comparison_sentence = bool(re.match(r"\s*(?:That|This|It|Which)\s+compares", text))
    for n, item in enumerate(items):
        item.clause = next((i for i, (s, e) in enumerate(clauses) if s <= item.start < e), 0)
        c_start = clauses[item.clause][0]
        prev = items[n - 1] if n and items[n - 1].clause == item.clause else None
        before = text[prev.end if prev else c_start : item.start]
        near = text[max(0, item.start - 40) : item.start]
        q = item.q
        # A bare sign ("+€22.6Bn") marks a surplus, not a movement.
        signed_only = (q.trigger or "") in ("+", "-", "plus", "minus") or (
            q.trigger is None and q.surface.lstrip()[:1] in ("+", "-", "−")
        )
        item.direction = None if signed_only and q.unit != "percent" else q.direction
        nxt = items[n + 1] if n + 1 < len(items) else None
        to_next = bool(
            nxt
            and nxt.q.unit != q.unit
            and cue_regex("to_level_after").match(text[item.end : nxt.start])
        )
        if (
            q.unit != "pp"
            and (not item.direction or signed_only)
            and not cue_regex("level_to").search(near)
            and (comparison_sentence or cue_regex("comparison_mark").search(_strip_periods(near)))
        ) or _another_base(prev, item, before):
            item.role = "comparison"
            continue
        if q.bracketed and prev is not None and prev.role == "change" and prev.q.unit != q.unit:
            item.role = "level"  # "falls of 3.1% (6.3m teu)": the level after the change
            item.direction = None
            continue
        if q.unit == "pp":
            item.role = "change"
        elif q.unit == "percent":
            item.role = _percent_role(item, text, before, near)
            forecast = cue_regex("forecast_after").match(text, item.end)
            if item.role == "level" and not item.share and not forecast:
                if to_next or _coordinated(prev, before) or _after_change(prev, before):
                    item.role = "change"
        elif item.direction and not cue_regex("level_to").search(near):
            item.role = "change"
        elif re.search(
            r"(?:increase|rise|jump|drop|fall|decline|decrease|gain)\s+of\s*$", near, re.I
        ) or re.match(
            r"\s*(?:jump|rise|increase|drop|fall|decline|gain|(?:wider|narrower|higher|lower|more|"
            r"less|larger|smaller|bigger)\s+than)\b",
            text[item.end :],
        ):
            item.role = "change"
        elif prev is not None and prev.q.unit == q.unit and _coordinated(prev, before):
            item.role = "change"  # "widened by £1.6bn with EU countries and £0.8bn with ..."
        if item.role == "change" and item.direction is None:
            item.direction = _direction_near(text, item, before, items[:n])
        if item.role == "change" and cue_regex("negative_growth_before").search(near):
            item.direction = "down"  # "exhibiting a negative growth of 6.8 per cent"
        if item.role == "level" and comparison_sentence:
            item.role = "comparison"


def _after_change(prev: Item | None, before: str) -> bool:
    """'grew 7.4% in the second quarter having registered 5.9% in Q1': a bare percent after a
    percent change in the same clause is another change, unless 'to'/'at' make it a level."""
    if prev is None or prev.role != "change" or prev.q.unit != "percent":
        return False
    return not re.search(
        r"\b(?:to|at|was|were|is|of\s+(?:total|all))\s*$", before.strip() + " ", re.I
    )


def _another_base(prev: Item | None, item: Item, before: str) -> bool:
    """'compared with 5.1 million tonnes in September and 4.9 million tonnes a year ago': a
    figure joined by 'and' to a comparison base in the same unit is a base too."""
    if prev is None or prev.role != "comparison" or prev.q.unit != item.q.unit:
        return False
    if item.q.direction or direction_word_before(before):
        return False
    return bool(
        re.fullmatch(r"[^.;:]{0,40}?\band\s+(?:(?:about|around|nearly|roughly|some)\s+)?", before)
    )


def _coordinated(prev: Item | None, before: str) -> bool:
    """'fell 7.7% by volume and 9.4% by value': the second figure is a change too."""
    if prev is None or prev.role != "change":
        return False
    cleaned = re.sub(r"\bby\s+(?:volume|value)\b|\([^)]*\)", " ", before)
    cleaned = re.sub(
        r"\b(?:about|around|nearly|almost|roughly|some|over|more\s+than|less\s+than|by)\s*$",
        "",
        cleaned.strip(),
        flags=re.I,
    )
    if len(cleaned.split()) > 7 or direction_word_before(cleaned):
        return False
    return bool(re.search(r"(?:\band|,)\s*$", cleaned))


def _strip_periods(text: str) -> str:
    """Remove a trailing period phrase and bracket so 'compared with June 2018 [' ends in
    the comparison words."""
    text = re.sub(r"[\s\[(]+$", "", text)
    text = re.sub(
        r"\s*(?:(?:in\s+)?(?:the\s+)?(?:[A-Z][a-z]+\.?(?:[-–][A-Z][a-z]+)?\s+)?(?:19|20)\d{2}|"
        r"in\s+[A-Z][a-z]+|a\s+year\s+(?:earlier|ago))$",
        "",
        text,
    )
    return text + " "


def _percent_role(item: Item, text: str, before: str, near: str) -> str:
    q = item.q
    after = basis_regex().sub(" ", text[item.end : item.end + 60])
    after = re.sub(r"\([^)]*\)", " ", after)
    if cue_regex("share_before").search(near) or (
        re.match(r"\s+of\s+", after)
        and not cue_regex("growth_noun_before").search(near)
        and not re.search(r"\b(?:by|rose|fell|grew|up|down)\s+$", near, re.I)
    ):
        item.share = True
        return "level"
    if q.fraction and re.search(
        r"\bby\s+(?:almost|nearly|about|around|roughly|more\s+than|over|some|just\s+over)?\s*$",
        near,
        re.I,
    ):
        return "change"  # "slumped by almost a quarter"
    if q.fraction:
        item.share = True
        return "level"
    if cue_regex("forecast_before").search(before) and not re.search(r"\bby\s*$", near):
        return "level"
    if cue_regex("forecast_after").match(text, item.end):
        return "level"
    if q.value_high is not None and not re.search(r"\bby\s*$", near):
        return "level"  # "between 1.2% and 1.5%": a range is a level
    if cue_regex("at_a_rate").search(near) and re.match(
        r"\s*(?:annual(?:ized)?\s+)?(?:rate|pace|clip)", after
    ):
        return "change"  # "contracted at a 0.5% annual rate"
    if q.direction:
        return (
            "level"
            if cue_regex("level_to").search(near) and not cue_regex("growth_verb_at").search(near)
            else "change"
        )
    if cue_regex("growth_noun_before").search(near):
        return "change"
    if re.match(
        r"\s*(?:y/y|m/m|year-on-year|on-year|month-on-month)?\s*(?:increase|rise|growth|gain|"
        r"drop|fall|decline|decrease|contraction|higher|lower|more|less|below|above|smaller|greater|"
        r"larger|bigger|wider|narrower)\b",
        after,
        re.I,
    ):
        return "change"
    if cue_regex("level_to").search(near) and not cue_regex("growth_verb_at").search(near):
        return "level"
    if q.value is not None and q.value < 0:
        return "change"
    if direction_word_before(before):
        return "change"
    return "level"


def _direction_near(text: str, item: Item, before: str, earlier: list[Item]) -> str | None:
    after = text[item.end : item.end + 30]
    m = re.match(r"\s*(?:y/y|year-on-year|on-year)?\s*([A-Za-z]+)", after)
    if m and m[1].lower() in change_words():
        return change_words()[m[1].lower()]
    if item.q.value is not None and item.q.value < 0:
        return "down"
    found = direction_word_before(before)
    if found:
        return found
    for other in reversed(earlier):
        if other.role == "change" and other.direction and other.clause == item.clause:
            return other.direction
    return direction_word_before(text[: item.start]) or "up"


def make_groups(items: list[Item], text: str, period_spans: list[tuple[int, int]]) -> list[Group]:
    """Join each change with its level, in text order."""
    groups: list[Group] = []
    for item in items:
        if item.role == "comparison":
            groups.append(Group(level=item))
            continue
        last = groups[-1] if groups else None
        between = _between(text, last.end, item.start, period_spans) if last else ""
        same_clause = last is not None and last.items[-1].clause == item.clause
        if last and same_clause and item.role == "level" and last.level is None and last.change:
            coordinated = (
                len(groups) >= 2
                and groups[-2].change
                and groups[-2].level is None
                and (
                    re.fullmatch(
                        r"[\s\w-]*?\band\s*",
                        _between(text, groups[-2].end, last.start, period_spans),
                    )
                )
            )
            reached = cue_regex("to_level").search(between) or cue_regex(
                "level_after_change"
            ).search(between)
            if (reached or item.q.bracketed) and not coordinated:
                last.level = item
                # "fell 2.3%, or $1.1 billion, to $42.1 billion": both changes end at the level
                if len(groups) >= 2 and groups[-2].change and groups[-2].level is None:
                    gap = text[groups[-2].end : last.start]
                    if re.fullmatch(r"\s*,?\s*or\s*", gap):
                        groups[-2].level = item
                continue
        if last and same_clause and item.role == "change" and last.level and last.change is None:
            head, _, tail = between.rpartition(",")
            loose = (
                bool(head)
                and not direction_word_before(head)
                and cue_regex("appositive_change").match(tail)
            )
            copula = bool(re.fullmatch(r"\s*(?:was|were|is|are)\s*", between))
            if cue_regex("appositive_change").match(between) or item.q.bracketed or loose or copula:
                last.change = item
                continue
        owner = _second_change_owner(groups, item, text, between)
        if owner is not None:
            groups.append(Group(level=owner.level, change=item))
            continue
        groups.append(Group(level=item) if item.role == "level" else Group(change=item))
    return _pair_respectively(groups, text)


def _pair_respectively(groups: list[Group], text: str) -> list[Group]:
    """'35.7 million tonnes worth $19 billion, respectively rising 4% and falling 17%': k lone
    levels then k lone changes, with 'respectively' by the changes, pair in order."""
    if "respectively" not in text:
        return groups
    lone_level = [g.change is None and g.level is not None and g.level.role == "level"
                  and not g.level.share for g in groups]  # fmt: skip
    lone_change = [g.level is None for g in groups]
    for k in range(len(groups) // 2, 1, -1):
        for i in range(len(groups) - 2 * k + 1):
            levels, changes = groups[i : i + k], groups[i + k : i + 2 * k]
            if not (all(lone_level[i : i + k]) and all(lone_change[i + k : i + 2 * k])):
                continue
            near = text[levels[-1].end : changes[-1].end + 20]
            if "respectively" not in near:
                continue
            pairs = zip(levels, changes, strict=True)
            paired = [Group(level=a.level, change=b.change) for a, b in pairs]
            return [*groups[:i], *paired, *groups[i + 2 * k :]]
    return groups


def _second_change_owner(groups: list[Group], item: Item, text: str, between: str) -> Group | None:
    """The level+change group a second change of the same level belongs to: "rose 6.8% from
    a year earlier to $24.57 billion and were up 3.1% on the month", "409,800 vehicles, up 61%
    year-on-year but down 6% from 438,000 units", "up 8.2% from a revised $19.07 billion in
    August, and down 10.1% from September 2008" (past the first change's base). None when
    the change is not joined that way, or restates the first change's basis."""
    if item.role != "change" or not groups:
        return None
    k = len(groups) - 1
    while k > 0 and _base_of_previous(groups[k], groups[k - 1], text):
        k -= 1  # the first change's base sits between
    owner = groups[k]
    if owner.level is None or owner.change is None or owner.items[-1].clause != item.clause:
        return None
    if owner.level.role == "comparison" or not re.fullmatch(
        r"\s*(?:(?:in|for|during|over)\s+)?(?:,|and|but|,\s*(?:and|but))\s*"
        r"(?:(?:was|were|is|are)\s+)?(?:(?:up|down)\s+)?",
        between,
    ):
        return None
    basis, first = basis_after(text, item), basis_after(text, owner.change)
    own_base = bool(re.match(r"\s*(?:from|compared\s+(?:with|to)|against)\b", text[item.end :]))
    # a change with its own base ("down 6% from 438,000 units") is a second change even when
    # the quantity layer carried the first one's basis over to it
    return owner if own_base or (basis and basis != first) else None


def _base_of_previous(group: Group, previous: Group, text: str) -> bool:
    """A base the change before states: a comparison, or a lone level right after 'from'
    ("up 8.2% from an upwardly revised $19.07 billion")."""
    level = group.level
    if level is None or group.change is not None:
        return False
    if level.role == "comparison":
        return True
    return bool(
        re.match(r"\s*(?:from|compared\s+(?:with|to)|against)\b", text[previous.end : level.start])
    )


def _between(text: str, start: int, end: int, period_spans: list[tuple[int, int]]) -> str:
    """Text between two quantities without period phrases, basis phrases or 'by volume'."""
    chunk = list(text[start:end])
    for ps, pe in period_spans:
        for i in range(max(ps, start), min(pe, end)):
            chunk[i - start] = " "
    out = "".join(chunk)
    out = basis_regex().sub(" ", out)
    out = re.sub(r"\bby\s+(?:volume|value)\b|\([^)]*\)|\bcompared\s+with\s*$", " ", out)
    out = re.sub(r"\bworth\s+of\s+\w+", " ", out)
    out = re.sub(r"\b(?:in|during|for|over)\s+(?=\s*(?:,|to\b|$))", " ", out)
    return re.sub(r"\s+", " ", out)

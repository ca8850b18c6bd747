"""Fill in a fact's fields for one group of quantities in a sentence: metric, entity and
partner, each looked up nearest-first (the words around the group, then its clause, then the
sentence, then what the paragraph or article was talking about). Period and basis are in
`fact_periods`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.cues import Cue, cue_regex
from extractor.extract import metrics
from extractor.extract.changes import change_words, find_bases
from extractor.extract.clauses import (
    Group,
)
from extractor.extract.entities import (
    ECONOMY_KINDS,
    EntityMention,
    is_non_partner_group,
    is_partner_position,
    is_possessive,
    is_ranked_counterpart,
)
from extractor.extract.inflection import singular
from extractor.extract.periods import Period, PeriodMention
from extractor.vocabulary import currency_codes, flow_words

GENERIC_VOLUME = {"volume", "throughput", "growth", ""}


@dataclass
class Sentence:
    """Everything found in one sentence, with offsets relative to its text."""

    text: str
    clauses: list[tuple[int, int]]
    groups: list[Group]
    periods: list[tuple[PeriodMention, Period | None]]
    entities: list[EntityMention]
    cues: list[Cue]
    respectively: bool = False
    metric_of: dict[int, str] = field(default_factory=dict)  # group index -> metric
    # Asked for many times per group while its fields are filled in; the groups are settled by
    # then, so each answer is worked out once.
    _windows: dict[int, tuple[int, int]] = field(default_factory=dict, repr=False)
    _asides: list[tuple[int, int]] | None = field(default=None, repr=False)
    _bases: list[tuple[int, int, str]] | None = field(default=None, repr=False)

    def clause_of(self, group: Group) -> int:
        return group.first.clause

    @property
    def asides(self) -> list[tuple[int, int]]:
        """The ", which ...," and ", where ...," asides, as (start, end) offsets."""
        if self._asides is None:
            self._asides = [(m.start(), m.end()) for m in cue_regex("aside").finditer(self.text)]
        return self._asides

    @property
    def bases(self) -> list[tuple[int, int, str]]:
        """The basis phrases ("year on year", "from a month earlier") as (start, end, basis)."""
        if self._bases is None:
            self._bases = find_bases(self.text)
        return self._bases

    def window(self, n: int) -> tuple[int, int]:
        """From the end of the previous group in the same clause (or the clause start) to the
        start of group n."""
        found = self._windows.get(n)
        if found is None:
            found = self._windows[n] = self._window(n)
        return found

    def _window(self, n: int) -> tuple[int, int]:
        group = self.groups[n]
        c_start = self.clauses[self.clause_of(group)][0]
        start = c_start
        asides = self.asides
        for other in self.groups[:n]:
            inside = any(a <= other.start < b for a, b in asides)
            if inside and not any(a <= group.start < b for a, b in asides):
                continue  # a figure in ", where a 15% tariff applies," does not cut the window
            if self.clause_of(other) == self.clause_of(group) and other.end <= group.start:
                start = max(start, other.end)
        return start, group.start

    def after(self, n: int) -> tuple[int, int]:
        group = self.groups[n]
        c_end = self.clauses[self.clause_of(group)][1]
        end = c_end
        for other in self.groups[n + 1 :]:
            if other.start >= group.end:
                end = min(end, other.start)
                break
        return group.end, end


# --- entity and partner -------------------------------------------------------------------------


def entity_candidates(s: Sentence, start: int, end: int) -> list[EntityMention]:
    out = []
    text = s.text
    for e in s.entities:
        if not (start <= e.start and e.end <= end):
            continue
        if e.kind == "dateline":
            continue
        if is_partner_position(text, e):
            # "with Ningbo-Zhoushan growing at 14.4%": the subject of an absolute clause
            if _flow_before(s, e, start) or not re.match(r"\s+\w+ing\b", text[e.end : e.end + 20]):
                continue
        if re.search(r"\b(?:to|from|into)\s+(?:the\s+)?$", text[max(0, e.start - 12) : e.start]):
            continue  # "the flow to Asia": a destination, never the reporter
        if is_non_partner_group(text, e) and not re.search(
            r"(?:extra|intra)-$", text[: e.start], re.I
        ):
            continue
        if e.kind in ("demonym", "scope") or (e.canonical == "World" and e.kind == "region"):
            if e.kind == "region" and not is_possessive(text, e):
                continue
            if re.match(
                r"(?:'s|’s)\s+(?:\w+\s+)?(?:largest|biggest|top|leading|second|third|"
                r"main|major|no\.)",
                text[e.end : e.end + 30],
                re.I,
            ):
                continue  # "the world's largest producer" describes someone else
            if e.kind != "region" and not _before_cue(s, e):
                continue
        elif e.kind not in ECONOMY_KINDS:
            continue
        out.append(e)
    return out


def _before_cue(s: Sentence, e: EntityMention) -> bool:
    """'German exports', 'global boxport volumes': the adjective modifies a metric."""
    if re.match(
        r"\s+(?:ports|exporters|importers|firms|companies|carmakers|manufacturers|"
        r"producers|economy|shippers|refiners)\b",
        s.text[e.end : e.end + 16],
    ):
        return True
    for cue in s.cues:
        if cue.kind == "noun" and 0 <= cue.start - e.end <= 25:
            gap = s.text[e.end : cue.start]
            if re.fullmatch(r"[\sA-Za-z-]*", gap) and len(gap.split()) <= 2:
                return True
    return False


def partner_for(s: Sentence, n: int) -> tuple[bool, EntityMention | None]:
    """(found, mention): found with None means 'a group of counterparts' (non-EU countries)."""
    text = s.text
    a_start, a_end = s.after(n)
    for e in s.entities:
        if a_start <= e.start < a_end and re.match(
            r"\s*(?:with|to|from|for)\s+(?:all\s+of\s+)?(?:the\s+)?(?:non-|rest\s+of\s+)?$",
            text[a_start : e.start],
        ):
            if is_non_partner_group(text, e) or e.canonical == "World":
                return True, None
            if e.kind in ECONOMY_KINDS:
                return True, e
    w_start, w_end = s.window(n)
    found: EntityMention | None = None
    for e in s.entities:
        if w_start <= e.start and e.end <= w_end and e.kind in ECONOMY_KINDS:
            if is_non_partner_group(text, e):
                found = None
                continue
            if is_partner_position(text, e) and (
                _flow_before(s, e, w_start)
                or (found is not None and _joined(text, found, e))
                or is_ranked_counterpart(text, e)
            ):
                if found is not None and _joined(text, found, e):
                    found = EntityMention(
                        found.start, e.end, f"{found.canonical} and {e.canonical}", e.kind, ""
                    )
                    continue
                found = e
    if found is None and re.search(r"\bnon-\w+|\bother\s+countries\b", text[w_start:w_end]):
        return True, None
    return found is not None, found


def _joined(text: str, first: EntityMention, second: EntityMention) -> bool:
    return bool(re.fullmatch(r"\s*(?:and|&)\s+(?:the\s+)?", text[first.end : second.start]))


def _flow_before(s: Sentence, e: EntityMention, w_start: int) -> bool:
    """'exports to X', 'deficit with X', 'those to X', 'X-bound': a flow names its partner;
    'the flow to Asia pushed up...' or 'with Ningbo growing' do not."""
    if re.match(r"-bound\b", s.text[e.end : e.end + 7]):
        return True
    head = s.text[max(w_start, e.start - 60) : e.start]
    if re.search(r"\b(?:those|that)\s+(?:\w+\s+)?(?:to|from|with)\s+(?:the\s+)?$", head, re.I):
        return True
    with_word = bool(re.search(r"\bwith\s+(?:the\s+)?$", head, re.I))
    for cue in s.cues:
        if cue.kind not in ("noun", "verb") or cue.category == "growth":
            continue
        if max(w_start, e.start - 60) <= cue.start < e.start:
            gap = s.text[cue.end : e.start]
            if len(gap.split()) <= (3 if with_word else 7) and not re.search(r"[,;]", gap):
                return True
    return False


# --- metric -------------------------------------------------------------------------------------


def metric_for(s: Sentence, n: int, previous: str | None) -> str | None:
    """The metric phrase for group n, or None when the sentence names none."""
    group = s.groups[n]
    text = s.text
    blocked = [(e.start, e.end) for e in s.entities]
    primary = group.level or group.change
    assert primary is not None
    # A cue right after the number: "a €20.6Bn surplus", "4,566 tons shipped" (not the whole
    # of a share: "2.1% of GDP").
    share = group.level is not None and group.level.share
    for cue in [] if share else s.cues:
        if cue.kind in ("noun", "verb") and 0 <= cue.start - primary.end <= 22:
            if cue.name == "growth" and (previous or _names_metric(s)):
                continue  # "after the 8.2 percent growth in April": the change, not what grew
            gap = text[primary.end : cue.start]
            if re.fullmatch(r"\s*(?:(?:US\s+)?dollars\s+)?(?:of\s+|worth\s+of\s+)?", gap):
                return metrics.build(text, cue, blocked)
    moved = group.change or primary
    for cue in s.cues:
        if cue.kind == "noun" and cue.category != "growth" and 0 < cue.start - moved.end <= 50:
            gap = text[moved.end : cue.start]
            # without 0-3 of the cue's own modifiers ("jump in [semiconductor] exports")
            bare = [re.sub(r"(?:[a-z][\w-]*\s+){" + str(k) + "}$", "", gap) for k in range(4)]
            if any(cue_regex("change_noun_of").fullmatch(g) for g in bare):
                # "the 9.1 percent increase year-on-year of merchandise exports"
                return metrics.build(text, cue, blocked)
    w_start, w_end = s.window(n)
    # A cue right before it: "a trade surplus of $700 million".
    for cue in reversed(s.cues):
        if cue.kind == "noun" and w_start <= cue.start and cue.end <= w_end:
            if re.fullmatch(r"\s*(?:of|at|was|stood\s+at|totall?ed)\s*", text[cue.end : w_end]):
                if cue.category != "growth":
                    return metrics.build(text, cue, blocked)
    rel = re.search(r",\s*which\s+", text[w_start:w_end])
    if rel:
        antecedent = [
            c
            for c in s.cues
            if c.kind == "noun" and w_start <= c.start and c.end <= w_start + rel.start()
        ]
        if antecedent:
            return metrics.build(text, antecedent[-1], blocked)
    asides = s.asides
    if any(a <= w_start <= b for a, b in asides):
        w_start = s.clauses[s.clause_of(group)][0]  # the group before sat inside an aside
    candidates = [
        c
        for c in s.cues
        if c.kind in ("noun", "verb")
        and w_start <= c.start
        and c.end <= w_end + 1
        and not any(a <= c.start < b for a, b in asides)
    ]
    if _anaphor(text[w_start:w_end]) and previous:
        return previous
    tail = re.search(
        r",\s*and\s+(?:also\s+|then\s+|later\s+)?([a-z]+)\s+(?:just\s+|only\s+|by\s+)?$",
        text[w_start:w_end],
    )
    if tail and tail[1] in change_words() and previous:
        return previous  # "GDP shrank 0.1% in September ..., and rose 0.1% in the quarter"
    real = [c for c in candidates if c.category != "growth"]
    last_comma = text.rfind(",", w_start, w_end)
    after_comma = [c for c in real if c.start > last_comma] if last_comma >= 0 else []
    if after_comma and not _anaphor(text[last_comma:w_end]):
        real = after_comma  # "Measured against the economy, the deficit equaled 2.8%"
    if real:
        cue = real[0]
        if re.search(r"\b(?:their|its)\s+$", text[max(0, cue.start - 8) : cue.start]) and previous:
            return _with_aspect(previous, "value" if "value" in cue.text.lower() else "")
        built = metrics.build(text, cue, blocked)
        goods_of = (
            cue_regex("goods_after_unit").match(text, primary.end) if cue.kind == "verb" else None
        )
        if goods_of and built in ("exports", "imports") and not _money_or_rate(primary):
            goods = goods_of[1].lower()
            if goods not in ("goods", "services"):
                goods = singular(goods)
            return f"{goods} {built}"  # "shipped 6.7 million tonnes of soybeans"
        more = cue_regex("goods_after_more").match(text, primary.end)
        if more and cue.kind == "verb" and built in flow_words():
            goods = " ".join(w for w in more[1].split() if w.islower())
            if goods:
                return f"{singular(goods)} {built}"  # "imported 51.4% more Brazilian soy"
        goods = cue_regex("demand_for").search(text[: cue.start])
        if goods and built in flow_words("trade"):
            return f"{goods[1].lower()} {built}"  # "demand for X ..., with shipments up 30%"
        return built
    sector = cue_regex("sector_subject").search(text[w_start:w_end])
    noun = metrics.head_noun(previous)
    if sector and noun:
        return f"{sector[1].lower()} {noun}"  # "..., while the knitwear sector fetched $11.9bn"
    subject = _subject_phrase(text[w_start:w_end], asides, w_start)
    flow = next((w for w in (previous or "").split() if w in flow_words()), None)
    if subject and flow:
        return f"{subject} {flow}"
    if previous:
        return previous
    if candidates:
        return metrics.build(text, candidates[0], blocked)
    earlier = [c for c in s.cues if c.kind in ("noun", "verb") and c.end <= w_start]
    earlier = [c for c in earlier if c.category != "growth"]
    if earlier:  # "palm oil exports and its derivatives dropped to 4.9 million tonnes"
        return metrics.build(text, earlier[-1], blocked)
    return None


def _names_metric(s: Sentence) -> bool:
    return any(c.kind in ("noun", "verb") and c.category != "growth" for c in s.cues)


def _goods_flow(s: Sentence, n: int, metric: str) -> str:
    """'grain exports could include 24.5 million tonnes of wheat', 'exports last season
    included 23.1 million tonnes of corn': the goods after a quantity name what flowed, in
    place of the flow's wider modifiers."""
    level = s.groups[n].level
    if level is None or level.share or _money_or_rate(level):
        return metric
    goods_of = cue_regex("goods_after_unit").match(s.text, level.end)
    base = base_metric(metric)
    flow = base.split()[-1] if base else ""
    if not goods_of or flow not in flow_words():
        return metric
    goods = goods_of[1].lower()
    if goods not in ("goods", "services"):
        goods = singular(goods)
    if goods in base:
        return metric
    return metric.replace(base, f"{goods} {flow}", 1)


def _money_or_rate(item) -> bool:  # noqa: ANN001 - a clauses.Item
    unit = item.q.unit or ""
    codes = currency_codes()
    return unit in codes or unit.split("/")[0] in codes or unit == "percent"


def _subject_phrase(window: str, asides: list[tuple[int, int]], offset: int) -> str | None:
    """'while petroleum products slid 6.2%': the noun phrase before the movement word names
    the goods when the sentence has no metric word of its own."""
    chars = list(window)
    for a, b in asides:
        for i in range(max(a - offset, 0), min(b - offset, len(chars))):
            chars[i] = " "
    head = re.sub(r"\([^)]*\)", " ", "".join(chars))
    words = re.findall(r"[A-Za-z][\w&'’-]*", head)
    table = change_words()
    cut = next((i for i, w in enumerate(words) if w.lower() in table), None)
    if cut is None or cut == 0:
        return None
    phrase = words[:cut]
    while phrase and phrase[0].lower() in (
        "and",
        "but",
        "while",
        "whereas",
        "also",
        "by",
        "contrast",
    ):
        phrase = phrase[1:]
    while phrase and phrase[-1].lower() in ("also", "have", "has", "had", "were", "was", "saw"):
        phrase = phrase[:-1]
    text = " ".join(phrase)
    if not 1 <= len(phrase) <= 7 or cue_regex("not_subject").match(text) or re.search(r"\d", text):
        return None
    if any(w.lower() in metrics.STOP_BEFORE and w.lower() != "and" for w in phrase):
        return None  # "in 2025-26, and the ministry sees growth": not a noun phrase
    return text.lower()


def _anaphor(window: str) -> bool:
    return bool(
        re.search(
            r"(?:^|\W)(?:those|that|the\s+latter|the\s+former)\s+(?:to|from|for|of|in)\b",
            window,
            re.I,
        )
    )


def _with_aspect(metric: str, aspect: str) -> str:
    base = re.sub(r"\s*\((?:volume|value)\)$", "", metric)
    return f"{base} ({aspect})" if aspect else base


def base_metric(metric: str) -> str:
    return re.sub(r"\s*\((?:volume|value)\)$", "", metric)


def finish_metric(s: Sentence, n: int, metric: str, unit: str | None) -> str:
    """Aspect ('by volume'), share, forecast and revision marks, and the TEU default."""
    group = s.groups[n]
    text = s.text
    primary = group.level or group.change
    assert primary is not None
    metric = _goods_flow(s, n, metric)
    if group.change is not None:
        after = text[group.change.end : group.change.end + 14].lower()
        if re.match(r"\s*by\s+volume", after):
            metric = _with_aspect(metric, "volume")
        elif re.match(r"\s*by\s+value", after):
            metric = _with_aspect(metric, "value")
    c_begin = s.clauses[s.clause_of(group)][0]
    if re.search(r"\bin\s+volume\s+terms\b", text[c_begin : primary.start], re.I):
        metric = _with_aspect(metric, "volume")
    if group.level is not None and group.level.share:
        subject = metric if metric != "unspecified" else None
        aside = next(
            (m for m in cue_regex("aside").finditer(text) if m.start() <= primary.start < m.end()),
            None,
        )
        if aside is not None:
            words = re.findall(r"[A-Za-z][\w&-]*", re.sub(r"\([^)]*\)", " ", text[: aside.start()]))
            subject = " ".join(words[-5:]).lower() or subject
        metric = metrics.share_metric(text, group.level.end, subject)
    c_start, _ = s.clauses[s.clause_of(group)]
    before = text[c_start : primary.start]
    whole_before = text[: primary.start]
    generic = metric in GENERIC_VOLUME or metric == "unspecified"
    if unit == "TEU" and (generic or metric.endswith(("volumes", "growth"))):
        if "container" not in metric:
            metric = "container throughput"
    if group.level is not None and group.level.role == "comparison":
        old = metrics.markers(
            _cues_in(s, max(0, group.level.start - 60), group.level.end + 25),
            "revision_old",
        )
        if old:
            if "forecast" in metric:
                verb = "projected" if "project" in whole_before.lower() else "estimated"
                return f"{metric} (originally {verb})"
            return f"{metric} (originally reported)"
        return metric
    in_before = _cues_in(s, c_start, primary.start)
    marks = metrics.markers(in_before, "forecast")
    forecast = bool(marks) or bool(cue_regex("forecast_after").match(text, primary.end))
    if forecast and not re.search(r"forecast|target|estimate", metric):
        if (group.level is not None and group.level.q.unit == "percent") and "growth" not in metric:
            metric = f"{metric} growth"
        # "raised its export growth target": a goal set, not a forecast made
        aim = any(re.search(r"\b(?:targets?|goals?|aims?)\b", c.text, re.I) for c in marks)
        metric = f"{metric} {'target' if aim else 'forecast'}"
    old = metrics.markers(in_before, "revision_old")
    if old and forecast:
        said = re.search(r"originally\s+(\w+)", before)
        metric = f"{metric} (originally {said[1] if said else 'estimated'})"
    elif forecast and metrics.markers(in_before, "revision_new"):
        metric = f"{metric} (revised)"
    elif not forecast:
        # "was originally reported as C$1.9 billion", "from a revised C$2.3 billion"
        near = text[max(0, primary.start - 40) : primary.start]
        first = re.search(
            r"\b(?:originally|initially|first)\s+(reported|estimated|published)\b", near
        )
        if first:
            metric = f"{metric} (originally {first[1]})"
        elif re.search(
            r"\brevised(?:\s+(?:up|down|upward|downward))?(?:\s+to)?\s+(?:\w+\s+)?$", near
        ):
            metric = f"{metric} (revised)"
    return metric


def _cues_in(s: Sentence, start: int, end: int) -> list[Cue]:
    return [c for c in s.cues if start <= c.start and c.end <= end]

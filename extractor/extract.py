"""The fact layer: assemble quantities into SPEC.md facts (metric, value, unit, change, period,
entity, partner, section, evidence, span, pattern).

One spaCy Doc per block (the shared `get_nlp()` pipeline), its sentences read in order. Per
sentence: the quantity layer's numbers, then `clauses` (roles and level/change groups), then
`fields` (metric, entity, partner, period, basis). What the text was talking about carries
forward: the period and year to later sentences, the stated basis, entity and metric to the
rest of the paragraph. `dedup` folds the same fact stated twice into one with its mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor import fields as F
from extractor.clauses import (
    CURRENCY_UNITS,
    Item,
    assign_roles,
    clause_bounds,
    keep_quantity,
    make_groups,
)
from extractor.dedup import dedup
from extractor.entities import EntityMention, find_entities, is_partner_position, is_possessive
from extractor.metrics import find_cues
from extractor.models import Article, Block, Fact
from extractor.nlp import get_nlp
from extractor.patterns import patterns_version
from extractor.periods import (
    Period,
    PeriodContext,
    comparison_basis,
    find_periods,
    resolve,
    text_month_years,
)
from extractor.quantities import find_quantities
from extractor.tables import table_facts

# Economies whose own currency is written "$": in their own statistics "$" is that currency.
LOCAL_DOLLAR = {
    "Australia": "AUD", "Canada": "CAD", "New Zealand": "NZD", "Singapore": "SGD",
    "Hong Kong": "HKD", "Taiwan": "TWD",
}  # fmt: skip
# First month of the fiscal year where news says "fiscal 2025-26" or "this fiscal".
FISCAL_START = {
    "India": 4, "Japan": 4, "United Kingdom": 4, "Pakistan": 7, "Bangladesh": 7,
    "Australia": 7, "New Zealand": 7, "Egypt": 7, "United States": 10,
}  # fmt: skip
MAX_PIECE = 100_000
DEFINITE_FIGURE = re.compile(
    r"\s*(?:The|This|That)\s+(?:\w+\s+){0,2}(?:figure|indicator|number|reading|total)\b", re.I
)
EXCEED_BEFORE = re.compile(
    r"\b(?:surpass|exceed|top|pass|cross|beat)(?:es|ed|ing|s)?\s+(?:the\s+)?$", re.IGNORECASE
)
# Cheap gate before the period patterns: a digit, a month or a period word.
PERIOD_HINT = re.compile(
    r"\d|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)|\b(?:year|month|quarter|half|"
    r"week|today|yesterday|tomorrow|fiscal|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)",
    re.IGNORECASE,
)  # characters per Doc: spaCy's limit is 1e6, long blocks are sliced
TIMELESS = re.compile(r"\b(?:accounts|account|makes\s+up|represents|holds)\s+(?:for\s+)?", re.I)


@dataclass
class ArticleState:
    published: object
    main_entity: str | None
    ctx: PeriodContext
    last_metric: str | None = None
    last_bloc: str | None = None
    version: str = ""
    ref: Period | None = None  # the period the article is about (its first data period)
    last_fact: Fact | None = None
    basis: str | None = None  # the basis stated for the article's own period
    last_month: Period | None = None  # the latest single month talked about


@dataclass
class ParagraphState:
    period: Period | None = None
    basis: str | None = None
    entity: str | None = None
    metric: str | None = None
    facts: list[Fact] = field(default_factory=list)


def extract_facts(article: Article) -> list[Fact]:
    """Every fact stated in the article, each once, with evidence, span and pattern id."""
    if not article.blocks:
        return []
    years, latest = text_month_years(article.text[:200_000])
    state = ArticleState(
        published=article.published,
        main_entity=main_entity(article),
        ctx=PeriodContext(published=article.published, text_years=years, latest_year=latest),
        version=patterns_version(),
    )
    state.ctx.fiscal_start = FISCAL_START.get(state.main_entity or "")
    facts: list[Fact] = []
    nlp = get_nlp()
    table: list[Block] = []
    for block in [*article.blocks, None]:
        if block is not None and block.section == "table" and " | " in block.text + " | ":
            table.append(block)
            continue
        if table:
            facts += table_facts(
                table, state.ctx, state.main_entity, state.last_metric, state.ref, state.version
            )
            table = []
        if block is None:
            break
        para = ParagraphState()
        heading = heading_period(block, state)
        for text, offset in pieces(block):
            doc = nlp(text)
            for sent in sentences(doc):
                facts += sentence_facts(sent, block, offset, state, para, heading)
    return dedup(facts)


# The sentencizer cuts after every full stop; these abbreviations do not end a sentence.
ABBREVIATION_END = re.compile(
    r"(?:\b(?:No|Nos|no|v|vs|approx|Co|Inc|Corp|Ltd|St|Mr|Ms|Mrs|Dr|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|Gov|Rs|est|Fig|fig)\.)\s*$"
)


def sentences(doc):
    """doc.sents, re-joined where the sentencizer cut after an abbreviation ("No. 1",
    "v. June") or where the next piece starts in lower case or with a digit."""
    spans = list(doc.sents)
    merged = []
    for span in spans:
        if merged:
            prev = merged[-1]
            first = span.text.lstrip()[:1]
            if ABBREVIATION_END.search(prev.text) or (
                first and (first.islower() or first.isdigit())
            ):
                merged[-1] = doc[prev.start : span.end]
                continue
        merged.append(span)
    out = []
    for span in merged:
        cuts = [m.end() for m in UNIT_FULL_STOP.finditer(span.text)]
        start = span.start_char
        for cut in cuts:
            piece = doc.char_span(start, span.start_char + cut, alignment_mode="expand")
            if piece is not None and len(piece):
                out.append(piece)
                start = piece.end_char
        rest = doc.char_span(start, span.end_char, alignment_mode="expand")
        if rest is not None and len(rest):
            out.append(rest)
    return out


# "... narrowed by £110m. This was offset": the tokenizer keeps "m." whole, so no cut is made.
UNIT_FULL_STOP = re.compile(r"\d[A-Za-z]{1,3}\.(?=\s+[A-Z][a-z]+\s)")


def pieces(block: Block) -> list[tuple[str, int]]:
    text = block.text
    if len(text) <= MAX_PIECE:
        return [(text, block.start)]
    out, pos = [], 0
    while pos < len(text):
        end = min(len(text), pos + MAX_PIECE)
        if end < len(text):
            cut = text.rfind(" ", pos, end)
            end = cut if cut > pos else end
        out.append((text[pos:end], block.start + pos))
        pos = end
    return out


def heading_period(block: Block, state: ArticleState) -> Period | None:
    """A timeline heading ("2021:", "2021–2025:", "2026-01-30:") gives its entries a period."""
    if not block.heading:
        return None
    m = re.fullmatch(
        r"((?:19|20)\d{2})(?:-(\d{2})-(\d{2}))?(?:\s*[–—-]\s*((?:19|20)\d{2}))?",
        block.heading.strip(),
    )
    if not m:
        mentions = find_periods(block.heading)
        period = resolve(mentions[0], state.ctx) if mentions else None
        return None if period is None or period.kind == "D" else period
    if m[4]:
        return Period("YR", int(m[1]), 0, 0, int(m[4]))
    if m[2]:
        return None  # a dated entry ("2026-01-30:") is when something happened, not a period
    return Period("Y", int(m[1]))


def main_entity(article: Article) -> str | None:
    """The article's own economy, by votes over the title and the first paragraphs: a
    dateline or a title mention counts most, then "X's exports", "German exports",
    "Germany exported", then a possessive or a sentence subject."""
    votes: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    order = 0
    texts = [(article.title or "", True)] + [(b.text[:800], False) for b in article.blocks[:6]]
    for text, is_title in texts:
        if not text:
            continue
        cues = find_cues(text)
        for e in find_entities(text, titlecase=is_title):
            order += 1
            if is_partner_position(text, e) or e.kind == "port":
                continue
            score = _subject_score(text, e, cues, is_title) * (1.5 if order <= 12 else 1.0)
            if score:
                votes[e.canonical] = votes.get(e.canonical, 0) + score
                first_seen.setdefault(e.canonical, order)
    if not votes:
        return None
    return max(votes, key=lambda c: (votes[c], -first_seen[c]))


def _subject_score(text: str, e: EntityMention, cues, is_title: bool) -> float:
    after = text[e.end : e.end + 40]
    if e.kind == "dateline":
        lead = re.match(r"\s*(?:,|\(|:|--|—|–)", after)
        return 4.0 if lead and e.start < 5 else 0.0
    near_cue = any(c.kind == "noun" and 0 <= c.start - e.end <= 16 for c in cues)
    if e.kind == "scope":
        return 2.5 if near_cue else 0.0
    if e.kind == "demonym":
        return 2.0 if near_cue else 0.0
    if e.kind == "region" and e.canonical == "World":
        return 0.0
    score = 3.0 if is_title else 0.0
    possessive = is_possessive(text, e)
    if possessive and near_cue:
        score += 3.0
    elif possessive:
        score += 1.0
    if re.match(r"\s+(?:exported|imported|shipped|posted|recorded|reported|ran)\b", after):
        score += 3.0
    elif e.start < 3 and not is_title:
        score += 1.0
    elif not is_title and not possessive and near_cue:
        score += 1.0
    return score


def sentence_facts(
    sent,
    block: Block,
    offset: int,
    state: ArticleState,
    para: ParagraphState,
    heading: Period | None,
) -> list[Fact]:
    text = sent.text
    s_start = sent.start_char
    base = offset + s_start  # article offset of the sentence
    periods = find_periods(text) if PERIOD_HINT.search(text) else []
    # The sentence as its own Doc: the quantity layer reads `doc.text`, which on a Span of a
    # long block would cost the whole block for every sentence.
    has_number = any(ch.isdigit() for ch in text) or _has_number_word(text)
    raw = [
        q.model_copy(update={"span": (q.span[0] + s_start, q.span[1] + s_start)})
        for q in (find_quantities(get_nlp().make_doc(text)) if has_number else [])
    ]
    resolved = [(m, resolve(m, state.ctx)) for m in periods]
    period_spans = [(m.start, m.end) for m in periods]
    items: list[Item] = []
    local = LOCAL_DOLLAR.get(state.main_entity or "")
    for q in _split_from_to(_merge_bare_ranges(raw, text, s_start), text, s_start):
        q, start, end = _repair(q, text, s_start, local)
        if any(ps <= start < pe or ps < end <= pe for ps, pe in period_spans):
            continue
        if not keep_quantity(q, text, start, end) or _is_conversion(q, items, text, start):
            continue
        items.append(Item(q=q, start=start, end=end))
    sentence_period = next((p for m, p in resolved if m.role == "data" and p), None)
    entities = find_entities(text)
    _note_blocs(entities, state)
    if not items:
        if sentence_period:
            _note_period(sentence_period, state, para, ref=bool(find_cues(text)))
        _note_entity(text, entities, para, state)
        return []
    clauses = clause_bounds(text)
    assign_roles(items, text, clauses)
    groups = make_groups(items, text, period_spans)
    for g in groups:
        if g.level is not None and g.level.role == "comparison":
            for m in periods:
                if g.end <= m.start < g.end + 45:
                    if m.role == "data":
                        m.role = "comparison"
    sentence_period = next((p for m, p in resolved if m.role == "data" and p), None)
    ytd = {p.label() for m, p in resolved if p and m.groups.get("ytd")}
    s = F.Sentence(
        text=text,
        clauses=clauses,
        groups=groups,
        periods=resolved,
        entities=entities,
        cues=find_cues(text),
        respectively=bool(re.search(r"\brespectively\b", text, re.I)),
    )
    facts = build_facts(s, block, base, state, para, heading, sentence_period)
    if facts:
        main = next((f for f in facts if "comparison" not in f.pattern and f.period), None)
        if main is not None and main.period not in ytd:
            _note_period(_period_of(main.period, state), state, para, ref=True)
    elif sentence_period:
        _note_period(sentence_period, state, para, ref=bool(s.cues))
    return facts


def _note_period(
    period: Period | None, state: ArticleState, para: ParagraphState, ref: bool
) -> None:
    """Remember what the text is talking about: the paragraph's latest period, the article's
    first one, and the latest single month ("during the month")."""
    if period is None:
        return
    state.ctx.hint = period  # the year context for month names, whatever the sentence
    if not ref:
        return  # "who joined the company in 1998": not a period the figures refer to
    para.period = period
    if state.ref is None:
        state.ref = period
    if period.kind == "M":
        state.last_month = period


MONTH_ANAPHOR = re.compile(
    r"\b(?:the|that|this)\s+month\b|month-on-month|month\s+on\s+month|\bm/m\b|"
    r"on\s+a\s+monthly\s+basis",
    re.IGNORECASE,
)


def carried_period(text: str, state: ArticleState, para: ParagraphState) -> Period | None:
    """A sentence without a period of its own: the paragraph's, else the article's."""
    if para.period is not None:
        return para.period
    if MONTH_ANAPHOR.search(text) and state.last_month is not None:
        return state.last_month
    return state.ref


def _repair(q, text: str, s_start: int, local: str | None):
    """Fix what the quantity layer reads differently from the fact layer's needs."""
    start, end = q.span[0] - s_start, q.span[1] - s_start
    per = re.search(r"\s+(?:a|per)\s+(?:year|month|quarter)$", q.surface)
    if per and q.unit and "/" in q.unit and re.match(r"\s*(?:earlier|ago|before)", text[end:]):
        # "8.9 billion euros a year earlier" is a level, not a rate per year
        end = start + per.start()
        q = q.model_copy(
            update={"unit": q.unit.split("/")[0], "span": (q.span[0], q.span[0] + per.start())}
        )
    bare_dollar = (q.unit_surface or "").strip() in ("$", "dollars", "dollar") or bool(
        re.match(r"[+-]?\$", q.surface)
    )
    if local and q.unit == "USD" and bare_dollar:
        q = q.model_copy(update={"unit": local})  # "$" in an Australian release is AUD
    if q.unit is None and re.match(r"\s*\.\s*(?:per\s*cent|percent)\b", text[end : end + 14]):
        q = q.model_copy(update={"unit": "percent"})  # "grew 1.3. per cent": a typo
    return q, start, end


def _merge_bare_ranges(raw: list, text: str, s_start: int) -> list:
    """'grow 3 to 5 percent': a bare number, 'to', then the unit's figure is one range."""
    out: list = []
    for q in raw:
        prev = out[-1] if out else None
        bare = prev is not None and (
            prev.unit is None or (prev.unit == q.unit and re.fullmatch(r"[\d.,]+", prev.surface))
        )
        if prev is not None and bare and q.unit and prev.value is not None:
            gap = text[prev.span[1] - s_start : q.span[0] - s_start]
            if re.fullmatch(r"\s*(?:to|-|–|and)\s*", gap) and q.value is not None:
                out[-1] = q.model_copy(
                    update={
                        "value": prev.value,
                        "value_high": q.value,
                        "range_form": "range",
                        "span": (prev.span[0], q.span[1]),
                        "surface": text[prev.span[0] - s_start : q.span[1] - s_start],
                        "direction": prev.direction or q.direction,
                        "qualifier": prev.qualifier if prev.qualifier != "=" else q.qualifier,
                    }
                )
                continue
        out.append(q)
    return out


def _split_from_to(raw: list, text: str, s_start: int) -> list:
    """'narrowed by $1.1 billion to $3.3 billion' reads as one from-to quantity; it is a change
    and a level. 'rose from $5bn to $6bn' is a base and a level."""
    out = []
    for q in raw:
        start = q.span[0] - s_start
        m = re.search(r"\s+to\s+", q.surface)
        if m and re.fullmatch(r"(?:19|20)\d{2}", q.surface[: m.start()]) and q.value_high:
            # "in 2023 to ¥100.88 trillion": a year, then the level
            out.append(
                q.model_copy(
                    update={
                        "value": q.value_high,
                        "value_high": None,
                        "range_form": None,
                        "span": (q.span[0] + m.end(), q.span[1]),
                        "surface": q.surface[m.end() :],
                    }
                )
            )
            continue
        by = re.search(r"\bby\s*$", text[max(0, start - 6) : start])
        if q.value_high is None or m is None or (q.range_form != "from_to" and not by):
            out.append(q)
            continue
        first_end = q.span[0] + m.start()
        second_start = q.span[0] + m.end()
        first = q.model_copy(
            update={
                "value_high": None,
                "range_form": None,
                "span": (q.span[0], first_end),
                "surface": q.surface[: m.start()],
                "direction": q.direction if by else None,
            }
        )
        second = q.model_copy(
            update={
                "value": q.value_high,
                "value_high": None,
                "range_form": None,
                "span": (second_start, q.span[1]),
                "surface": q.surface[m.end() :],
                "direction": None,
                "qualifier": "=",
            }
        )
        out += [first, second]
    return out


def _has_number_word(text: str) -> bool:
    return bool(
        re.search(
            r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|zero|half|"
            r"third|quarter|fifth|dozen|hundred|thousand|million|billion)\b",
            text,
            re.I,
        )
    )


def _is_conversion(q, items: list[Item], text: str, start: int) -> bool:
    """'1.2 trillion yuan ($165 billion)': a bracketed amount in another currency right after
    an amount is a conversion, not a fact."""
    if not items or q.unit not in CURRENCY_UNITS:
        return False
    prev = items[-1]
    gap = text[prev.end : start]
    return (
        prev.q.unit in CURRENCY_UNITS
        and prev.q.unit != q.unit
        and bool(re.fullmatch(r"\s*[(\[]\s*(?:about|around|or|roughly|some)?\s*", gap))
    )


def _period_of(label: str | None, state: ArticleState | None = None) -> Period | None:
    if not label:
        return None
    m = re.fullmatch(r"(\d{4})", label)
    if m:
        return Period("Y", int(m[1]))
    m = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if m:
        return Period("M", int(m[1]), int(m[2]))
    m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", label)
    if m:
        return Period("MR", int(m[1]), int(m[2]), 0, int(m[3]), int(m[4]))
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})", label)
    if m:
        return Period("DR", int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
    m = re.fullmatch(r"(\d{4})-([HQ])(\d)", label)
    if m:
        return Period(m[2], int(m[1]), int(m[3]))
    return None


def _note_blocs(entities: list[EntityMention], state: ArticleState) -> None:
    for e in entities:
        if e.kind == "bloc":
            state.last_bloc = e.canonical


def _note_entity(
    text: str, entities: list[EntityMention], para: ParagraphState, state: ArticleState
) -> None:
    cands = [
        e for e in entities if e.kind in ("economy", "bloc") and not is_partner_position(text, e)
    ]
    if cands and (is_possessive(text, cands[0]) or cands[0].start < 3):
        para.entity = cands[0].canonical


def build_facts(
    s: F.Sentence,
    block: Block,
    base: int,
    state: ArticleState,
    para: ParagraphState,
    heading: Period | None,
    sentence_period: Period | None,
) -> list[Fact]:
    facts: list[Fact] = []
    timeless = sentence_period is None and heading is None and bool(TIMELESS.search(s.text))
    # 'respectively': one subject per group, clause by clause
    assigned: dict[int, tuple[str, object]] = {}
    by_clause: dict[int, list[int]] = {}
    for n, g in enumerate(s.groups):
        if g.level is None or g.level.role != "comparison":
            by_clause.setdefault(s.clause_of(g), []).append(n)
    for clause, ns in by_clause.items():
        for n, target in zip(ns, F.respectively_targets(s, clause, ns), strict=False):
            assigned[n] = target
    previous_metric = para.metric or state.last_metric
    clause_metric: dict[int, str] = {}
    main_period_of: dict[int, Period | None] = {}
    for n, group in enumerate(s.groups):
        comparison = group.level is not None and group.level.role == "comparison"
        # period
        if comparison:
            main = (
                main_period_of.get(n - 1)
                or sentence_period
                or heading
                or carried_period(s.text, state, para)
            )
            period = F.comparison_period(s, n, main)
            if facts and "forecast" in facts[-1].metric and main is not None:
                period = main  # "cut its 2025 forecast to 1.4% from 1.7% in March": same year
        else:
            period, _mention = F.group_period(s, n)
            period = (
                period
                or sentence_period
                or heading
                or (None if timeless else carried_period(s.text, state, para))
            )
        earlier = _possessive_period(s, n)
        if earlier is not None:
            period = earlier  # "slowing from October's 12.7% gain": October's own change
        main_period_of[n] = period
        # metric
        prev = clause_metric.get(s.clause_of(group)) or (
            facts[-1].metric if facts else previous_metric
        )
        if comparison and facts:
            metric = (
                F.base_metric(facts[-1].metric)
                if not facts[-1].metric.endswith(")")
                else facts[-1].metric
            )
            metric = F.metric_for(s, n, metric) if _own_cue(s, n) else metric
        else:
            metric = F.metric_for(s, n, prev)
        target = assigned.get(n)
        if target and target[0] == "metric":
            metric = str(target[1])
        if metric is None:
            metric = "unspecified"
        level = group.level
        unit = level.q.unit if level else None
        share_subject = True
        metric = F.finish_metric(s, n, metric, unit, share_subject)
        if not comparison:
            clause_metric[s.clause_of(group)] = metric
        # entity and partner
        entity = _entity_for(s, n, target, para, state, facts[-1].entity if facts else None)
        if re.search(r"\brate\b", metric):
            bank = next(
                (e for e in s.entities if e.kind == "institution" and e.start < group.start), None
            )
            entity = bank.canonical if bank else entity  # "The Fed held its benchmark rate ..."
        found, partner_mention = F.partner_for(s, n)
        partner = None
        if found and partner_mention is not None:
            partner = _canonical(partner_mention, state)
        elif not found and facts and comparison:
            partner = facts[-1].partner
        elif not found and facts and _anaphor_group(s, n):
            partner = None
        elif not found and not facts and state.last_fact is not None and n == 0:
            # "Exports to Russia rose 14.5%. The export figure for June was 40% below ...":
            # a definite description of the figure just reported keeps its counterpart
            if DEFINITE_FIGURE.match(s.text[: s.groups[0].start]):
                partner = state.last_fact.partner
        share = group.level is not None and group.level.share
        holder = _share_holder(s, n) if share and partner is None else None
        if holder is not None and FLOWS.search(s.text):
            # "China's share of Taiwan's exports", "the U.S. share": the holder is the
            # counterpart of the reporter's flows
            partner = holder
            if entity == holder:
                entity = state.main_entity
        if partner == entity:
            partner = None
        # basis
        basis, stated = F.group_basis(s, n, period)
        if earlier is not None:
            basis, stated = (facts[-1].change_basis if facts else None), False
        if basis is None and group.change is not None:
            if not stated:
                basis = _between_basis(s, n) or para.basis
                # a sentence without its own period continues the article's figures, whose
                # comparison the article stated once ("exports rose 3% from July ...")
                if basis is None and sentence_period is None and period == state.ref:
                    basis = state.basis
                if basis is None and period is not None and period.implies_yoy:
                    basis = "yoy"
        if stated and basis:
            para.basis = basis
            if state.basis is None and period is not None and state.ref in (None, period):
                state.basis = basis
        fact = make_fact(
            group, s, block, base, metric, period, entity, partner, basis, comparison, state
        )
        if fact is not None and not _stray(fact):
            facts.append(fact)
    _basis_from_bases(facts)
    if facts:
        state.last_fact = facts[-1]
        para.metric = (
            F.base_metric(facts[-1].metric) if "share" not in facts[-1].metric else para.metric
        )
        state.last_metric = para.metric or state.last_metric
        ents = [f.entity for f in facts if f.entity]
        if ents:
            para.entity = ents[-1]
    return facts


# Units that measure trade, output or money; a figure in any other unit ("40 km north of the
# capital", "300 hectares") with no metric word around it is description, not a fact.
ECONOMIC_UNITS = {"percent", "pp", "count", "t", "kg", "bbl", "bbl/d", "TEU", "kWh", "MWh", "GWh",
                  "TWh", "GW", "MW", "kW", "points", "m3", "oz", "lb"}  # fmt: skip


def _stray(fact: Fact) -> bool:
    if fact.metric != "unspecified":
        return False
    unit = fact.unit or fact.change_unit or ""
    return unit not in ECONOMIC_UNITS and unit not in CURRENCY_UNITS and "/" not in unit


def _basis_from_bases(facts: list[Fact]) -> None:
    """'dipped 1.2% to $34bn from $35bn in the year-ago month': the base's period tells the
    change's basis when the sentence states none."""
    for i, fact in enumerate(facts):
        if fact.change is None or fact.change_basis is not None or "comparison" in fact.pattern:
            continue
        for later in facts[i + 1 :]:
            if "comparison" not in later.pattern:
                break
            basis = comparison_basis(_period_of(fact.period), _period_of(later.period))
            if basis:
                facts[i] = fact.model_copy(update={"change_basis": basis})
                break


FLOWS = re.compile(r"\b(?:exports|imports|shipments|sales)\b", re.IGNORECASE)


def _possessive_period(s: F.Sentence, n: int) -> Period | None:
    """A change introduced by a possessive period ("October's 12.7% gain") belongs to it."""
    group = s.groups[n]
    if group.change is None or group.level is not None:
        return None
    for m, p in s.periods:
        if p is not None and 0 <= group.change.start - m.end <= 4:
            if re.match(r"(?:'s|’s)\s*$", s.text[m.end : group.change.start]):
                return p
    return None


def _share_holder(s: F.Sentence, n: int) -> str | None:
    w_start, w_end = s.window(n)
    for e in s.entities:
        if w_start <= e.start < w_end and e.kind in ("economy", "bloc", "region"):
            if re.match(r"(?:'s|’s)?\s+share\b", s.text[e.end : e.end + 12]):
                return e.canonical
    return None


def _own_cue(s: F.Sentence, n: int) -> bool:
    group = s.groups[n]
    level = group.level
    assert level is not None
    after = s.text[level.end : level.end + 20]
    return any(
        c.kind in ("noun", "verb") and level.end <= c.start < level.end + 20 for c in s.cues
    ) and bool(re.match(r"\s*(?:of\s+)?\w+", after))


def _anaphor_group(s: F.Sentence, n: int) -> bool:
    w_start, w_end = s.window(n)
    return bool(re.search(r"\bthose\b", s.text[w_start:w_end], re.I))


def _between_basis(s: F.Sentence, n: int) -> str | None:
    """'between May and June' is month on month."""
    group = s.groups[n]
    for m, p in s.periods:
        if m.groups.get("between") and p is not None and p.kind == "M":
            if abs(m.start - group.end) < 60 or abs(group.start - m.end) < 60:
                return "mom"
    return None


def _canonical(e: EntityMention, state: ArticleState) -> str:
    if e.kind == "bloc_anaphor":
        return state.last_bloc or e.canonical
    return e.canonical


def _entity_for(
    s: F.Sentence,
    n: int,
    target,
    para: ParagraphState,
    state: ArticleState,
    previous: str | None,
) -> str | None:
    """Nearest first: the words before the group, the facts before it in the sentence, the
    sentence's subject, the paragraph's, the article's."""
    if target and target[0] == "entity":
        return _canonical(target[1], state)  # type: ignore[arg-type]
    w_start, w_end = s.window(n)
    found = F.entity_candidates(s, w_start, w_end)
    if found:
        return _canonical(found[-1], state)
    group = s.groups[n]
    prev_end = max((g.end for g in s.groups[:n] if g.end <= group.start), default=0)
    if prev_end < w_start:
        # "..., while Ningbo-Zhoushan posted the fastest growth, with volumes rising 11.3%"
        found = F.entity_candidates(s, prev_end, w_start)
        if found:
            return _canonical(found[-1], state)
    if previous:
        return previous
    group = s.groups[n]
    c_start = s.clauses[s.clause_of(group)][0]
    found = F.entity_candidates(s, 0, c_start) if c_start else []
    if found:
        return _canonical(found[0], state)
    return para.entity or state.main_entity


def make_fact(
    group,
    s: F.Sentence,
    block: Block,
    base: int,
    metric: str,
    period: Period | None,
    entity: str | None,
    partner: str | None,
    basis: str | None,
    comparison: bool,
    state: ArticleState,
) -> Fact | None:
    level, change = group.level, group.change
    primary = level or change
    q = primary.q
    value = unit = value_high = None
    qualifier = "="
    if level is not None:
        value, unit = level.q.value, level.q.unit
        value_high = level.q.value_high if level.q.range_form == "range" else None
        qualifier = level.q.qualifier
    change_value = change_unit = None
    flat = re.search(
        r"\b(?:flat|unchanged|steady)\s+(?:at\s+)?$",
        s.text[max(0, primary.start - 20) : primary.start],
    )
    if change is None and level is not None and flat:
        change_value, change_unit = 0.0, "percent"  # "Imports were flat at $22.1 billion"
    if change is not None:
        cq = change.q
        if cq.value is None:
            return None
        size = abs(cq.value) if cq.value is not None else None
        change_value = (
            -size
            if change.direction == "down"
            else (size if cq.value >= 0 or change.direction == "up" else cq.value)
        )
        change_unit = "percent" if cq.unit == "percent" else cq.unit
        if change_unit == "bp" and change_value is not None:
            change_value, change_unit = change_value / 100, "pp"  # 25 basis points = 0.25 pp
        if level is None:
            qualifier = cq.qualifier
    before = s.text[max(0, primary.start - 24) : primary.start]
    if level is not None and qualifier == "=" and EXCEED_BEFORE.search(before):
        qualifier = ">"
    after = s.text[primary.end : primary.end + 30]
    if re.match(r"\s+or\s+(?:slightly\s+|even\s+)?(?:above|more|higher)", after):
        qualifier = ">="
    elif re.match(r"\s+or\s+(?:slightly\s+|even\s+)?(?:below|less|lower)", after):
        qualifier = "<="
    section = (
        block.section
        if block.section in ("body", "summary", "timeline", "caption", "table")
        else "body"
    )
    kind = (
        "comparison"
        if comparison
        else ("level+change" if level and change else ("change" if change else "level"))
    )
    evidence = s.text.strip()
    span = (base + primary.start, base + primary.end)
    return Fact(
        metric=metric.lower(),
        value=value,
        unit=unit,
        value_high=value_high,
        qualifier=qualifier,  # type: ignore[arg-type]
        change=change_value,
        change_unit=change_unit,
        change_basis=basis if change is not None else None,  # type: ignore[arg-type]
        period=period.label() if period else None,
        entity=entity,
        partner=partner,
        section=section,  # type: ignore[arg-type]
        evidence=evidence,
        span=span,
        pattern=f"fact-{kind}:{q.pattern}",
        patterns_version=state.version,
    )

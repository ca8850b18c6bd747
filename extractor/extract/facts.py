"""The fact layer: assemble quantities into SPEC.md facts (metric, value, unit, change, period,
entity, partner, section, evidence, span, pattern).

One spaCy Doc per block (the shared `get_nlp()` pipeline), its sentences read in order. Per
sentence: the quantity layer's numbers, then `clauses` (roles and level/change groups), then
`fields` (metric, entity, partner) and `fact_periods` (period, basis). What the text was
talking about carries forward (`context`): the period and year to later sentences, the stated
basis, entity and metric to the rest of the paragraph. `repairs` adjusts quantity readings
the fact layer needs differently, `tables` reads table rows, `dedup` folds the same fact stated
twice into one with its mentions.
"""

from __future__ import annotations

import re

from extractor.cues import cue_regex, find_cues
from extractor.extract import fact_periods
from extractor.extract import fields as F
from extractor.extract.clauses import (
    Item,
    assign_roles,
    clause_bounds,
    keep_quantity,
    make_groups,
)
from extractor.extract.context import (
    ArticleState,
    ParagraphState,
    carried_period,
    heading_period,
    main_entity,
    note_blocs,
    note_entity,
    note_period,
    period_of,
    pieces,
    sentences,
)
from extractor.extract.dedup import dedup
from extractor.extract.entities import find_entities
from extractor.extract.fact_entities import canonical_name, entity_for
from extractor.extract.fact_periods import last_figure_period, possessive_period
from extractor.extract.nlp import get_nlp
from extractor.extract.periods import (
    Period,
    PeriodContext,
    comparison_basis,
    find_periods,
    resolve,
    text_month_years,
)
from extractor.extract.quantities import find_quantities
from extractor.extract.repairs import (
    has_number_word,
    is_conversion,
    merge_bare_ranges,
    repair,
    split_from_to,
)
from extractor.extract.tables import table_facts
from extractor.models import Article, Block, Fact, FactKind
from extractor.patterns import patterns_version
from extractor.vocabulary import currency_codes, fiscal_start, local_dollar


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
    state.ctx.fiscal_start = fiscal_start(state.main_entity)
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


def sentence_facts(
    sent,
    block: Block,
    offset: int,
    state: ArticleState,
    para: ParagraphState,
    heading: Period | None,
) -> list[Fact]:
    s_start = sent.start_char
    text = sent.doc.text[s_start : sent.end_char]  # what sent.text is, without a Token each
    base = offset + s_start  # article offset of the sentence
    periods = find_periods(text) if cue_regex("period_hint").search(text) else []
    # The quantity layer reads the block's Doc through the sentence Span (only the span's
    # tokens are exported), so the sentence is not tokenized a second time; its spans are
    # already offsets in the piece, like `s_start`.
    has_number = any(ch.isdigit() for ch in text) or has_number_word(text)
    raw = find_quantities(sent) if has_number else []
    resolved = [(m, resolve(m, state.ctx)) for m in periods]
    period_spans = [(m.start, m.end) for m in periods]
    items: list[Item] = []
    local = local_dollar(state.main_entity)
    for q in split_from_to(merge_bare_ranges(raw, text, s_start), text, s_start):
        q, start, end = repair(q, text, s_start, local)
        if any(ps <= start < pe or ps < end <= pe for ps, pe in period_spans):
            continue
        if not keep_quantity(q, text, start, end) or is_conversion(q, items, text, start):
            continue
        items.append(Item(q=q, start=start, end=end))
    sentence_period = next((p for m, p in resolved if m.role == "data" and p), None)
    entities = find_entities(text)
    note_blocs(entities, state)
    if not items:
        if sentence_period:
            note_period(sentence_period, state, para, ref=bool(find_cues(text)))
        note_entity(text, entities, para, state)
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
        main = next((f for f in facts if f.kind != "comparison" and f.period), None)
        if main is not None and main.period not in ytd:
            note_period(period_of(main.period, state), state, para, ref=True)
    elif sentence_period:
        note_period(sentence_period, state, para, ref=bool(s.cues))
    return facts


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
    timeless = (
        sentence_period is None and heading is None and bool(cue_regex("timeless").search(s.text))
    )
    # 'respectively': one subject per group, clause by clause
    assigned: dict[int, tuple[str, object]] = {}
    by_clause: dict[int, list[int]] = {}
    for n, g in enumerate(s.groups):
        if g.level is None or g.level.role != "comparison":
            by_clause.setdefault(s.clause_of(g), []).append(n)
    for clause, ns in by_clause.items():
        for n, subject in zip(ns, F.respectively_targets(s, clause, ns), strict=False):
            assigned[n] = subject
    previous_metric = para.metric or state.last_metric
    clause_metric: dict[int, str] = {}
    main_period_of: dict[int, Period | None] = {}
    for n, group in enumerate(s.groups):
        comparison = group.level is not None and group.level.role == "comparison"
        # period
        if comparison:
            main = (
                last_figure_period(s, n, main_period_of)
                or sentence_period
                or heading
                or carried_period(s.text, state, para)
            )
            period = fact_periods.comparison_period(s, n, main)
            if facts and "forecast" in facts[-1].metric and main is not None:
                period = main  # "cut its 2025 forecast to 1.4% from 1.7% in March": same year
        else:
            period, _mention = fact_periods.group_period(s, n)
            period = (
                period
                or sentence_period
                or heading
                or (None if timeless else carried_period(s.text, state, para))
            )
        earlier = possessive_period(s, n)
        if earlier is not None:
            period = earlier  # "slowing from October's 12.7% gain": October's own change
        main_period_of[n] = period
        # metric
        prev = clause_metric.get(s.clause_of(group)) or (
            facts[-1].metric if facts else previous_metric
        )
        metric: str | None
        if comparison and facts:
            metric = (
                F.base_metric(facts[-1].metric)
                if not facts[-1].metric.endswith(")")
                else facts[-1].metric
            )
            metric = F.metric_for(s, n, metric) if _own_cue(s, n) else metric
        else:
            metric = F.metric_for(s, n, prev)
        target = assigned.get(n)  # None: no 'respectively' subject for this group
        if target and target[0] == "metric":
            metric = str(target[1])
        if metric is None:
            metric = "unspecified"
        level = group.level
        unit = level.q.unit if level else None
        metric = F.finish_metric(s, n, metric, unit)
        if not comparison:
            clause_metric[s.clause_of(group)] = metric
        # entity and partner
        entity = entity_for(s, n, target, para, state, facts[-1].entity if facts else None)
        if re.search(r"\brate\b", metric):
            bank = next(
                (e for e in s.entities if e.kind == "institution" and e.start < group.start), None
            )
            entity = bank.canonical if bank else entity  # "The Fed held its benchmark rate ..."
        found, partner_mention = F.partner_for(s, n)
        partner = None
        if found and partner_mention is not None:
            partner = canonical_name(partner_mention, state)
        elif not found and facts and comparison:
            partner = facts[-1].partner
        elif not found and facts and _shared_subject_share(s, n):
            partner = facts[-1].partner  # "Exports to the U.S. rose 27% and accounted for 33%"
        elif not found and facts and _anaphor_group(s, n):
            partner = None
        elif not found and not facts and state.last_fact is not None and n == 0:
            # "Exports to Russia rose 14.5%. The export figure for June was 40% below ...":
            # a definite description of the figure just reported keeps its counterpart
            if cue_regex("definite_figure").match(s.text[: s.groups[0].start]):
                partner = state.last_fact.partner
        share = group.level is not None and group.level.share
        holder = _share_holder(s, n) if share and partner is None else None
        if holder is not None and cue_regex("trade_flow").search(s.text):
            # "China's share of Taiwan's exports", "the U.S. share": the holder is the
            # counterpart of the reporter's flows
            partner = holder
            if entity == holder:
                entity = state.main_entity
        if partner == entity:
            if found and partner_mention is not None and state.main_entity not in (None, partner):
                # "China remained the top partner. Exports to China were worth R20.8 billion":
                # the paragraph's subject is the counterpart; the flow is the article's own
                entity = state.main_entity
            else:
                partner = None
        # basis
        basis, stated = fact_periods.group_basis(s, n, period)
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
            state.lead_entity = state.lead_entity or ents[0]
    return facts


# Units that measure trade, output or money; a figure in any other unit ("40 km north of the
# capital", "300 hectares") with no metric word around it is description, not a fact.
ECONOMIC_UNITS = {"percent", "pp", "count", "t", "kg", "bbl", "bbl/d", "TEU", "kWh", "MWh", "GWh",
                  "TWh", "GW", "MW", "kW", "points", "m3", "oz", "lb"}  # fmt: skip


def _stray(fact: Fact) -> bool:
    if fact.metric != "unspecified":
        return False
    unit = fact.unit or fact.change_unit or ""
    return unit not in ECONOMIC_UNITS and unit not in currency_codes() and "/" not in unit


def _basis_from_bases(facts: list[Fact]) -> None:
    """'dipped 1.2% to $34bn from $35bn in the year-ago month': the base's period tells the
    change's basis when the sentence states none."""
    for i, fact in enumerate(facts):
        if fact.change is None or fact.change_basis is not None or fact.kind == "comparison":
            continue
        for later in facts[i + 1 :]:
            if later.kind != "comparison":
                break
            basis = comparison_basis(period_of(fact.period), period_of(later.period))
            if basis:
                facts[i] = fact.model_copy(update={"change_basis": basis})
                break


def _share_holder(s: F.Sentence, n: int) -> str | None:
    w_start, w_end = s.window(n)
    for e in s.entities:
        if w_start <= e.start < w_end and e.kind in ("economy", "bloc", "region"):
            if re.match(r"(?:'s|’s)?\s+share\b", s.text[e.end : e.end + 12]):
                return e.canonical
    return None


def _shared_subject_share(s: F.Sentence, n: int) -> bool:
    """A share joined to the figure before it by 'and' and a verb alone ('... to $8.2 billion
    and represented 26% of all exports'): it is the same flow's share, with its counterpart."""
    level = s.groups[n].level
    if n == 0 or level is None or not level.share:
        return False
    gap_start = s.groups[n - 1].end
    gap = s.text[gap_start : level.start]
    if len(gap.split()) > 8 or not re.fullmatch(r"[^.;:]*?\band\s+(?:\w+\s+){1,3}", gap):
        return False
    inside = [c for c in s.cues if gap_start <= c.start < level.start and c.kind == "noun"]
    return not inside and not any(gap_start <= e.start < level.start for e in s.entities)


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
        size = abs(cq.value)
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
    # "topping $5 billion" is a bound; "beating the 5.2% rise forecast by economists" is the
    # forecast itself, exactly 5.2%.
    if level is not None and qualifier == "=" and cue_regex("exceed_before").search(before):
        qualifier = "=" if cue_regex("forecast_after").match(s.text, primary.end) else ">"
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
    kind: FactKind = (
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
        kind=kind,
        pattern=f"fact-{kind}:{q.pattern}",
        patterns_version=state.version,
    )

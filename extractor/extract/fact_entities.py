"""Which economy a figure belongs to: the nearest entity named around its group, else the
sentence's, the paragraph's or the article's subject.
"""

from __future__ import annotations

import re

from extractor.cues import cue_regex
from extractor.extract import fields as F
from extractor.extract.context import ArticleState, ParagraphState
from extractor.extract.entities import (
    COORDINATED_PARTNER,
    ECONOMY_KINDS,
    EntityMention,
    is_partner_position,
)
from extractor.extract.respectively import respectively_targets


def canonical_name(e: EntityMention, state: ArticleState) -> str:
    if e.kind == "bloc_anaphor":
        return state.last_bloc or e.canonical
    return e.canonical


def entity_for(
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
        return canonical_name(target[1], state)  # type: ignore[arg-type]
    if target and target[0] == "partner":
        # the listed subjects are the counterparts: the reporter is the one talked about
        return previous or para.entity or state.main_entity
    w_start, w_end = s.window(n)
    found = F.entity_candidates(s, w_start, w_end)
    if found:
        return canonical_name(found[-1], state)
    group = s.groups[n]
    prev_end = max((g.end for g in s.groups[:n] if g.end <= group.start), default=0)
    if prev_end < w_start:
        # "..., while Ningbo-Zhoushan posted the fastest growth, with volumes rising 11.3%"
        found = F.entity_candidates(s, prev_end, w_start)
        if found:
            return canonical_name(found[-1], state)
    if previous:
        return previous
    group = s.groups[n]
    c_start = s.clauses[s.clause_of(group)][0]
    found = F.entity_candidates(s, 0, c_start) if c_start else []
    if found:
        return canonical_name(found[0], state)
    if para.entity or state.main_entity:
        return para.entity or state.main_entity
    # An article about a port or a company has no economy to fall back on: its facts belong
    # to the lede's ("The Port of Los Angeles handled ... Loaded imports came in at").
    return state.lead_entity


def partner_elsewhere(
    s: F.Sentence, n: int, target, found: bool, facts: list, para, state: ArticleState
) -> str | None:
    """A counterpart the words around the group do not give: a 'respectively' subject listed
    before, the goods' destination or origin, the paragraph's bilateral balance, or the
    figure this one is compared with."""
    if target and target[0] == "partner":
        return str(target[1])  # "Their exports grew 9%, 5% and 3%, respectively"
    if found:
        return None
    w_start, w_end = s.window(n)
    for e in s.entities:
        # "The US remained Vietnam's top market, with sales of ...": the sentence's subject
        if e.start < w_end and e.kind in ECONOMY_KINDS:
            if cue_regex("counterpart_after").match(s.text, e.end, e.end + 80):
                return canonical_name(e, state)
    origin = flow_partner(s, n)
    if origin is not None:
        return canonical_name(origin, state)
    for e in s.entities:
        # "shipments to the US (up 3%) and Japan (down 2%)": the next counterpart of a list
        if w_start <= e.start < w_end and e.kind in ECONOMY_KINDS:
            if COORDINATED_PARTNER.search(s.text[max(0, e.start - 85) : e.start]):
                return canonical_name(e, state)
    if facts and compared_with_previous(s, n):
        return facts[-1].partner
    if facts and facts[-1].partner and n > 0:
        gap = s.text[s.groups[n - 1].end : s.groups[n].start]
        if cue_regex("same_flow_share").match(gap):
            return facts[-1].partner  # "... with RCEP reached 2.9 trillion, accounting for 30%"
        elliptic = ELLIPTIC_PARTNER.match(gap)
        if elliptic and facts[-1].partner:
            # "shipments to India fell 188,000 tonnes and to Africa 250,000 tonnes"
            named = [e for e in s.entities if e.start == s.groups[n - 1].end + elliptic.end()]
            if named and named[0].kind in ECONOMY_KINDS:
                return canonical_name(named[0], state)
    return bilateral_partner(s, para)


ELLIPTIC_PARTNER = re.compile(r"\s*,?\s*(?:and\s+|while\s+)?(?:to|from)\s+(?:the\s+)?")


def listed_targets(
    s: F.Sentence,
    clause: int,
    ns: list[int],
    para: ParagraphState,
    state: ArticleState,
    previous_metric: str | None = None,
) -> list[tuple[str, object]]:
    """'Their exports grew 9%, 5% and 3%, respectively', 'exports to the three markets rose
    ...': the subjects are the economies the paragraph listed just before, one per group,
    as partners when they were listed as counterparts."""
    if not s.respectively or len(ns) < 2:
        return []
    c_start, first = s.clauses[clause][0], s.groups[ns[0]].start
    head = s.text[c_start:first]
    named = [e for e in s.entities if c_start <= e.start < first and e.kind in ECONOMY_KINDS]
    if len(named) == len(ns) and all(is_partner_position(s.text, e) for e in named):
        # "Exports to China, the US and Japan grew 5%, 3% and 1%, respectively"
        return [("partner", canonical_name(e, state)) for e in named]
    found = respectively_targets(s, clause, ns, previous_metric)
    if found and found[0][0] == "entity":
        last = found[-1][1]
        assert isinstance(last, EntityMention)
        # "India and China, the top two buyers, took 45 and 30 million tonnes respectively"
        between = s.text[last.end : s.groups[ns[0]].start]
        if re.match(r"\s*,\s*(?:the\s+)?", between) and cue_regex("counterpart_noun").search(
            between
        ):
            names = [canonical_name(e, state) for _, e in found if isinstance(e, EntityMention)]
            return [("partner", name) for name in names]
    if found or para.listed is None:
        return found
    names, partners = para.listed
    if len(names) != len(ns):
        return []
    if not cue_regex("list_anaphor").search(head):
        return []
    if partners:
        return [("partner", name) for name in names]
    return [("entity", EntityMention(0, 0, name, "economy", name)) for name in names]


def bilateral_partner(s: F.Sentence, para: ParagraphState) -> str | None:
    """'The deficit with Mexico increased ... Exports decreased ... and imports increased
    ...': a sentence that opens on a bare flow and names no economy continues the
    paragraph's bilateral balance."""
    if para.bilateral is None or any(e.kind in ECONOMY_KINDS for e in s.entities):
        return None
    return para.bilateral if cue_regex("bare_flow_start").match(s.text) else None


GOODS_THEN_PARTNER = re.compile(r"\s*of\s+(?:[a-z][\w-]*\s+){1,3}(to|for|from)\s+(?:the\s+)?$")


def flow_partner(s: F.Sentence, n: int) -> EntityMention | None:
    """The counterpart after the goods a flow moved: 'exported 7.2 million tons of soybeans
    to China', 'imported 1.1 million tons of soy from the United States' (but 'exports of
    ... from X' name the exporter); and an origin adjective after an import: 'China
    imported 51% more Brazilian soy'."""
    group = s.groups[n]
    a_start = group.level.end if group.level is not None else group.end
    a_end = s.after(n)[1]
    text = s.text
    for e in s.entities:
        if not (a_start <= e.start < a_end) or e.kind not in ECONOMY_KINDS:
            continue
        m = GOODS_THEN_PARTNER.match(text[a_start : e.start])
        if m is None:
            break
        if m[1] == "from" and not _import_before(s, e.start):
            break
        return e
    c_start, c_end = s.clauses[s.clause_of(s.groups[n])]
    for e in s.entities:
        if e.kind != "demonym" or not (c_start <= e.start < c_end):
            continue
        if not _import_before(s, e.start, 40):
            continue
        if any(c.kind == "noun" and 0 <= c.start - e.end <= 2 for c in s.cues):
            continue  # "imports of Brazilian exports"-like: the adjective owns a flow
        return e
    return None


def _import_before(s: F.Sentence, pos: int, reach: int = 80) -> bool:
    return any(
        c.category == "imports"
        and pos - reach <= c.end <= pos
        and not re.search(r",\s", s.text[c.end : pos])  # "51,4%" is one number
        for c in s.cues
    )


def compared_with_previous(s: F.Sentence, n: int) -> bool:
    """'... 7.2 million tons to China in May compared to 4.8 million tons a year earlier':
    the figure it is compared with is the same flow, with the same counterpart."""
    if n == 0:
        return False
    gap = s.text[s.groups[n - 1].end : s.groups[n].start]
    return bool(re.match(r"[^;]{0,40}?\b(?:compared\s+(?:with|to)|against|versus)\s+$", gap))


def buyer_share(s: F.Sentence, n: int, before: list) -> tuple[str, str] | None:
    """'China bought 72% of Brazilian soybean exports, Spain 5%': a buyer's share of
    another economy's flow. The owner of the flow is the entity, the buyer its counterpart;
    a gapped item ('Spain 5%', 'and Portugal 1%') continues the owner of the one before.
    Returns (entity, partner)."""
    level = s.groups[n].level
    if level is None or not (level.share or level.q.unit == "percent"):
        return None
    text = s.text
    w_start = s.window(n)[0]
    buyer = next(
        (
            e
            for e in reversed(s.entities)
            if w_start <= e.start and e.end <= level.start and e.kind in ECONOMY_KINDS
        ),
        None,
    )
    if buyer is None:
        return None
    verb = cue_regex("buyer_verb").fullmatch(text[buyer.end : level.start])
    owner = next(
        (
            e
            for e in s.entities
            if level.end <= e.start <= level.end + 25
            and SHARE_OF.fullmatch(text[level.end : e.start])
            and (e.kind == "demonym" or re.match(r"(?:'s|’s)", text[e.end : e.end + 2]))
        ),
        None,
    )
    if verb and level.share and owner is not None and owner.canonical != buyer.canonical:
        if cue_regex("flow_after_owner").match(text, owner.end, owner.end + 40):
            return owner.canonical, buyer.canonical
    previous = before[-1] if before else None
    gapped = GAPPED_BUYER.fullmatch(text[buyer.end : level.start])
    if gapped and previous is not None and previous.partner and previous.entity:
        if previous.unit == "percent" and previous.partner != buyer.canonical:
            return previous.entity, buyer.canonical
    return None


SHARE_OF = re.compile(r"\s*(?:per\s*cent|percent|%)?\s*of\s+(?:the\s+)?")
GAPPED_BUYER = re.compile(r"\s*(?:(?:bought|took|purchased|received|imported)\s+)?")

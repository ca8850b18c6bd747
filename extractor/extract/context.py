"""What the text is talking about, carried from sentence to sentence: the article's own
economy (voted from the title, dateline and first paragraphs), its reference period, the
paragraph's latest period, basis, entity and metric; and the sentence splitting the fact layer
reads blocks with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.cues import cue_regex, find_cues
from extractor.extract.entities import (
    EntityMention,
    find_entities,
    is_partner_position,
    is_possessive,
)
from extractor.extract.periods import Period, PeriodContext, find_periods, resolve
from extractor.models import Article, Block, Fact

MAX_PIECE = 100_000


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
    lead_entity: str | None = None  # the entity of the article's first fact


@dataclass
class ParagraphState:
    period: Period | None = None
    basis: str | None = None
    entity: str | None = None
    metric: str | None = None
    facts: list[Fact] = field(default_factory=list)
    bilateral: str | None = None  # "The deficit with Mexico ...": the paragraph's counterpart
    listed: tuple[list[str], bool] | None = None  # the last list of economies; partners?


def sentences(doc):
    """doc.sents, re-joined where the sentencizer cut after an abbreviation ("No. 1",
    "v. June") or where the next piece starts in lower case or with a digit."""
    text = doc.text  # sliced by character offsets: Span.text would build a Token per token
    merged = []
    for span in doc.sents:
        if merged:
            prev = merged[-1]
            first = text[span.start_char : span.end_char].lstrip()[:1]
            if cue_regex("abbreviation_end").search(text[prev.start_char : prev.end_char]) or (
                first and (first.islower() or first.isdigit())
            ):
                merged[-1] = doc[prev.start : span.end]
                continue
        merged.append(span)
    out = []
    for span in merged:
        cuts = [m.end() for m in UNIT_FULL_STOP.finditer(text[span.start_char : span.end_char])]
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
        for canonical in _reporting_bodies(text):
            # "the Australian Bureau of Statistics", "SARS": the body that reports the figures
            votes[canonical] = votes.get(canonical, 0) + AGENCY_VOTE
            first_seen.setdefault(canonical, order)
        dateline: tuple[EntityMention, float] | None = None
        for e in find_entities(text, titlecase=is_title):
            order += 1
            if is_partner_position(text, e) or e.kind in ("port", "agency"):
                continue
            score = _subject_score(text, e, cues, is_title) * (1.5 if order <= 12 else 1.0)
            if score and e.kind == "dateline":
                dateline = (e, score)
            elif score and dateline and e.canonical != dateline[0].canonical:
                if e.start - dateline[0].end < LEDE_SUBJECT_REACH:
                    # "HANOI (VNA) - Indonesian palm oil exports fell ...": the lede's own
                    # subject outranks the city the story was filed from
                    votes[dateline[0].canonical] -= dateline[1]
                dateline = None
            if score:
                votes[e.canonical] = votes.get(e.canonical, 0) + score
                first_seen.setdefault(e.canonical, order)
    if not votes:
        return None
    return max(votes, key=lambda c: (votes[c], -first_seen[c]))


# A reporting body counts like a title mention: it says whose statistics the article reports,
# more surely than a dateline says where the reporter sat.
AGENCY_VOTE = 3.0
LEDE_SUBJECT_REACH = 40  # characters from the dateline to the lede's first words
REPORTER_KINDS = {"economy", "demonym", "bloc"}


def _reporting_bodies(text: str) -> list[str]:
    """Economies whose statistics bodies `text` names: an agency alias of the gazetteer
    ("Destatis", "the ABS") or an economy inside a body's name ("the U.S. Census Bureau",
    "Statistics Canada", "the Indonesian Palm Oil Producers Association")."""
    out = [e.canonical for e in find_entities(text) if e.kind == "agency"]
    for m in cue_regex("reporting_body").finditer(text):
        inside = [
            e
            for e in find_entities(m[0], titlecase=True)
            if e.kind in REPORTER_KINDS and not is_partner_position(m[0], e)
        ]
        if inside:
            out.append(inside[0].canonical)
    return out


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


def note_period(
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
    if period.kind in ("MR", "DR"):
        state.ctx.last_range = period  # "over the four months" refers back to it


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
        # a monthly article's own month, not the last month named in passing ("down from a
        # revised R21.6 billion in August. ... Exports rose 3.4% month on month")
        return state.ref if state.ref is not None and state.ref.kind == "M" else state.last_month
    return state.ref


def period_of(label: str | None, state: ArticleState | None = None) -> Period | None:
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


def note_blocs(entities: list[EntityMention], state: ArticleState) -> None:
    for e in entities:
        if e.kind == "bloc":
            state.last_bloc = e.canonical


def note_entity(
    text: str, entities: list[EntityMention], para: ParagraphState, state: ArticleState
) -> None:
    cands = [
        e for e in entities if e.kind in ("economy", "bloc") and not is_partner_position(text, e)
    ]
    if cands and (is_possessive(text, cands[0]) or cands[0].start < 3):
        para.entity = cands[0].canonical


BILATERAL_BEFORE = re.compile(
    r"\b(?:deficit|surplus|balance|gap|trade|imbalance)\s+with\s+(?:the\s+)?$", re.IGNORECASE
)
LIST_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+)(?:the\s+)?")


def note_counterparts(text: str, entities: list[EntityMention], para: ParagraphState) -> None:
    """Remember, for the sentences after it in the paragraph, the counterpart of a bilateral
    balance ("The deficit with Mexico increased ...") and the last list of economies ("the
    European Union, the United States and Japan"), with whether they were counterparts."""
    named = [e for e in entities if e.kind in ("economy", "bloc", "region")]
    for e in named:
        if BILATERAL_BEFORE.search(text[max(0, e.start - 30) : e.start]):
            para.bilateral = e.canonical
            break
    else:
        if named:
            para.bilateral = None
    run: list[EntityMention] = []
    best: list[EntityMention] = []
    for e in named:
        owner = re.search(r"(\w+)\s+of\s+(?:the\s+)?$", text[max(0, e.start - 30) : e.start])
        if owner and cue_regex("counterpart_noun").fullmatch(owner[1]):
            run = []
            continue  # "the top markets of Singapore, the EU, the US and Japan": the owner
        if run and LIST_JOIN.fullmatch(text[run[-1].end : e.start]):
            run.append(e)
        else:
            run = [e]
        if len(run) > len(best):
            best = list(run)
    if len(best) >= 2:
        first = best[0]
        partners = is_partner_position(text, first) or bool(
            cue_regex("counterpart_noun").search(text[: first.start])
        )
        para.listed = ([e.canonical for e in best], partners)

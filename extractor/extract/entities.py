"""Economies, blocs, regions, ports and companies: a gazetteer kept as EntityRuler-style phrase
patterns in `patterns/entities.jsonl` (one alias a line, each with its canonical name and kind).

All aliases are compiled into one case-sensitive alternation (longest first), so "US" never
matches "us" and "South Korea" wins over "Korea". Roles are decided by the words around a
mention: "exports to X", "deficit with X", "X-bound" make X a partner; "X's", "X exports" or
X as a clause subject make it the entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.cues import cue_regex
from extractor.patterns import EntityPattern, load_family
from extractor.phrases import phrase_alternation

# Kinds that name something whose figures are measured (an entity or partner).
ECONOMY_KINDS = {"economy", "bloc", "region", "port", "company", "bloc_anaphor"}
# Central banks and agencies: the entity of their own rates, never of the economy's figures.


@dataclass(frozen=True)
class EntityMention:
    start: int
    end: int
    canonical: str
    kind: str
    text: str


@cache
def _gazetteer() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    table: dict[str, tuple[str, str]] = {}
    for entry in load_family("entities"):
        alias = entry.pattern
        value = (entry.canonical, entry.kind)
        table.setdefault(alias, value)
        if alias[:1].islower():
            table.setdefault(alias[:1].upper() + alias[1:], value)  # "Euro area" opens a sentence
    aliases = phrase_alternation(sorted(table, key=len, reverse=True), tail=_alias_tail)
    regex = re.compile(r"(?<![A-Za-z0-9])" + aliases)
    return regex, table


def _alias_tail(alias: str) -> str:
    """Aliases ending in a capital or digit may run into a lowercase word in sloppy copy
    ("EU28exports"); others need a clean word boundary."""
    if alias.endswith("."):
        return ""
    return r"(?![A-Z0-9])" if re.search(r"[A-Z0-9.]$", alias) else r"(?![A-Za-z0-9])"


def find_entities(text: str, titlecase: bool = False) -> list[EntityMention]:
    """Gazetteer mentions in `text`. A mention followed by a capitalised word is part of a
    longer name ("United States Geological Survey", "China Chamber of Commerce") and is
    skipped, except in title-case headlines (`titlecase=True`)."""
    regex, table = _gazetteer()
    found: list[EntityMention] = []
    for m in regex.finditer(text):
        canonical, kind = table[m[0]]
        after = text[m.end() : m.end() + 30]
        if re.match(r"\s*(?:dollars?|\$|cents?)\b", after):
            continue  # "U.S. dollars" names a currency, not an economy
        capital_scope = kind == "scope" and m[0][:1].isupper()  # "Global Times" is a name
        if not titlecase and (kind in ECONOMY_KINDS and kind != "port" or capital_scope):
            if re.match(r"\s+(?:of\s+)?[A-Z][a-z]+", after) and not re.match(
                r"\s+(?:and|or|But|The|In|On)\b", after
            ):
                continue
        found.append(EntityMention(m.start(), m.end(), canonical, kind, m[0]))
    return found


PARTNER_BEFORE = re.compile(
    r"(?:\b(?:to|from|with|into|for(?:\s+all\s+of)?)\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
NOT_PARTNER_BEFORE = re.compile(
    r"(?:non-|\bnon\s+|outside\s+(?:the\s+)?|\brest\s+of\s+(?:the\s+)?|extra-)$", re.IGNORECASE
)


def is_partner_position(text: str, mention: EntityMention) -> bool:
    """True when the words around the mention make it the counterpart of a flow."""
    before = text[max(0, mention.start - 25) : mention.start]
    after = text[mention.end : mention.end + 8]
    if NOT_PARTNER_BEFORE.search(before):
        return False
    if cue_regex("flow_origin").search(text[max(0, mention.start - 60) : mention.start]):
        return False  # "exports from Vietnam", "imports into India": the reporter
    if re.match(r"-bound\b", after):
        return True
    if cue_regex("counterpart_after").match(text, mention.end, mention.end + 80):
        return True  # "The US remained Vietnam's largest export market"
    if PARTNER_BEFORE.search(before):
        return True
    # "to China and Hong Kong": the second of two counterparts
    wider = text[max(0, mention.start - 85) : mention.start]
    return bool(COORDINATED_PARTNER.search(wider)) or is_ranked_counterpart(text, mention)


def is_ranked_counterpart(text: str, mention: EntityMention) -> bool:
    """A ranking of counterparts: "the top market was the U.S., followed by the EU, up 3%;
    Japan, up 2%; and ASEAN, ..." names the reporter's partners, each item with its figures.
    Only where a counterpart noun (market, source, destination, buyer ...) comes first, so
    "China was the largest exporter, followed by Germany" ranks reporters, not partners."""
    head = text[max(0, mention.start - 300) : mention.start]
    if cue_regex("counterpart_is").search(head):
        return True
    for opened in cue_regex("counterpart_is_open").finditer(head):
        if LISTED_AFTER.match(head[opened.end() :]):
            return True
    follow = cue_regex("counterpart_followed_by")
    m = follow.search(head)
    if m is None or not (
        cue_regex("counterpart_noun").search(head[: m.start()])
        or cue_regex("flow_to_partner").search(head[: m.start()])
    ):
        return False
    tail = head[m.end() :]
    # the item right after "followed by", the second of "A and B", or a later list item
    return bool(
        re.fullmatch(
            r"(?:the\s+)?(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s+(?:and|&)\s+"
            r"(?:the\s+)?)?",
            tail,
        )
        or re.search(r"(?:[;,]\s*(?:and\s+)?|\d[^,;]*\s+and\s+)(?:the\s+)?$", tail)
    )


# "to China and Hong Kong", "to the US (up 3%) and Japan", "between China and Russia"
_NAME = r"(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}(?:\s*\([^()]{0,40}\))?"
COORDINATED_PARTNER = re.compile(
    rf"\b(?:to|from|with|between)\s+{_NAME}(?:\s*,\s*{_NAME}){{0,4}}\s*(?:,|and|&|,\s*and)\s+"
    r"(?:the\s+)?$"
)
# "top markets were Singapore, China and the US": the items after the first
LISTED_AFTER = re.compile(
    rf"^{_NAME}(?:\s*,\s*{_NAME}){{0,4}}\s*(?:,|and|&|,\s*and)\s+(?:the\s+)?$"
)


def is_non_partner_group(text: str, mention: EntityMention) -> bool:
    """'non-EU countries', 'outside the EU', 'rest of the world': not one counterpart."""
    before = text[max(0, mention.start - 12) : mention.start]
    return bool(NOT_PARTNER_BEFORE.search(before))


def is_possessive(text: str, mention: EntityMention) -> bool:
    # "Indonesia’ palm oil exports": a bare curly apostrophe is a possessive too
    return bool(re.match(r"(?:'s|’s|'|’)(?![A-Za-z])", text[mention.end : mention.end + 3]))


def example_matches(entry: EntityPattern, text: str) -> bool:
    """tests/test_patterns.py hook: is this alias found as a gazetteer mention in `text`?"""
    return any(m.text == entry.pattern for m in find_entities(text))

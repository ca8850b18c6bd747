"""Parse plain text (pasted page copy) into an `Article`: line structure stands in for markup.

A line naming a known section ("Digest Hub") switches section; a line "2021:" heads the timeline
lines under it; bullets are list items; short lines without sentence punctuation are furniture.
Page furniture has headings of its own ("Who's Who" company profiles, "Newsletters",
"Podcast", "Share this article", subscription promos): from such a heading on, lines are
skipped until the next content heading. A "Published: ..." line gives the date when the
caller has none.
"""

from __future__ import annotations

import re
from datetime import date

from extractor.cues import find_cues
from extractor.ingest.dates import to_date
from extractor.models import Article, Block, Section
from extractor.parse.blocks import (
    MAX_TEXT_CHARS,
    SECTION_HEADINGS,
    TIMELINE_HEADING,
    clean_text,
    is_paywalled,
)

BULLET = re.compile(r"^\s*(?:[•·▪◦*]|-\s)\s*")
# Headings that open page furniture: profiles, newsletter and podcast boxes, share bars, promos.
FURNITURE_HEADINGS = re.compile(
    r"^(?:who[’']?s who|newsletters?|podcasts?|share this article|related(?: articles| stories)?|"
    r"read more|more from .{1,30}|subscribe(?: now| to .*)?|sign up.*|most (?:read|popular)|"
    r"recommended(?: for you)?|advertisement|you may also like|about the author|comments?|"
    r"ai generated, for reference only|view options|trending|editor'?s picks?)$",
    re.IGNORECASE,
)
PUBLISHED_LINE = re.compile(
    r"^(?:published|posted|updated|release date)\s*:?\s*(?P<date>.{6,40}?)(?:\s+\d{1,2}:\d{2}.*)?$",
    re.IGNORECASE,
)
# "00:00/00:00", "4:20 p.m.", "1x": player and clock furniture
PLAYER_LINE = re.compile(r"^(?:\d{1,2}:\d{2}(?:/\d{1,2}:\d{2})?|listen to this article.*)$", re.I)


# --- plain text -----------------------------------------------------------------------------


def parse_text(text: str, url: str | None = None, published: date | None = None) -> Article:
    """Plain text: one block per line; heading lines switch section; "2021:" heads a timeline."""
    blocks: list[Block] = []
    section: Section = "body"
    heading: str | None = None
    furniture = False
    lines = [clean_text(line) for line in text.splitlines()]
    title = next((line for line in lines if len(line.split()) >= 3), None)
    truncated = is_paywalled(text)
    budget = MAX_TEXT_CHARS  # as for HTML: a dump, not an article, is cut and flagged
    for line in lines:
        if not line:
            continue
        if budget <= 0:
            truncated = True
            break
        lowered = line.lower().strip(" :")
        if lowered in SECTION_HEADINGS:
            section, heading, furniture = SECTION_HEADINGS[lowered], None, False
            continue
        if FURNITURE_HEADINGS.match(lowered):
            furniture = True
            continue
        timeline = TIMELINE_HEADING.match(line)
        if timeline and not furniture:
            section, heading = "timeline", timeline.group(1)
            continue
        stamp = PUBLISHED_LINE.match(line)
        if stamp:
            published = published or _date_of(stamp.group("date"))
            continue
        if furniture or PLAYER_LINE.match(line):
            continue
        is_bullet = bool(BULLET.match(line))
        line = BULLET.sub("", line)
        if not is_bullet and is_furniture_line(line):
            continue
        truncated = truncated or len(line) > budget
        blocks.append(Block(section=section, text=line[:budget], heading=heading))
        budget -= len(line)
    return Article.from_blocks(
        blocks, url=url, canonical_url=url, title=title, published=published, truncated=truncated
    )


def _date_of(raw: str) -> date | None:
    try:
        return to_date(re.sub(r"\s+(?:GMT|UTC)[+-]?\d*$", "", raw.strip()))
    except (ValueError, OverflowError):
        return None


def is_furniture_line(line: str) -> bool:
    """A short line without sentence punctuation is a label or a button, not a sentence, unless
    it states a figure about a metric ("Jan-May exports up 14.3% y/y": a key point)."""
    words = line.split()
    if len(words) >= 6 or re.search(r"[.!?]$", line):
        return False
    has_figure = bool(
        re.search(r"\d(?:[\d.,]*)\s*(?:%|per\s*cent|percent|bn|billion|million)", line)
    )
    return not (has_figure and any(c.kind == "noun" for c in find_cues(line)))

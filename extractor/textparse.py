"""Parse plain text (pasted page copy) into an `Article`: line structure stands in for markup.

A line naming a known section ("Digest Hub") switches section; a line "2021:" heads the timeline
lines under it; bullets are list items; short lines without sentence punctuation are furniture.
"""

from __future__ import annotations

import re
from datetime import date

from extractor.models import Article, Block, Section
from extractor.parse import SECTION_HEADINGS, TIMELINE_HEADING, clean_text, is_paywalled

BULLET = re.compile(r"^\s*(?:[•·▪◦*]|-\s)\s*")


# --- plain text -----------------------------------------------------------------------------


def parse_text(text: str, url: str | None = None, published: date | None = None) -> Article:
    """Plain text: one block per line; heading lines switch section; "2021:" heads a timeline."""
    blocks: list[Block] = []
    section: Section = "body"
    heading: str | None = None
    lines = [clean_text(line) for line in text.splitlines()]
    title = next((line for line in lines if len(line.split()) >= 3), None)
    truncated = is_paywalled(text)
    for line in lines:
        if not line:
            continue
        lowered = line.lower().strip(" :")
        if lowered in SECTION_HEADINGS:
            section, heading = SECTION_HEADINGS[lowered], None
            continue
        timeline = TIMELINE_HEADING.match(line)
        if timeline:
            section, heading = "timeline", timeline.group(1)
            continue
        is_bullet = bool(BULLET.match(line))
        line = BULLET.sub("", line)
        if not is_bullet and is_furniture_line(line):
            continue
        blocks.append(Block(section=section, text=line, heading=heading))
    return Article.from_blocks(
        blocks, url=url, canonical_url=url, title=title, published=published, truncated=truncated
    )


def is_furniture_line(line: str) -> bool:
    """A short line without sentence punctuation is a label or a button, not a sentence."""
    words = line.split()
    return len(words) < 6 and not re.search(r"[.!?]$", line)

"""What every parser shares about text blocks: cleaning, prose tests, and page sections.

HTML (`html`), loose `<div>` text (`loose`) and plain text (`text`) all cut a page into blocks
with these rules, so a page reads the same whichever way it arrives.
"""

from __future__ import annotations

import re

from bs4 import Tag

from extractor.models import Section
from extractor.parse.adapters import SECTION_ATTR

BR = "\x00"  # stands for a <br> in a run of loose text (see loosetext.split_run)


# Headings that open a page section, matched case-insensitively against a heading's text.
SECTION_HEADINGS: dict[str, Section] = {
    "digest hub": "summary",
    "key points": "summary",
    "highlights": "summary",
    "at a glance": "summary",
    "summary": "summary",
    "in brief": "summary",
    "what happened when": "timeline",
    "timeline": "timeline",
    "chronology": "timeline",
}


# Class/id fragments that mark a container as a section of its own.
SECTION_CLASS_HINTS: list[tuple[str, Section]] = [
    ("timeline", "timeline"),
    ("chronolog", "timeline"),
    ("digest", "summary"),
    ("key-points", "summary"),
    ("keypoints", "summary"),
    ("summary", "summary"),
    ("highlights", "summary"),
    ("takeaways", "summary"),
]


# Containers that hold no article text.
FURNITURE_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "form",
    "button",
    "svg",
    "iframe",
    "template",
    "audio",
    "video",
]


FURNITURE_CLASS_HINTS = (
    "newsletter",
    "podcast",
    "subscribe",
    "paywall",
    "share",
    "related",
    "audio",
    "player",
    "advert",
    "promo",
    "social",
    "comments",
    "who-s-who",
    "whos-who",
    "profiles",
    "byline",
    "dateline",
    "kicker",
    "author",
    "standards",
    "breadcrumb",
    "-meta",
    "meta-",
    "pub-date",
    "pubdate",
    "timestamp",
    "article-info",
    "tags",
)


PAYWALL_MARKERS = (
    "available only to subscribers",
    "subscribe to continue",
    "subscribers only",
    "to read the full article",
    "paywall",
)


WORD = re.compile(r"[^\W\d_]{3,}")


LETTER = re.compile(r"[^\W\d_]")


SENTENCE_END = re.compile(r"[.!?。！？]")


# A timeline heading line: "2021:", "2021–2025:", "2026-01-30:".
TIMELINE_HEADING = re.compile(r"^\s*(\d{4}(?:-\d{2}-\d{2})?(?:\s*[–—-]\s*\d{4})?)\s*:\s*$")


# Inline markup: its text belongs to the run of text around it, not to a block of its own.
INLINE_TAGS = {
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "br",
    "cite",
    "code",
    "data",
    "dfn",
    "em",
    "font",
    "i",
    "kbd",
    "mark",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
}


def is_paywalled(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in PAYWALL_MARKERS)


def is_prose(text: str) -> bool:
    """At least four words of three letters or more, or (scripts written without spaces) 20
    letters and a full stop."""
    if len(WORD.findall(text)) >= 4:
        return True
    return len(LETTER.findall(text)) >= 20 and bool(SENTENCE_END.search(text))


def section_of(node: Tag, inherited: Section | None) -> Section | None:
    """The section a container puts its text in; None when it holds no article text."""
    label = node.get(SECTION_ATTR)
    if label:
        return None if label == "skip" else label  # type: ignore[return-value]
    if node.name in FURNITURE_TAGS or node.has_attr("hidden"):
        return None
    if node.name in ("figure", "figcaption"):
        return "caption"
    if node.name == "table":
        return "table"
    marks = " ".join([*(node.get("class") or []), str(node.get("id") or "")]).lower()
    if marks.strip():
        if any(hint in marks for hint in FURNITURE_CLASS_HINTS):
            return None
        for hint, section in SECTION_CLASS_HINTS:
            if hint in marks:
                return section
    return inherited


GROUP_SPACE = re.compile(r"[\u00a0\u202f\u2009]")


DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?![\d])")


ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(text: str) -> str:
    # An (narrow) no-break or thin space between digit groups is a thousands separator (SI
    # and French style "758\u202f300"): drop it so the number stays one number.
    text = DIGIT_GROUPS.sub(lambda m: GROUP_SPACE.sub("", m[0]), ZERO_WIDTH.sub("", text))
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


# Article text kept per page. The longest news features run to ~10,000 words (~70,000
# characters); beyond this a page is a dump, not an article, and is cut and flagged truncated
# so one hostile page cannot stall a run in extraction.
MAX_TEXT_CHARS = 150_000

"""Metric phrases: what a number measures, built from the article's own words.

Cue nouns and verbs ("exports", "trade surplus", "shipments", "shipped out") and markers
(forecast words, share verbs, revision words) are phrase patterns in `patterns/metrics.jsonl`.
A metric is the cue's canonical head plus the article's modifiers around it: the words right
before the cue ("integrated circuit exports"), and an "of" phrase after it ("exports of
vessels"). Volume/value splits ("by volume") and forecasts are marked in the name.
"""

from __future__ import annotations

import re

from extractor.cues import Cue, cue_regex, find_cues, sentence_start
from extractor.patterns import MetricPattern
from extractor.vocabulary import flow_categories, month_words

# Words that end a run of pre-modifiers when walking back from a cue noun.
STOP_BEFORE = {
    "the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those",
    "of", "in", "on", "at", "to", "for", "from", "with", "by", "and", "or", "as", "while",
    "also", "but", "after", "before", "than", "which", "who", "said", "says", "showed",
    "was", "were", "is", "are", "be", "been", "had", "has", "have", "saw", "see", "sees",
    "rose", "fell", "grew", "led", "reflected", "where", "when", "during", "over", "under",
    "about", "per", "cent", "percent", "bn", "billion", "million", "trillion", "record",
    "high", "low", "registered", "posted", "reported", "recorded", "put", "nation", "country",
    "country's", "nation's", "world's", "like", "such", "including", "overall", "annual",
    "monthly", "seasonally", "adjusted", "first", "estimate", "increased", "decreased", "rise",
    "fall", "jump", "drop", "expected", "forecast", "all", "both", "some", "many", "other",
    "expects", "expect", "estimates", "projects", "puts", "shows", "could", "would", "will",
    "may", "might", "respectively",
}  # fmt: skip
# An "of" phrase after the cue ends at these.
STOP_AFTER = re.compile(
    r"\s*(?:,|;|:|\(|\[|—|–|\bto\b|\bfrom\b|\bin\b|\bby\b|\bwith\b|\bduring\b|\bfor\b|\bat\b|"
    r"\bwas\b|\bwere\b|\bis\b|\bare\b|\bhas\b|\bhad\b|\brose\b|\bfell\b|\bgrew\b|\bhit\b|"
    r"\breached\b|\btotall?ed\b|\bclimbed\b|\bjumped\b|\bdropped\b|\bdeclined\b|\bslipped\b|"
    r"\bsurged\b|\bcontracted\b|\balso\b|\bwhich\b|\bthat\b|\bpeaked\b|\bsurpassed\b|"
    r"\bincreased\b|\bdecreased\b|\bstood\b|\bon\b|\bshowed\b|\bsaw\b|\$|€|£|¥|\d|$|"
    r"\baccount(?:ed|s|ing)?\b|\brepresent(?:ed|s|ing)?\b|\bma(?:de|kes?|king)\s+up\b)",
    re.IGNORECASE,
)


def markers(cues: list[Cue], role: str) -> list[Cue]:
    return [c for c in cues if c.kind == "marker" and c.role == role]


def premodifiers(text: str, start: int, blocked: list[tuple[int, int]]) -> str:
    """Up to four modifier words right before `start` ("integrated circuit" exports)."""
    words: list[str] = []
    pos = start
    head = text[:start]
    scoped = re.search(r"\b((?:intra|extra)-\w+(?:\s+area)?)\s*$", head, re.I)
    if scoped:
        return scoped[1]
    saw = re.search(
        r"([A-Za-z][a-z -]{2,50}?)\s+(?:also\s+)?(?:saw|posted|recorded|reported|registered)\s+$",
        head,
    )
    if saw:
        kept = [w for w in saw[1].split() if w.lower() not in STOP_BEFORE]
        return " ".join(kept[-3:]).lower()
    for m in reversed(list(re.finditer(r"[A-Za-z][A-Za-z-]*", head))):
        gap = head[m.end() : pos]
        owner = gap in ("' ", "’ ") and word_is_plural_owner(m[0])
        if (gap.strip(" ") and not owner) or len(words) >= 4:
            break
        if m.start() and head[m.start() - 1] in "'’":
            break  # the "s" of a possessive
        word = m[0]
        if _is_month(word):
            break
        if word.lower() in STOP_BEFORE or any(s <= m.start() < e for s, e in blocked):
            break
        if word[0].isupper() and not word.isupper() and m.start() != sentence_start(head):
            break  # a proper name: an entity or a source, not a modifier
        word = word + gap.strip() if owner else word  # "private enterprises' imports"
        words.insert(0, word if word.isupper() and len(word) <= 4 else word.lower())
        pos = m.start()
    return " ".join(words)


def word_is_plural_owner(word: str) -> bool:
    """'enterprises' imports', 'farmers' sales': a plural common noun owning the flow says
    whose flow it is; "Brazil's" (a name) or "the country's" do not reach here."""
    return word.islower() and word.endswith("s") and word not in STOP_BEFORE


def _is_month(word: str) -> bool:
    """'March', 'Sept', or short forms joined by a hyphen ('Jan-May'): a period, not a
    modifier. ('January-May' is left a modifier, as it always was.)"""
    low = word.lower()
    if low in month_words():
        return True
    parts = low.split("-")
    return len(parts) == 2 and all(len(p) <= 4 and p in month_words() for p in parts)


def of_phrase(text: str, end: int, word: str = "of") -> str:
    """The 'of X' complement after a cue noun, up to a preposition, verb, number or comma
    ('for X' after the nouns that take it: "orders for machinery")."""
    m = re.match(r"\s+" + word + r"\s+(?:the\s+|a\s+)?", text[end:])
    if not m:
        return ""
    rest = text[end + m.end() :]
    stop = STOP_AFTER.search(rest)
    phrase = rest[: stop.start()] if stop else rest
    phrase = phrase.strip()
    if not phrase or len(phrase.split()) > 6:
        return ""
    return phrase


def build(text: str, cue: Cue, blocked: list[tuple[int, int]]) -> str:
    """The metric phrase for a cue in `text`."""
    if cue.kind == "verb":
        return cue.name
    pre = premodifiers(text, cue.start, blocked)
    name = cue.name
    if name == "sales" and re.match(r"\s+to\s+(?:the\s+)?[A-Z]", text[cue.end :]):
        name = "exports"  # "sales to China fell 5.6%": what a country sells to another
    post = of_phrase(text, cue.end)
    if post and (cue.category in flow_categories() or cue.category in ("share", "trade")):
        name = f"{name} of {post.lower() if not post.isupper() else post}"
    elif cue_regex("takes_for").fullmatch(cue.text):
        post = of_phrase(text, cue.end, "for")
        if post:  # "orders for machinery rose 7%": what was ordered
            name = f"{name} for {post.lower() if not post.isupper() else post}"
    sector = cue_regex("sector_after").match(text, cue.end)
    if sector:  # "export earnings from the woven sector"
        name = f"{sector[1].lower()} {name}"
    if pre and not name.startswith(pre):
        # "re-exports": a prefix the cue's own word carries
        name = f"{pre}{name}" if pre.endswith("-") else f"{pre} {name}"
    return re.sub(r"\s+", " ", name).strip()


def head_noun(metric: str | None) -> str | None:
    """The cue noun of a metric phrase ("machinery orders" -> "orders"), None without one."""
    if not metric:
        return None
    nouns = [c for c in find_cues(metric) if c.kind == "noun" and c.category != "growth"]
    return nouns[-1].name if nouns else None


def share_metric(text: str, number_end: int, subject: str | None) -> str:
    """'18.6 percent of the country's total exports' -> 'share of total exports'."""
    m = re.match(
        r"\s*(?:of\s+)(?:the\s+)?(?:(?:nation|country|world|region)(?:'s|’s)\s+)?",
        text[number_end:],
    )
    whole = ""
    if m:
        rest = text[number_end + m.end() :]
        stop = re.search(
            r"[,;(\[]|\bduring\b|\bin\s+(?:the\s+)?(?:first|second|\d)|\baccording\b", rest
        )
        whole = (rest[: stop.start()] if stop else rest).strip().rstrip(".")
        whole = re.sub(r"\s+", " ", whole)
        if len(whole.split()) > 7:
            whole = " ".join(whole.split()[:7])
    base = f"{subject} share" if subject and "share" not in subject else (subject or "share")
    return f"{base} of {whole.lower()}" if whole else base


def example_matches(entry: MetricPattern, text: str) -> bool:
    """tests/test_patterns.py hook: is this cue or marker found in `text`?"""
    wanted = re.sub(r"\s+", " ", entry.pattern.lower())
    return any(re.sub(r"\s+", " ", c.text.lower()) == wanted for c in find_cues(text))


# --- abbreviations the article defines -------------------------------------------------------

# "non-oil domestic exports (NODX)": a metric phrase, then its initials in brackets
_DEFINED = re.compile(r"\(\s*([A-Z][A-Za-z]?[A-Z]{1,6}s?)\s*\)")


def defined_abbreviations(text: str) -> dict[str, Cue]:
    """Abbreviations the article defines for a metric phrase, each with the cue its long form
    carries renamed to the whole phrase: "non-oil domestic exports (NODX)" makes a later
    "electronic NODX" read as "electronic non-oil domestic exports". The long form must start
    with the abbreviation's first letter, so "(GAC)" after a number or a name is not one."""
    out: dict[str, Cue] = {}
    for m in _DEFINED.finditer(text):
        abbr = m[1]
        if abbr in out:
            continue
        head = text[max(0, m.start() - 80) : m.start()]
        cues = [c for c in find_cues(head) if c.kind == "noun" and not head[c.end :].strip()]
        if not cues:
            continue
        cue = cues[-1]
        long = build(head, cue, [])
        if not long or long[0].lower() != abbr[0].lower() or "(" in long:
            continue
        out[abbr] = Cue(0, 0, long, cue.category, "noun", cue.role, cue.suffix, abbr)
    return out


def abbreviation_cues(text: str, defined: dict[str, Cue]) -> list[Cue]:
    """The uses of defined abbreviations in a sentence, as cues named by their long form (the
    bracketed definition itself is not a use)."""
    out: list[Cue] = []
    for abbr, cue in defined.items():
        if abbr not in text:
            continue
        for m in re.finditer(r"(?<![\w(])" + re.escape(abbr) + r"(?![\w)])", text):
            out.append(
                Cue(m.start(), m.end(), cue.name, cue.category, "noun", cue.role, cue.suffix, abbr)
            )
    return out

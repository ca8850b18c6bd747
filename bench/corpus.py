"""The benchmark corpus: news text and whole articles made by recombining fixture paragraphs.

Source paragraphs come from the fixture pages (`fixtures/articles/*/page.html`, parsed by our
own parser) and, when there are few of them, from the seed page copy in `../shared/seed/`, read
at run time only (nothing from shared/ is ever written into the repository).

Recombining alone would repeat the same paragraph many times over 200,000 words, and a cache
keyed on text (the spaCy tokenizer's, any `lru_cache` on number parsing) would then make the
quantity layer look faster than it is on fresh news. So every generated paragraph gets fresh
figures: multi-digit numbers are re-drawn digit by digit, keeping their shape ("7.2%" -> "3.9%",
"$758.3 billion" -> "$214.6 billion") and leaving years and small integers alone, so dates and
"first 10 months" still read as dates.

Everything is deterministic for a given seed, and articles are generated one at a time so the
scaling benchmark never holds a whole corpus in memory.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from extractor.parse.document import parse_document

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures" / "articles"
SEED_DIR = REPO.parent / "shared" / "seed"
# Below this many source paragraphs the fixtures alone make a monotonous corpus.
MIN_FIXTURE_PARAGRAPHS = 60
MIN_PARAGRAPH_WORDS = 6

# Numbers worth re-drawing: grouped thousands, decimals, and runs of three or more digits.
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,}")
YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class Source:
    """The raw material: paragraphs and titles, and where they came from."""

    paragraphs: tuple[str, ...]
    titles: tuple[str, ...]
    origin: str

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


def load_source() -> Source:
    """Paragraphs from the fixture pages, topped up with the seed page copy when scarce."""
    paragraphs: list[str] = []
    titles: list[str] = []
    pages = sorted(FIXTURES.glob("*/page.html"))
    for page in pages:
        _collect(page, paragraphs, titles)
    origin = f"{len(pages)} fixture page(s)"
    if len(paragraphs) < MIN_FIXTURE_PARAGRAPHS and SEED_DIR.is_dir():
        seeds = sorted(SEED_DIR.glob("*.txt"))
        for seed in seeds:
            _collect(seed, paragraphs, titles)
        origin += f" + {len(seeds)} seed text(s) from ../shared/seed"
    if not paragraphs:
        raise SystemExit(
            "bench: no source text; add fixture pages under fixtures/articles/*/page.html"
        )
    unique = tuple(dict.fromkeys(paragraphs))
    return Source(unique, tuple(dict.fromkeys(titles)) or ("Trade report",), origin)


def _collect(path: Path, paragraphs: list[str], titles: list[str]) -> None:
    article = parse_document(path.read_text(encoding="utf-8", errors="replace"))
    if article.title:
        titles.append(article.title)
    for block in article.blocks:
        if block.section in ("body", "summary") and len(block.text.split()) >= MIN_PARAGRAPH_WORDS:
            paragraphs.append(block.text)


def fresh_figures(text: str, rng: random.Random) -> str:
    """Re-draw the digits of every multi-digit figure, keeping years and the figure's shape."""

    def redraw(match: re.Match[str]) -> str:
        number = match.group(0)
        if YEAR.fullmatch(number):
            return number
        digits = [
            (str(rng.randint(1, 9)) if i == 0 and ch != "0" else str(rng.randint(0, 9)))
            if ch.isdigit()
            else ch
            for i, ch in enumerate(number)
        ]
        return "".join(digits)

    return NUMBER.sub(redraw, text)


def recombined_paragraphs(source: Source, words: int, seed: int = 7) -> list[str]:
    """About `words` words of news paragraphs, recombined from the source with fresh figures."""
    rng = random.Random(seed)
    out: list[str] = []
    total = 0
    while total < words:
        paragraph = fresh_figures(rng.choice(source.paragraphs), rng)
        out.append(paragraph)
        total += len(paragraph.split())
    return out


def article_page(source: Source, number: int, words: int, rng: random.Random) -> str:
    """One article as an HTML page: a fixture title, a date, ~`words` words of paragraphs."""
    title = rng.choice(source.titles)
    published = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
    body: list[str] = []
    total = 0
    while total < words:
        paragraph = fresh_figures(rng.choice(source.paragraphs), rng)
        body.append(f"<p>{html.escape(paragraph)}</p>")
        total += len(paragraph.split())
    paragraphs_html = "\n".join(body)
    return (
        "<!doctype html><html><head>"
        f"<title>{html.escape(title)}</title>"
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'<link rel="canonical" href="https://bench.invalid/articles/{number}">'
        f"</head><body><article><h1>{html.escape(title)}</h1>\n{paragraphs_html}\n"
        "</article></body></html>"
    )


def article_pages(source: Source, count: int, words: int, seed: int = 11) -> Iterator[str]:
    """`count` article pages, generated lazily one at a time (never a list of them)."""
    rng = random.Random(seed)
    for number in range(count):
        yield article_page(source, number, words, rng)

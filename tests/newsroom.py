"""Three short news pages of our own writing (illustrative 2016 figures) and the facts a reader
finds in them, for the store and Datasette tests.

The pages go through the real parser; each fact is located in the parsed text (its evidence
sentence, its span and its section come from the Article, not from constants), so the facts
are what the fact layer would store. Three outlets report overlapping and conflicting figures,
which is what the canned queries are for. The fixture corpus (fixtures/articles) is ingested
beside them through the real extractor by `build_store`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from extractor.extract.facts import extract_facts
from extractor.models import Article, Fact
from extractor.parse.document import parse_document
from extractor.store.db import open_db, save_article

# A sentence ends at . ! or ? followed by a space or the end ("8.6%" does not end one).
SENTENCE = re.compile(r".+?(?:[.!?](?=\s|$)|$)", re.S)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"


def page(outlet: str, published: str, url: str, title: str, body: str) -> str:
    return f"""<!doctype html><html><head><title>{title}</title>
<link rel="canonical" href="{url}">
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{published}">
</head><body><nav>Home | Markets | Economy</nav><article><h1>{title}</h1>{body}</article>
<footer>Copyright {outlet}</footer></body></html>"""


@dataclass
class Story:
    url: str
    html: str
    # (surface, fields): the number as written, and the fact's fields
    facts: list[tuple[str, dict]] = field(default_factory=list)


VIETNAM = "Vietnam"
STORIES = [
    Story(
        url="http://127.0.0.1/mekong-ledger/vietnam-2016-trade",
        html=page(
            "Mekong Ledger",
            "2017-01-05",
            "http://127.0.0.1/mekong-ledger/vietnam-2016-trade",
            "Vietnam's exports climb in 2016 as phone shipments surge",
            """<div class="key-points"><h2>Key points</h2><ul>
<li>Exports up 8.6% for the year, led by phones.</li></ul></div>
<p>Vietnam's exports rose 8.6% from a year earlier to $175.9 billion in 2016, the statistics
office said on Thursday.</p>
<p>Imports increased 5.2% to $173.3 billion over the same period, leaving a small surplus.</p>
<p>Phone exports jumped 14.1% to $34.3 billion, the largest single category.</p>
<p>In December alone, exports reached $16.2 billion, the office said.</p>""",
        ),
        facts=[
            (
                "$175.9 billion",
                dict(
                    metric="exports",
                    value=175.9e9,
                    unit="USD",
                    change=8.6,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity=VIETNAM,
                    kind="level+change",
                    pattern="level_with_change",
                ),
            ),
            (
                "$173.3 billion",
                dict(
                    metric="imports",
                    value=173.3e9,
                    unit="USD",
                    change=5.2,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity=VIETNAM,
                    kind="level+change",
                    pattern="level_with_change",
                ),
            ),
            (
                "$34.3 billion",
                dict(
                    metric="phone exports",
                    value=34.3e9,
                    unit="USD",
                    change=14.1,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity=VIETNAM,
                    kind="level+change",
                    pattern="level_with_change",
                ),
            ),
            (
                "$16.2 billion",
                dict(
                    metric="exports",
                    value=16.2e9,
                    unit="USD",
                    period="2016-12",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
        ],
    ),
    Story(
        url="http://127.0.0.1/saigon-wire/2016-shipments",
        html=page(
            "Saigon Business Wire",
            "2017-01-06",
            "http://127.0.0.1/saigon-wire/2016-shipments",
            "Vietnam shipments abroad hit a record in 2016",
            """<p>Vietnam shipped goods worth $175.9 billion abroad in 2016, official data
showed on Friday.</p>
<p>November exports were $15.1 billion, the office said in a separate release.</p>
<p>October exports came in at $14.6 billion, and exports for all of 2015 were revised to
$162.0 billion.</p>
<p>Exports to the United States grew 15.9% to $38.1 billion in 2016, making it the largest
market.</p>""",
        ),
        facts=[
            (
                "$175.9 billion",
                dict(
                    metric="goods exports",
                    value=175.9e9,
                    unit="USD",
                    period="2016",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "$15.1 billion",
                dict(
                    metric="exports",
                    value=15.1e9,
                    unit="USD",
                    period="2016-11",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "$14.6 billion",
                dict(
                    metric="exports",
                    value=14.6e9,
                    unit="USD",
                    period="2016-10",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "$162.0 billion",
                dict(
                    metric="exports",
                    value=162.0e9,
                    unit="USD",
                    period="2015",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "$38.1 billion",
                dict(
                    metric="exports",
                    value=38.1e9,
                    unit="USD",
                    change=15.9,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity=VIETNAM,
                    partner="United States",
                    kind="level+change",
                    pattern="bilateral_level_with_change",
                ),
            ),
        ],
    ),
    Story(
        url="http://127.0.0.1/andes-review/emerging-trade-2016",
        html=page(
            "Andes Commerce Review",
            "2017-01-10",
            "http://127.0.0.1/andes-review/emerging-trade-2016",
            "Copper slump and phone boom: emerging exporters in 2016",
            """<p>Vietnam's exports totalled about $176.6 billion in 2016, according to
customs estimates published this week.</p>
<p>Chile's copper exports slumped 22.5% in 2016 as prices stayed low.</p>
<p>Chile's trade surplus stood at $5.3 billion in 2016, the central bank said.</p>
<figure><figcaption>Vietnam's rice exports fell 7.7% in 2016.</figcaption></figure>""",
        ),
        facts=[
            (
                "$176.6 billion",
                dict(
                    metric="exports",
                    value=176.6e9,
                    unit="USD",
                    qualifier="~",
                    period="2016",
                    entity=VIETNAM,
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "22.5%",
                dict(
                    metric="copper exports",
                    change=-22.5,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity="Chile",
                    kind="change",
                    pattern="change_only",
                ),
            ),
            (
                "$5.3 billion",
                dict(
                    metric="trade surplus",
                    value=5.3e9,
                    unit="USD",
                    period="2016",
                    entity="Chile",
                    kind="level",
                    pattern="level",
                ),
            ),
            (
                "7.7%",
                dict(
                    metric="rice exports",
                    change=-7.7,
                    change_unit="percent",
                    change_basis="yoy",
                    period="2016",
                    entity=VIETNAM,
                    kind="change",
                    pattern="change_only",
                ),
            ),
        ],
    ),
]


def locate(article: Article, surface: str, fields: dict) -> Fact:
    """The fact stated by `surface` in the article: evidence, span and section from the text."""
    start = article.text.index(surface)
    block = next(b for b in article.blocks if b.start <= start < b.end)
    # The evidence is the sentence of the block that holds the number.
    sentences = [(m.start(), m.group()) for m in SENTENCE.finditer(block.text)]
    offset = start - block.start
    evidence = next(s for pos, s in sentences if pos <= offset < pos + len(s)).strip()
    return Fact(
        evidence=evidence,
        span=(start, start + len(surface)),
        section=block.section,
        **fields,
    )


def story_article(story: Story) -> Article:
    return parse_document(story.html, url=story.url)


def story_facts(story: Story) -> list[Fact]:
    article = story_article(story)
    return [locate(article, surface, fields) for surface, fields in story.facts]


def build_store(path: Path) -> dict[str, int]:
    """Our pages with their located facts, then every fixture page through the real pipeline.

    Returns article ids by URL for our stories.
    """
    db = open_db(path)
    ids = {}
    for story in STORIES:
        result = save_article(db, story_article(story), story_facts(story), http_status=200)
        ids[story.url] = result.article_id
    for html in sorted(FIXTURES.glob("*/page.html")):
        article = parse_document(html.read_text(encoding="utf-8"), url=html.resolve().as_uri())
        facts = extract_facts(article)
        if any(f.entity == VIETNAM for f in facts):
            continue  # the stories own Vietnam: the Datasette tests count its facts exactly
        save_article(db, article, facts, source="fixtures")
    db.close()
    return ids


def all_facts() -> list[Fact]:
    return [fact for story in STORIES for fact in story_facts(story)]

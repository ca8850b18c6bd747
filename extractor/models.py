"""Pydantic models carried between pipeline stages.

The fact fields and their meaning are the contract in SPEC.md (the `Fact` model). Every model
forbids unknown fields so a typo between stages fails loudly instead of silently dropping data.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Section = Literal["body", "summary", "timeline", "caption", "table", "headline"]
Qualifier = Literal["=", "~", ">", ">=", "<", "<="]
ChangeBasis = Literal["yoy", "mom", "qoq"]
# NewsQuant's notion of a quantity's "change": a level (=), a hedged level (~), a bound (> <),
# or a movement (up/down).
QuantityChange = Literal["=", "~", ">", "<", "up", "down"]
# What a fact states: a level, a change, a level with its change, the base a figure is
# compared with ("up from $2bn a year earlier"), or a row of a table.
FactKind = Literal["level", "change", "level+change", "comparison", "table-row"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Block(Model):
    """One unit of article text: a paragraph, a list item, a timeline entry, a caption.

    `start` is the offset of `text` inside `Article.text`, so spans found in a block map back
    to the article. `heading` carries a heading that governs the block (a timeline's "2021:").
    """

    section: Section = "body"
    text: str
    start: int = 0
    heading: str | None = None

    @property
    def end(self) -> int:
        return self.start + len(self.text)


class Article(Model):
    """A parsed page: metadata plus its main text split into blocks."""

    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    text: str = ""
    blocks: list[Block] = Field(default_factory=list)
    truncated: bool = False

    @property
    def content_hash(self) -> str:
        """Hash of the extracted text: catches the same article under two URLs."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @classmethod
    def from_blocks(cls, blocks: list[Block], **meta: object) -> Article:
        """Join blocks into one text (blank line between blocks) and fix their offsets."""
        placed: list[Block] = []
        offset = 0
        for block in blocks:
            placed.append(block.model_copy(update={"start": offset}))
            offset += len(block.text) + 2
        text = "\n\n".join(b.text for b in placed)
        return cls(text=text, blocks=placed, **meta)  # type: ignore[arg-type]


class Quantity(Model):
    """A number with its unit, as the quantity layer finds it in one sentence.

    A level and its change are separate quantities here ("dropped 7% to $2.3 billion" gives
    7 percent `down` and 2.3e9 USD `=`); the fact layer joins them.
    """

    value: float | None
    value_high: float | None = None
    unit: str | None = None
    unit_surface: str | None = None
    change: QuantityChange = "="
    qualifier: Qualifier = "="
    change_basis: ChangeBasis | None = None
    concept: str | None = None
    surface: str
    span: tuple[int, int]
    pattern: str
    # Added by the quantity layer (issue 3); see extractor/quantities.py for the conventions.
    # `direction`: the movement stated ("rose", "down", "a 3% drop", "+5%") even when a
    # qualifier wins `change` ("up about 19%" -> change "~", direction "up").
    direction: Literal["up", "down"] | None = None
    # `range_form`: "range" ("5-6%", "between 5% and 6%"; value low, value_high high) or
    # "from_to" ("from $36,040 to $34,935"; value = from, value_high = to, stated order).
    range_form: Literal["range", "from_to"] | None = None
    # `fraction`: a written share ("one-fifth" -> value 20.0, unit percent).
    fraction: bool = False
    # `bracketed`: the quantity sits in brackets, e.g. a conversion "(US$165 billion)".
    bracketed: bool = False
    # `trigger`: the change word, lowercased ("widened", "down", "drop"), so the fact layer can
    # reinterpret it (a deficit that "widened").
    trigger: str | None = None
    # `rules`: every pattern id that contributed (unit, scale, qualifier, change, basis).
    rules: list[str] = Field(default_factory=list)


class Mention(Model):
    """Another place where the same fact is stated (a summary box repeating the body)."""

    evidence: str
    span: tuple[int, int]
    section: Section = "body"


class Fact(Model):
    """One number stated in an article about one measured thing (SPEC.md, "The fact").

    A fact stated twice on a page is one fact: `evidence`/`span`/`section` give the first place,
    `mentions` the other places, so a reader (or the scorer) can find every statement of it.
    """

    metric: str
    value: float | None = None
    unit: str | None = None
    value_high: float | None = None
    qualifier: Qualifier = "="
    change: float | None = None
    change_unit: str | None = None
    change_basis: ChangeBasis | None = None
    period: str | None = None
    entity: str | None = None
    partner: str | None = None
    section: Section = "body"
    evidence: str
    span: tuple[int, int]
    kind: FactKind
    # "fact-<kind>:<rule id>" ("fact-table-row" for tables): stored, so kept in that form.
    pattern: str
    patterns_version: str = ""
    mentions: list[Mention] = Field(default_factory=list)


class ExtractResult(Model):
    """What `newsfacts extract` prints: the article's metadata and its facts."""

    article: ArticleSummary
    facts: list[Fact]


class ArticleSummary(Model):
    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    truncated: bool = False
    content_hash: str
    words: int

    @classmethod
    def of(cls, article: Article) -> ArticleSummary:
        return cls(
            url=article.url,
            canonical_url=article.canonical_url,
            title=article.title,
            published=article.published,
            outlet=article.outlet,
            truncated=article.truncated,
            content_hash=article.content_hash,
            words=len(article.text.split()),
        )


ExtractResult.model_rebuild()

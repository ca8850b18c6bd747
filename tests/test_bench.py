"""The benchmark's own machinery: the corpus it generates and one small scaling run.

Not a timing test: these check that what `make bench` measures is what it says it measures
(fresh figures, distinct articles, every article stored), so a broken harness fails here
rather than printing plausible numbers.
"""

from __future__ import annotations

import random
import re
import types

from bench import scale
from bench.corpus import article_pages, fresh_figures, load_source
from extractor.parse.document import parse_document


def test_fresh_figures_redraws_figures_but_keeps_years_and_shape() -> None:
    text = "Exports rose 7.2% to $758.3 billion in 2025, the first 10 months saw 1,234,567 TEU."
    out = fresh_figures(text, random.Random(1))
    assert out != text
    assert "in 2025" in out and "first 10 months" in out
    shape = re.sub(r"\d", "9", text)
    assert re.sub(r"\d", "9", out) == shape
    assert fresh_figures(text, random.Random(1)) == out  # deterministic for a seed


def test_article_pages_are_lazy_distinct_and_parse() -> None:
    source = load_source()
    pages = article_pages(source, 25, 120)
    assert isinstance(pages, types.GeneratorType)
    articles = [parse_document(page) for page in pages]
    assert len({a.canonical_url for a in articles}) == 25
    assert len({a.content_hash for a in articles}) == 25
    for article in articles:
        assert article.published is not None
        assert len(article.text.split()) >= 120


def test_scale_run_stores_every_article(tmp_path) -> None:
    report = scale.run(12, tmp_path / "scale.db", 80)
    assert report["done"] == 12 and report["stored"] == 12
    assert report["checkpoints"][-1]["articles"] == 12
    assert report["rss_peak_self_mb"] > 0 and report["words"] >= 12 * 80

"""Words per second of each layer over the same text, in one process, best of N runs.

Every measurement runs over the same list of articles (and their blocks): the bare
`spacy.blank("en")` tokenizer is the practical limit for a spaCy-based extractor, quantulum3 is
the peer, and the quantity layer and the fact layer (`extract`) are ours. Words are counted the
same way for all of them (whitespace-separated), so the ratios compare like with like.

Timing is the best (shortest) of `repeats` wall-clock runs, the usual way to read through noise
from other processes on a shared machine; the CPU time of that run is reported next to it.
"""

from __future__ import annotations

import gc
import importlib
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from extractor.models import Article


@dataclass
class Timing:
    name: str
    words: int
    wall_s: float | None
    cpu_s: float | None
    note: str = ""

    @property
    def wps(self) -> float | None:
        return self.words / self.wall_s if self.wall_s else None

    @property
    def cpu_wps(self) -> float | None:
        return self.words / self.cpu_s if self.cpu_s else None


def timed(
    name: str, items: list[Any], words: int, call: Callable[[Any], object], repeats: int
) -> Timing:
    """Best-of-`repeats` time of `call` over every item, after a short warm-up."""
    for item in items[:3]:  # load patterns, build matchers, fill lazy imports
        call(item)
    best: tuple[float, float] | None = None
    for _ in range(repeats):
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for item in items:
            call(item)
        run = (time.perf_counter() - wall0, time.process_time() - cpu0)
        best = run if best is None or run[0] < best[0] else best
    assert best is not None
    return Timing(name, words, best[0], best[1])


def missing(name: str, words: int, why: str) -> Timing:
    return Timing(name, words, None, None, note=why)


def block_texts(articles: Iterable[Article]) -> list[str]:
    return [block.text for article in articles for block in article.blocks]


def tokenizer(texts: list[str], words: int, repeats: int) -> Timing:
    import spacy

    nlp = spacy.blank("en")
    return timed('spacy.blank("en") tokenizer', texts, words, nlp.tokenizer, repeats)


def quantity_layer(texts: list[str], words: int, repeats: int) -> Timing:
    """The quantity layer alone: our nlp (tokenizer + our components) and find_quantities."""
    name = "quantity layer (get_nlp + find_quantities)"
    try:
        nlp_module = importlib.import_module("extractor.nlp")
        quantities = importlib.import_module("extractor.quantities")
        nlp = nlp_module.get_nlp()
        find = quantities.find_quantities
    except (ImportError, AttributeError) as exc:
        return missing(name, words, f"not built yet ({exc})")
    return timed(name, texts, words, lambda text: find(nlp(text)), repeats)


def fact_layer(articles: list[Article], words: int, repeats: int) -> Timing:
    """`extract` (layer 2): facts from parsed articles; HTML parsing is measured apart."""
    from extractor.extract import extract_facts

    return timed(
        "extract (extract_facts on parsed articles)", articles, words, extract_facts, repeats
    )


def extract_document(pages: list[str], words: int, repeats: int) -> Timing:
    """The whole `newsfacts extract` path per page: HTML parse + extract."""
    from extractor.pipeline import extract_document as run

    return timed("extract_document (HTML parse + extract)", pages, words, run, repeats)


def html_parse(pages: list[str], words: int, repeats: int) -> Timing:
    from extractor.parse import parse_document

    return timed("parse_document (HTML parse alone)", pages, words, parse_document, repeats)


def quantulum3(texts: list[str], words: int, repeats: int) -> Timing:
    name = "quantulum3 parser.parse"
    try:
        with warnings.catch_warnings():
            # Without scikit-learn quantulum3 warns that its unit classifier is off; it then
            # disambiguates units by rules, which is the faster of its two modes.
            warnings.simplefilter("ignore")
            from quantulum3 import parser
    except ImportError:
        return missing(name, words, "not installed: pip install -e '.[bench]'")
    return timed(name, texts, words, parser.parse, repeats)

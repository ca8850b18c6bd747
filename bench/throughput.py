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


@dataclass
class Case:
    """One thing to time: `call` over every item; `repeats` caps its runs (quantulum3: 1)."""

    name: str
    items: list[Any]
    call: Callable[[Any], object] | None
    note: str = ""
    repeats: int | None = None
    # Builds a fresh `call` before each timed run (untimed), for callers with caches that
    # would otherwise be warm from the previous run (the tokenizer's).
    fresh: Callable[[], Callable[[Any], object]] | None = None


def run_cases(cases: list[Case], words: int, repeats: int) -> list[Timing]:
    """Best-of-`repeats` times, the cases interleaved round by round, so a burst of load from
    another process hits all of them alike instead of one case's every run."""
    for case in cases:
        for item in case.items[:3] if case.call else []:  # load patterns, build matchers
            try:
                case.call(item)
            except Exception:  # counted in the timed runs below
                pass
    best: dict[str, tuple[float, float]] = {}
    failures: dict[str, int] = {}
    errors: dict[str, str] = {}
    for round_ in range(repeats):
        for case in cases:
            if case.call is None or round_ >= (case.repeats or repeats):
                continue
            call = case.fresh() if case.fresh else case.call
            gc.collect()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            failed = 0
            for item in case.items:
                try:
                    call(item)
                except Exception as exc:  # a bug in one layer must not void the whole run
                    failed += 1
                    errors.setdefault(case.name, f"{type(exc).__name__}: {exc}"[:160])
            run = (time.perf_counter() - wall0, time.process_time() - cpu0)
            if failed:
                failures[case.name] = max(failures.get(case.name, 0), failed)
            if case.name not in best or run[0] < best[case.name][0]:
                best[case.name] = run
    return [
        Timing(
            c.name,
            words,
            *best.get(c.name, (None, None)),  # type: ignore[arg-type]
            note=c.note
            or (
                f"{failures[c.name]} of {len(c.items)} inputs raised, e.g. {errors[c.name]}"
                if c.name in failures
                else ""
            ),
        )
        for c in cases
    ]


def block_texts(articles: Iterable[Article]) -> list[str]:
    return [block.text for article in articles for block in article.blocks]


def tokenizer(texts: list[str]) -> Case:
    """The baseline, a fresh `spacy.blank("en")` for every run: its cache starts cold and warms
    over the text as it would on 200,000 words of real news. Reused across runs it would be
    all cache hits on our recombined corpus (whose vocabulary is small) and read ~5x faster
    than any real first pass."""
    import spacy

    def fresh() -> Callable[[Any], object]:
        return spacy.blank("en").tokenizer

    return Case('spacy.blank("en") tokenizer', texts, fresh(), fresh=fresh)


def quantity_layer(texts: list[str]) -> Case:
    """The quantity layer alone: our nlp (tokenizer + our components) and find_quantities."""
    name = "quantity layer (get_nlp + find_quantities)"
    try:
        nlp = importlib.import_module("extractor.extract.nlp").get_nlp()
        find = importlib.import_module("extractor.extract.quantities").find_quantities
    except (ImportError, AttributeError) as exc:
        return Case(name, [], None, note=f"not built yet ({exc})")
    return Case(name, texts, lambda text: find(nlp(text)))


def fact_layer(articles: list[Article]) -> Case:
    """`extract` (layer 2): facts from parsed articles; HTML parsing is measured apart."""
    from extractor.extract.facts import extract_facts

    return Case("extract (extract_facts on parsed articles)", articles, extract_facts)


def extract_document(pages: list[str]) -> Case:
    """The whole `newsfacts extract` path per page: HTML parse + extract."""
    from extractor.pipeline import extract_document as run

    # Once: it is extract plus parse, both timed on their own; a repeat would add little.
    return Case("extract_document (HTML parse + extract)", pages, run, repeats=1)


def html_parse(pages: list[str]) -> Case:
    from extractor.parse.document import parse_document

    return Case("parse_document (HTML parse alone)", pages, parse_document)


def quantulum3(texts: list[str]) -> Case:
    """The peer, once: at ~1/20 of our speed, repeating it would dominate the run."""
    name = "quantulum3 parser.parse"
    try:
        with warnings.catch_warnings():
            # Without scikit-learn quantulum3 warns that its unit classifier is off; it then
            # disambiguates units by rules, which is the faster of its two modes.
            warnings.simplefilter("ignore")
            from quantulum3 import parser
    except ImportError:
        return Case(name, [], None, note="not installed: pip install -e '.[bench]'")
    return Case(name, texts, parser.parse, repeats=1)

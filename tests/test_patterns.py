"""Every example of every entry in every patterns/*.jsonl file is a test.

How an example is checked depends on the family:
- quantity-layer lexicons (numbers, units, unit_denominators, qualifiers, changes, bases): the
  sentence is run through the quantity layer and the entry "matches" when its id is among the
  `rules` of a quantity found, so the example proves the entry is used, not only present;
- every other family (blockers in quantities.jsonl, and families other layers add: entities,
  periods, metrics, ...): token patterns run through a spaCy Matcher, phrase patterns (strings)
  through a PhraseMatcher on the entry's `attr` (default LOWER), both on the shared tokenizer.
  A family whose entries need a stronger check registers a function in SEMANTIC_CHECKS.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.matcher import Matcher, PhraseMatcher

from extractor.extract.nlp import get_nlp
from extractor.extract.quantities import quantities_in_text
from extractor.patterns import PatternBase, PeriodPattern, load_family, pattern_files
from extractor.vocabulary import month_example_matches


def uses_entry(entry: PatternBase, text: str) -> bool:
    return any(entry.id in q.rules for q in quantities_in_text(text))


def blocks_numbers(entry: PatternBase, text: str) -> bool:
    """A not-quantity pattern: it matches, and no quantity overlaps what it matched."""
    spans = matcher_spans(entry, text)
    if not spans:
        return False
    found = quantities_in_text(text)
    return not any(q.span[0] < end and start < q.span[1] for start, end in spans for q in found)


SEMANTIC_CHECKS: dict[str, Callable[[PatternBase, str], bool]] = {
    "numbers": uses_entry,
    "units": uses_entry,
    "unit_denominators": uses_entry,
    "qualifiers": uses_entry,
    "changes": uses_entry,
    "bases": uses_entry,
    "quantities": blocks_numbers,
    "months": month_example_matches,
}


def matcher_spans(entry: PatternBase, text: str) -> list[tuple[int, int]]:
    nlp = get_nlp()
    doc = nlp.make_doc(text)
    if isinstance(entry.pattern, list):
        matcher = Matcher(nlp.vocab, validate=True)
        matcher.add(entry.id, [entry.pattern])
    else:
        matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        matcher.add(entry.id, [nlp.make_doc(entry.pattern)])
    return [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for _, s, e in matcher(doc)]


def family_hook(family: str) -> Callable[[PatternBase, str], bool] | None:
    """A family's own module may say how its examples are checked: `example_matches`."""
    for name in (f"extractor.{family}", f"extractor.extract.{family}"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return getattr(module, "example_matches", None)
    return None


def generic_match(entry: PatternBase, text: str) -> bool:
    return bool(matcher_spans(entry, text))


def all_examples() -> list[tuple[str, str, str, bool]]:
    cases = []
    for path in pattern_files():
        for entry in load_family(path.stem):
            for text in entry.examples.match:
                cases.append((path.stem, entry.id, text, True))
            for text in entry.examples.no_match:
                cases.append((path.stem, entry.id, text, False))
    return cases


CASES = all_examples()


@pytest.mark.parametrize(
    ("family", "entry_id", "text", "expected"),
    CASES,
    ids=[f"{f}:{i}:{'match' if m else 'no_match'}:{n}" for n, (f, i, _, m) in enumerate(CASES)],
)
def test_pattern_example(family: str, entry_id: str, text: str, expected: bool) -> None:
    entry = next(e for e in load_family(family) if e.id == entry_id)
    check = SEMANTIC_CHECKS.get(family) or family_hook(family)
    if check is None:
        if isinstance(entry, PeriodPattern):
            hook = f"example_matches(entry, text) to extractor/extract/{family}.py"
            pytest.skip(f"{family}.jsonl holds regexes: add {hook}")
        check = generic_match
    assert check(entry, text) is expected, f"{family}.jsonl {entry_id}: {text!r}"


def test_every_pattern_file_loads_and_most_entries_have_examples() -> None:
    files = pattern_files()
    assert {p.stem for p in files} >= {"numbers", "units", "qualifiers", "changes", "bases"}
    for path in files:
        entries = load_family(path.stem)
        assert entries, f"{path.name} is empty"
        with_examples = [e for e in entries if e.examples.match or e.examples.no_match]
        assert len(with_examples) >= len(entries) // 2, f"{path.name}: too few examples"


def test_examples_are_our_own_sentences_not_evaluation_data() -> None:
    gold = Path("/work/shared/eval/newsquant-dev.jsonl")
    if not gold.exists():
        pytest.skip("evaluation data not on this machine")
    eval_text = gold.read_text(encoding="utf-8")
    for _, _, text, _ in CASES:
        assert len(text) < 30 or text not in eval_text

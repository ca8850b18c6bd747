"""The trie alternation matches exactly what the flat longest-first alternation matches."""

import re

import pytest

from extractor.phrases import phrase_alternation

PHRASES = ["export duties", "exports", "export", "exp", "imports", "import", "trade balance", "t"]
TEXTS = [
    "Exports rose while export duties fell; imports and import  duties, exp. trade   balance.",
    "exportsx export-led t trade balancer importer",
    "",
]


def flat(phrases: list[str], escape) -> str:
    return "(?:" + "|".join("".join(escape(c) for c in p) for p in phrases) + ")"


@pytest.mark.parametrize("text", TEXTS)
def test_same_matches_as_flat_alternation(text: str) -> None:
    phrases = sorted(PHRASES, key=len, reverse=True)

    def escape(c: str) -> str:
        return re.escape(c).replace(r"\ ", r"\s+")

    old = re.compile(r"(?<![A-Za-z])" + flat(phrases, escape) + r"(?![A-Za-z])", re.I)
    new = re.compile(
        r"(?<![A-Za-z])" + phrase_alternation(phrases, escape=escape) + r"(?![A-Za-z])", re.I
    )
    assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)]


def test_tail_belongs_to_its_phrase() -> None:
    regex = re.compile(phrase_alternation(["EU28", "EU"], tail=lambda p: r"(?![A-Za-z])"))
    assert [m[0] for m in regex.finditer("EU28exports EU28 EUx EU")] == ["EU", "EU28", "EU"]


def test_prefix_of_a_longer_phrase_still_matches() -> None:
    regex = re.compile(phrase_alternation(["exports", "export"]) + r"\b")
    assert [m[0] for m in regex.finditer("export exports exporter")] == ["export", "exports"]

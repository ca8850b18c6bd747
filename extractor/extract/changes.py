"""Movement words and comparison bases as lookups: "rose" -> up, "year on year" -> yoy
(`patterns/changes.jsonl`, `patterns/bases.jsonl`).
"""

from __future__ import annotations

import re
from functools import cache

from extractor.patterns import load_family
from extractor.phrases import phrase_alternation


@cache
def change_words() -> dict[str, str]:
    """Every movement word of `patterns/changes.jsonl` -> 'up' / 'down'."""
    words: dict[str, str] = {}
    for entry in load_family("changes"):
        direction = entry.direction
        pattern = entry.pattern
        if isinstance(pattern, str):
            words.setdefault(pattern.lower(), direction)
            continue
        for token in pattern:
            for key in ("LOWER", "ORTH", "TEXT"):
                spec = token.get(key)
                if isinstance(spec, dict):
                    for word in spec.get("IN", []):
                        words.setdefault(str(word).lower(), direction)
                elif isinstance(spec, str):
                    words.setdefault(spec.lower(), direction)
    words.pop("+", None)
    for word in ("shrunk", "shrank", "lost", "narrowed", "narrowing", "below", "less", "lower"):
        words.setdefault(word, "down")
    for word in ("higher", "more", "above", "widened", "added", "larger", "bigger", "wider"):
        words.setdefault(word, "up")
    for word in ("smaller", "narrower"):
        words.setdefault(word, "down")
    return words


@cache
def basis_regex() -> re.Pattern[str]:
    phrases = {}
    for entry in load_family("bases"):
        phrases[entry.pattern.lower()] = entry.basis
    alternation = phrase_alternation(sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<![A-Za-z])" + alternation + r"(?![A-Za-z])", re.IGNORECASE)


@cache
def basis_table() -> dict[str, str]:
    return {e.pattern.lower(): e.basis for e in load_family("bases")}


def find_bases(text: str) -> list[tuple[int, int, str]]:
    table = basis_table()
    return [(m.start(), m.end(), table.get(m[0].lower(), "")) for m in basis_regex().finditer(text)]


def direction_word_before(text: str) -> str | None:
    """The movement of the last change word in `text`."""
    table = change_words()
    for m in reversed(list(re.finditer(r"[A-Za-z]+", text))):
        direction = table.get(m[0].lower())
        if direction:
            return direction
    return None

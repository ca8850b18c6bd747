"""Regex alternations over long phrase lists (cue words, gazetteer aliases, basis phrases),
written as a character trie.

`(?:exports|export duties|imports|...)` makes Python's `re` try every alternative at every
position it reaches; with a few hundred phrases that was most of the time of `find_cues` and
`find_entities`. Factoring the shared prefixes (`(?:export(?:\\s+duties|s)|imports|...)`)
lets one failed character rule out a whole branch, and matches exactly what the flat
alternation matches: at any node the alternatives that could match begin with the same
characters, so their order is kept, and a phrase that ends at a node is tried after every
longer phrase through it, as in the flat list sorted longest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_END = ""  # trie key of "a phrase ends here"


def phrase_alternation(
    phrases: Iterable[str],
    escape: Callable[[str], str] = re.escape,
    tail: Callable[[str], str] | None = None,
) -> str:
    """A regex for "any of `phrases`", longer phrases winning over their own prefixes.

    `escape` turns one character into regex source (e.g. a space into `\\s+`); `tail` gives
    the lookahead that must follow a given phrase (empty by default)."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[_END] = {"tail": (tail(phrase) if tail else "")}
    return _emit(root, escape)


def _emit(node: dict[str, dict], escape: Callable[[str], str]) -> str:
    branches = [escape(char) + _emit(child, escape) for char, child in node.items() if char]
    if _END in node:
        branches.append(node[_END]["tail"])  # after every longer phrase through this node
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"

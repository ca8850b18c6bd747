"""English plurals to singulars, for unit names (NewsQuant's "worker") and metric words
("soybean exports").
"""

from __future__ import annotations

IRREGULAR_PLURALS = {
    "people": "people",
    "men": "man",
    "women": "woman",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "mice": "mouse",
    "series": "series",
    "species": "species",
    "news": "news",
}


def singular(noun: str) -> str:
    """A counted noun in NewsQuant's singular form ("workers" -> "worker")."""
    words = noun.lower().split()
    if not words:
        return noun
    last = words[-1]
    if last in IRREGULAR_PLURALS:
        last = IRREGULAR_PLURALS[last]
    elif last.endswith("ies") and len(last) > 4:
        last = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes", "ruses", "nuses", "buses")):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")):
        last = last[:-1]
    return " ".join([*words[:-1], last])

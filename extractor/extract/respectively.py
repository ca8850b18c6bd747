"""'respectively': which subject each of a sentence's numbers belongs to ("A and B rose 3% and
4%, respectively"), as entities or as metric phrases."""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.extract import metrics
from extractor.extract.changes import change_words
from extractor.extract.fields import Sentence, entity_candidates


def respectively_targets(
    s: Sentence, clause: int, groups: list[int], previous: str | None = None
) -> list[tuple[str, object]]:
    """For 'A and B rose 3% and 4%, respectively': one subject per group, as ('entity', e) or
    ('metric', phrase) pairs; [] when the subject list does not fit the groups."""
    if not s.respectively or len(groups) < 2:
        return []
    c_start = s.clauses[clause][0]
    first = s.groups[groups[0]].start
    ents = entity_candidates(s, c_start, first)
    ents = [e for e in ents if e.kind != "demonym"]
    if len(ents) == len(groups):
        return [("entity", e) for e in ents]
    cues = [c for c in s.cues if c.kind == "noun" and c_start <= c.start and c.end <= first]
    cues = [c for c in cues if c.category not in ("growth",)]
    # "export volumes": a compound of two cue words is one metric word, ending at the last
    ends = {c.start: c.end for c in cues}
    cues = [c for i, c in enumerate(cues) if i == 0 or s.text[cues[i - 1].end : c.start] != " "]
    for i, c in enumerate(cues):
        end = c.end
        while end + 1 in ends:
            end = ends[end + 1]
        cues[i] = replace(c, end=end)
    blocked = [(e.start, e.end) for e in s.entities]
    if len(cues) == len(groups):
        return [("metric", metrics.build(s.text, c, blocked)) for c in cues]
    if len(cues) == 1:
        # "Coffee and cocoa exports rose 4% and 9%": coordinated modifiers share the cue
        head = s.text[c_start : cues[0].start]
        coord = re.search(r"((?:[A-Za-z-]+,\s+)*[A-Za-z-]+(?:,)?\s+and\s+[A-Za-z-]+)\s*$", head)
        if coord:
            mods = [m.strip().lower() for m in re.split(r",\s*(?:and\s+)?|\s+and\s+", coord[1])]
            mods = [m for m in mods if m]
            if len(mods) == len(groups):
                return [("metric", f"{m} {cues[0].name}") for m in mods]
        post = metrics.of_phrase(s.text, cues[0].end)
        parts = [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", post) if p.strip()]
        if len(parts) == len(groups):
            return [
                (
                    "metric",
                    f"{cues[0].name if cues[0].category != 'sales' else 'sales'} of {p.lower()}",
                )
                for p in parts
            ]
    pair = len(cues) == 1 and re.fullmatch(r"\w+ and \w+", cues[0].text.lower())
    if pair and len(groups) == 2 and " and " not in s.text[cues[0].end : first]:
        # "Exports and imports rose 3% and 4%, respectively": each of the pair (not in "...
        # imports and exports in the first and second quarters reached ...")
        return [("metric", word) for word in cues[0].text.lower().split(" and ")]
    # "Machinery and optical goods did well, with orders up 7% and 5%, respectively";
    # "... offset by metals, chemicals and plastics, which fell 2%, 20% and 3%, respectively":
    # the listed things, each with the clause's metric noun or the one talked about before
    noun = cues[0].name if len(cues) == 1 else metrics.head_noun(previous)
    items = _listed_things(s.text[:first], len(groups))
    if noun and items and not any(metrics.head_noun(item) for item in items):
        return [("metric", f"{item} {noun}") for item in items]
    return []


def _listed_things(head: str, count: int) -> list[str]:
    """The `count` coordinated noun phrases that a 'respectively' sentence pairs with its
    numbers: the list before ', which', else the sentence's subject; [] when none fits."""
    which = list(re.finditer(r",?\s+which\s+", head))
    words = re.findall(r"[A-Za-z][\w-]*|,", head[: which[-1].start()] if which else head)
    if which:
        words.reverse()  # walk back from ', which'; else forward from the sentence start
    kept: list[str] = []
    for w in words:
        if w != "," and _ends_subject(w):
            break
        kept.append(w)
    if which:
        kept.reverse()
    phrase = " ".join(kept).replace(" ,", ",")
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+)?", phrase) if p.strip()]
    if 0 < len(parts) < count and " and " in parts[-1]:
        a, b = parts[-1].split(" and ", 1)
        parts = [*parts[:-1], a, b]
    if len(parts) != count:
        return []
    items = []
    for p in parts:
        words = p.split()
        if len(words) > 1 and words[0].lower().endswith("ing"):
            words = words[1:]  # "underperforming basic metals"
        if not 1 <= len(words) <= 4 or any(w[0].isupper() for w in words[1:]):
            return []
        items.append(" ".join(words).lower())
    if any(w[0].isupper() for w in " ".join(parts[1:]).split()):
        return []  # names are entities, which the entity pairing handles
    return items


def _ends_subject(word: str) -> bool:
    low = word.lower()
    return low != "and" and (low in metrics.STOP_BEFORE or low in change_words())

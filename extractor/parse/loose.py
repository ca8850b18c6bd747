"""Text that sits loose in containers rather than in <p> elements: old `<div>` pages.

Some pages (old CMS templates, press-release mailers turned into pages) put the body straight
into a <div> as text nodes separated by <br> line breaks, with no <p> at all. Two things make
such pages readable:

- `split_run` cuts a run of loose text into paragraphs the way a browser shows it: a blank
  line (<br><br>, or an empty line in the text) always ends a paragraph; a single <br> ends one
  only after a full sentence or a short label line, because hard-wrapped prose breaks lines
  mid-sentence ("rose 12% to<br>$3.4 billion") and the halves are not sentences on their own.
- `bare_text_root` finds the content container of a page with no <p> paragraphs. Without
  <p> to go by, <body> is all there is, and navigation or footers written as bare <div> text
  would read as article text. The container is the one holding the most prose (runs that read
  like sentences and are not mostly link text), widened to its parent while the parent's other
  children add a fifth as much prose again or more (a body split over sibling divs).
"""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

from extractor.parse.blocks import BR, INLINE_TAGS, clean_text, is_prose, section_of

PARAGRAPH_BREAK = re.compile(rf"{BR}\s*{BR}|\n[ \t\r\f\v]*\n")
LINE_END = re.compile(r"[.!?:;。！？：；][\"'”’)\]]*$")
WRAPPED_LINE_WORDS = 5  # a shorter line with no full stop is a label, heading or dateline
WIDEN_SHARE = 0.2  # the parent's other prose, as a share of the container's, that widens it


def split_run(run: list[str]) -> list[str]:
    """The paragraphs (cleaned, possibly empty) of a run of text nodes and BR markers."""
    out: list[str] = []
    for paragraph in PARAGRAPH_BREAK.split(" ".join(run)):
        kept = ""
        for line in paragraph.split(BR):
            line = clean_text(line.replace("\n", " ").replace("\r", " "))
            if not line:
                continue
            kept = f"{kept} {line}" if kept else line
            if LINE_END.search(line) or len(line.split()) < WRAPPED_LINE_WORDS:
                out.append(kept)
                kept = ""
        if kept:
            out.append(kept)
    return out


def bare_text_root(root: Tag) -> Tag:
    """The content container inside `root` of a page without prose <p> paragraphs (or `root`
    itself when nothing inside it holds prose). One iterative walk: no recursion limit on
    deeply nested markup, and no per-node climb of ancestors."""
    totals: dict[int, float] = {}  # prose characters under each container, by id()
    own: dict[int, float] = {}  # prose characters held directly by each container
    nodes: dict[int, Tag] = {id(root): root}
    # Each frame: the container, its children still to visit, the current run of
    # (text, linked) pieces, its own prose and its subtree's prose so far.
    frames: list[list] = [[root, iter(root.children), [], 0.0, 0.0]]
    while frames:
        frame = frames[-1]
        node = next(frame[1], None)
        if node is None or (isinstance(node, Tag) and (node.name not in INLINE_TAGS)):
            frame[3] += _prose_chars(frame[2])
        if node is None:
            frames.pop()
            key = id(frame[0])
            own[key] = frame[3]
            totals[key] = frame[3] + frame[4]
            if frames:
                frames[-1][4] += totals[key]
            continue
        if not isinstance(node, Tag):
            if isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
                frame[2].append((str(node), False))
            continue
        if section_of(node, "body") is None:
            continue  # furniture: navigation, footers, scripts, share bars
        if node.name == "br":  # a menu's link line and a prose line are judged apart
            frame[3] += _prose_chars(frame[2])
        elif node.name in INLINE_TAGS:
            frame[2].append((node.get_text(" "), node.name == "a" or node.find("a") is not None))
        else:
            nodes[id(node)] = node
            frames.append([node, iter(node.children), [], 0.0, 0.0])
    best = max(own, key=lambda k: own[k], default=None)
    if best is None or own[best] <= 0:
        return root
    chosen = nodes[best]
    while chosen is not root and isinstance(chosen.parent, Tag):
        parent = chosen.parent
        if totals[id(parent)] - totals[id(chosen)] < WIDEN_SHARE * totals[id(chosen)]:
            break
        chosen = parent
    return chosen


def _prose_chars(run: list[tuple[str, bool]]) -> float:
    """Characters of prose in a run (then emptied): link-heavy text (a menu) counts nothing."""
    if not run:
        return 0.0
    text = clean_text(" ".join(t for t, _ in run).replace("\n", " "))
    linked = sum(len(clean_text(t)) for t, is_link in run if is_link)
    run.clear()
    if not text or linked * 2 >= len(text) or not is_prose(text):
        return 0.0
    return float(len(text))

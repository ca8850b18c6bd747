"""Main-text extraction: our BeautifulSoup rules vs trafilatura, on fixtures/articles/*/page.html.

Not a test; run `python bench/compare_trafilatura.py`. For each page it asks both extractors
for the main text and scores it against the page's hand-checked facts (expected.json):

- evidence recall: share of expected evidence sentences found in the extracted text (a missed
  sentence is a fact that can never be extracted);
- section accuracy: share of found evidence that sits in the section the gold says (summary,
  timeline, caption, table, body); trafilatura returns plain text, so everything is "body";
- words: how much text came out (more than the evidence needs is furniture or background);
- ms/page.

trafilatura is an optional comparison only: it is not a dependency of newsfacts.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from extractor.parse.blocks import clean_text
from extractor.parse.html import parse_html

ROOT = Path(__file__).resolve().parent.parent


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", clean_text(text)).strip().lower()


def ours(html: str) -> list[tuple[str, str]]:
    return [(b.section, b.text) for b in parse_html(html).blocks]


def theirs(html: str) -> list[tuple[str, str]]:
    import trafilatura

    text = trafilatura.extract(html, include_tables=True, include_comments=False) or ""
    return [("body", line) for line in text.splitlines() if line.strip()]


def score(blocks: list[tuple[str, str]], facts: list[dict]) -> tuple[int, int, int, int]:
    joined = norm(" \n ".join(t for _, t in blocks))
    found = in_section = 0
    evidences = {(norm(f["evidence"]), f.get("section", "body")) for f in facts}
    for evidence, section in evidences:
        if evidence in joined:
            found += 1
            home = [s for s, t in blocks if evidence in norm(t)]
            in_section += section in home
    words = sum(len(t.split()) for _, t in blocks)
    return len(evidences), found, in_section, words


def main() -> None:
    pages = sorted(ROOT.glob("fixtures/articles/*/page.html"))
    totals = {"ours": [0, 0, 0, 0, 0.0], "trafilatura": [0, 0, 0, 0, 0.0]}
    rows = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        facts = json.loads((page.parent / "expected.json").read_text())["facts"]
        row = [page.parent.name]
        for name, extract in (("ours", ours), ("trafilatura", theirs)):
            started = time.perf_counter()
            blocks = extract(html)
            ms = (time.perf_counter() - started) * 1000
            n, found, in_section, words = score(blocks, facts)
            for i, v in enumerate((n, found, in_section, words, ms)):
                totals[name][i] += v
            row += [f"{found}/{n}", f"{in_section}/{found}", str(words), f"{ms:.0f}"]
        rows.append(row)
    head = ["page", "ours found", "sect", "words", "ms", "traf found", "sect", "words", "ms"]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    print()
    for name, (n, found, in_section, words, ms) in totals.items():
        print(
            f"{name:12s} evidence recall {found}/{n} = {found / n:.1%}; section accuracy "
            f"{in_section}/{found} = {in_section / max(found, 1):.1%}; words {words}; "
            f"{ms / len(pages):.1f} ms/page"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

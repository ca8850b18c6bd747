"""Where extraction spends its time: a py-spy sampling profile, printed as flat tables.

    .venv/bin/python -m bench.profile                     # extract_facts over ~60,000 words
    .venv/bin/python -m bench.profile --target quantities # the quantity layer alone
    .venv/bin/python -m bench.profile --target parse      # HTML parsing

py-spy samples the real process from outside, so Cython (spaCy's tokenizer and Matcher) and C
(re) time lands on the Python function that called it; deterministic profilers (cProfile)
inflate the many tiny calls into Cython and misplace the blame, and pyinstrument attributes some
Cython time to the thread root. Only samples inside the timed loop are counted (not imports or
warm-up). Prints the functions with the most time including callees and the most time of their
own, each as a share of the loop, and the callers of the top ones. The raw samples are kept in
bench/out/profile.raw (collapsed stacks: any flame-graph tool reads them).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.corpus import REPO, article_pages, load_source

OUT = REPO / "bench" / "out"
LOOP = "profiled_loop"


def profiled_loop(call, items) -> None:  # noqa: ANN001 - any callable over any items
    for item in items:
        call(item)


def child(target: str, words: int) -> None:
    """The profiled process: build the input, warm up, then run the loop py-spy looks at."""
    from extractor.parse.document import parse_document

    pages = list(article_pages(load_source(), max(1, words // 150), 150, seed=5))
    if target == "parse":
        call, items = parse_document, pages
    else:
        articles = [parse_document(page) for page in pages]
        if target == "quantities":
            from extractor.extract.nlp import get_nlp
            from extractor.extract.quantities import find_quantities

            nlp = get_nlp()
            items = [block.text for article in articles for block in article.blocks]

            def call(text: str) -> object:
                return find_quantities(nlp(text))
        else:
            from extractor.extract.facts import extract_facts

            call, items = extract_facts, articles
    for item in items[:5]:
        call(item)
    profiled_loop(call, items)


def frame_name(frame: str) -> str:
    """'find_cues (/work/main/extractor/metrics.py:72)' -> 'find_cues (extractor/metrics.py)'."""
    name, _, where = frame.partition(" (")
    where = re.sub(r":\d+\)$", "", where)
    parts = Path(where).parts
    short = "/".join(parts[-2:]) if len(parts) >= 2 else where
    return f"{name} ({short})"


def flat(raw: Path, top: int) -> str:
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    callers: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        at = next((i for i, f in enumerate(frames) if f.startswith(LOOP + " ")), None)
        if at is None or not count.isdigit():
            continue
        n = int(count)
        names = [frame_name(f) for f in frames[at + 1 :]]
        if not names:
            continue
        total += n
        for name in set(names):
            inclusive[name] += n
        own[names[-1]] += n
        for parent, name in zip(names, names[1:], strict=False):
            callers[name][parent] += n
    if not total:
        return "no samples inside the loop (is py-spy allowed to trace here?)"
    lines = [f"{total} samples in the timed loop", "", "most time including callees:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "most time of their own (C/Cython time counts for its Python caller):"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines += ["", "callers of the ten functions with most own time:"]
    for name, _ in own.most_common(10):
        parts = ", ".join(
            f"{caller.split(' (')[0]} {100 * n / total:.1f}%"
            for caller, n in callers[name].most_common(4)
        )
        lines.append(f"  {name}: {parts}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="py-spy profile of the extraction hot path")
    parser.add_argument("--target", choices=["extract", "quantities", "parse"], default="extract")
    parser.add_argument("--words", type=int, default=60_000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.target, args.words)
        return
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("bench.profile: py-spy is not installed: pip install -e '.[bench]'")
    OUT.mkdir(parents=True, exist_ok=True)
    raw = OUT / "profile.raw"
    cmd = [spy, "record", "--rate", "250", "--format", "raw", "--output", str(raw), "--"]
    cmd += [sys.executable, "-m", "bench.profile", "--child", "--target", args.target]
    cmd += ["--words", str(args.words)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not raw.exists():
        raise SystemExit(f"bench.profile: py-spy failed: {done.stderr.strip()[-600:]}")
    report = flat(raw, args.top)
    (OUT / "profile.txt").write_text(report + "\n", encoding="utf-8")
    print(f"== profile of {args.target} over ~{args.words:,} words (py-spy, {raw.name})")
    print(report)


if __name__ == "__main__":
    main()

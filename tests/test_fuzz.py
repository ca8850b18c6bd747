"""Property-based and fuzz tests: the period parser on any string, generated period phrases
round-tripping to SPEC.md labels, invisible spaces inside amounts, and the whole `extract` over
random and mutated fixture pages with a time budget per input.

test_numbers.py already covers parse_numeral/quantities on any string and "7.2%", "$758.3
billion", "1.2 trillion yuan" round trips; this file adds what it lacks.

Fuzz size: NEWSFACTS_FUZZ_INPUTS (default 120) inputs, NEWSFACTS_FUZZ_SEED for the seed,
NEWSFACTS_FUZZ_BUDGET seconds per input (default 15, generous for a loaded 2-core machine; a
typical page takes well under one). A long run: NEWSFACTS_FUZZ_INPUTS=5000 pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import random
import re
import select
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability import record

from extractor.extract.periods import PeriodContext, find_periods, resolve

REPO = Path(__file__).resolve().parent.parent
FIXTURE_PAGES = sorted((REPO / "fixtures" / "articles").glob("*/page.html"))
FUZZ_INPUTS = int(os.environ.get("NEWSFACTS_FUZZ_INPUTS", "120"))
FUZZ_SEED = int(os.environ.get("NEWSFACTS_FUZZ_SEED", "8"))
BUDGET = float(os.environ.get("NEWSFACTS_FUZZ_BUDGET", "15"))
# SPEC.md period labels: a year, half, quarter, month or day, or a range "a/b" of them.
ONE_PERIOD = r"\d{4}(?:-H[12]|-Q[1-4]|-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?"
PERIOD_LABEL = re.compile(rf"^{ONE_PERIOD}(?:/{ONE_PERIOD})?$")
MONTHS = (
    "January February March April May June July August September October November December"
).split()
ORDINALS = ["first", "second", "third", "fourth"]

# --- periods: any string -------------------------------------------------------------------

period_words = st.sampled_from(
    MONTHS
    + [m[:3] for m in MONTHS]
    + ORDINALS
    + ["quarter", "half", "year", "Q1", "Q4", "H1", "H2", "fiscal", "of", "the", "in", "last"]
    + ["months", "nine", "-", "–", "/", ",", "to", "through", "since", "ago", "2025", "1999"]
    + ["0", "31", "99", "9999", "FY", "year-to-date", "\u00a0", "\u202e", "٢٠٢٥"]
)
period_soup = st.lists(period_words, max_size=40).map(" ".join)


def published_dates() -> st.SearchStrategy[date | None]:
    return st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))


@given(st.one_of(st.text(max_size=300), period_soup), published_dates())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_period_parser_takes_any_string(text: str, published: date | None) -> None:
    """No exception on any input; spans lie inside the text; every label is a SPEC.md period."""
    record("hypothesis_examples")
    ctx = PeriodContext(published=published)
    for mention in find_periods(text):
        assert 0 <= mention.start < mention.end <= len(text)
        period = resolve(mention, ctx)
        if period is not None:
            assert PERIOD_LABEL.match(period.label()), (text, mention.text, period.label())


@pytest.mark.parametrize(
    "text",
    [
        "January " * 20_000,
        "2025-" * 20_000,
        "the first " * 10_000 + "months",
        "Q1 " * 20_000,
        "in the " * 20_000 + "year",
        "1" * 100_000,
        "January-February-March-" * 5_000,
        "fiscal 2024-25 " * 5_000,
    ],
)
def test_period_parser_is_linear_on_adversarial_text(text: str) -> None:
    """Long runs that invite regex backtracking finish quickly (a ReDoS would take minutes)."""
    record("bad_inputs")
    started = time.monotonic()
    ctx = PeriodContext(published=date(2026, 1, 30))
    for mention in find_periods(text):
        resolve(mention, ctx)
    assert time.monotonic() - started < 20


# --- periods: generated phrases round-trip --------------------------------------------------

years = st.integers(min_value=1990, max_value=2035)


@given(years, st.integers(min_value=1, max_value=12), st.booleans())
@settings(max_examples=80, deadline=None)
def test_month_and_year_round_trip(year: int, month: int, short: bool) -> None:
    record("hypothesis_examples")
    name = MONTHS[month - 1][:3] if short and month != 5 else MONTHS[month - 1]
    assert labels(f"Exports rose in {name} {year}, officials said.") == [f"{year}-{month:02d}"]


@given(years, st.integers(min_value=1, max_value=4), st.sampled_from(["words", "Q", "Qspace"]))
@settings(max_examples=80, deadline=None)
def test_quarter_round_trips(year: int, quarter: int, form: str) -> None:
    record("hypothesis_examples")
    phrase = {
        "words": f"the {ORDINALS[quarter - 1]} quarter of {year}",
        "Q": f"Q{quarter} {year}",
        "Qspace": f"the Q{quarter} {year} period",
    }[form]
    assert labels(f"GDP grew in {phrase}, the bureau said.") == [f"{year}-Q{quarter}"]


@given(years, st.integers(min_value=1, max_value=2), st.booleans())
@settings(max_examples=60, deadline=None)
def test_half_year_round_trips(year: int, half: int, words: bool) -> None:
    record("hypothesis_examples")
    phrase = f"the {['first', 'second'][half - 1]} half of {year}" if words else f"H{half} {year}"
    assert labels(f"Imports fell in {phrase}.") == [f"{year}-H{half}"]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31)))
@settings(max_examples=80, deadline=None)
def test_full_dates_round_trip(day: date) -> None:
    record("hypothesis_examples")
    text = f"The figures were released on {MONTHS[day.month - 1]} {day.day}, {day.year}."
    assert labels(text) == [day.isoformat()]


@given(years, st.integers(min_value=2, max_value=11))
@settings(max_examples=60, deadline=None)
def test_first_months_round_trip(year: int, months: int) -> None:
    record("hypothesis_examples")
    words = "two three four five six seven eight nine ten eleven".split()
    text = f"Exports rose in the first {words[months - 2]} months of {year}."
    assert labels(text) == [f"{year}-01/{year}-{months:02d}"]


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2035, 12, 31)))
@settings(max_examples=60, deadline=None)
def test_last_year_is_the_year_before_publication(published: date) -> None:
    record("hypothesis_examples")
    assert labels("Exports rose 5% last year.", published) == [str(published.year - 1)]


def labels(text: str, published: date | None = None) -> list[str]:
    ctx = PeriodContext(published=published)
    out = []
    for mention in find_periods(text):
        period = resolve(mention, ctx)
        if period is not None:
            out.append(period.label())
    return out


# --- invisible spaces inside amounts, through the pipeline ----------------------------------

amounts = st.decimals(min_value=1, max_value=999, places=1, allow_nan=False).map(float)
SEPARATORS = [" ", "\u00a0", "\u202f", "\u2009", " \u200b", "\u200b "]


@given(
    amounts, st.sampled_from([("billion", 1e9), ("trillion", 1e12)]), st.sampled_from(SEPARATORS)
)
@settings(max_examples=60, deadline=None)
def test_amount_survives_any_space_between_number_and_scale(
    value: float, scale: tuple[str, float], separator: str
) -> None:
    from extractor.extract.numbers import format_number
    from extractor.pipeline import extract_document

    record("hypothesis_examples")
    word, factor = scale
    html = (
        "<html><body><p>Exports climbed 7.2% year-on-year to "
        f"${format_number(value)}{separator}{word} in 2025.</p></body></html>"
    )
    values = [fact.value for fact in extract_document(html).facts]
    assert any(v == pytest.approx(value * factor) for v in values if v is not None), values


def test_quantity_layer_alone_reads_a_no_break_space_before_the_scale() -> None:
    from extractor.extract.quantities import quantities_in_text

    record("bad_inputs")
    found = quantities_in_text("Sales hit $758.3\u00a0billion in March.")
    assert [q.value for q in found] == [pytest.approx(758.3e9)]


# --- fuzzing the whole extract --------------------------------------------------------------

NASTIES = [
    "<", ">", "</div>", "<table><tr><td>", "<!--", "<script>", "</p><p>", "<li>", "&#x0;",
    "&#99999999;", "\u202e", "\u00a0", "\u200b", "\ufeff", "1e308", "9" * 400, "%", "$", "€",
    "billion", "trillion", "yuan", "year-on-year", "Q5 2025", "February 30, 2025", "-", "—",
    ".", ",", "\x00", "٣٫٥", "５", "½", "−7.2%", "last year", "H3 2024", "between 5 and", "to",
    "<h2>Key points</h2>", "<h2>Timeline</h2>", "2021:", "<figure><figcaption>",
]  # fmt: skip
NUMBER = re.compile(r"\d[\d,.]*")
ODD_NUMBERS = ["1e308", "0", "-0", "999999999999999999999999", "1,2,3", "1..2", "٣٫٥", "12,34,5"]


def mutate(page: bytes, rng: random.Random) -> bytes:
    """One to four random mutations of a page: byte flips, cut/duplicated/deleted spans,
    inserted nasty tokens, odd numbers for real ones, shuffled lines, truncation."""
    data = bytearray(page)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        if not data:
            break
        at = rng.randrange(len(data))
        if kind == 0:
            for _ in range(rng.randint(1, 50)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 1:
            end = min(len(data), at + rng.randint(1, 2000))
            del data[at:end]
        elif kind == 2:
            end = min(len(data), at + rng.randint(1, 3000))
            data[at:at] = data[at:end] * rng.randint(2, 20)
        elif kind == 3:
            for _ in range(rng.randint(1, 30)):
                spot = rng.randrange(len(data) + 1)
                data[spot:spot] = rng.choice(NASTIES).encode("utf-8")
        elif kind == 4:
            text = data.decode("utf-8", "replace")
            text = NUMBER.sub(
                lambda m: rng.choice(ODD_NUMBERS) if rng.random() < 0.3 else m[0], text
            )
            data = bytearray(text.encode("utf-8"))
        elif kind == 5:
            lines = bytes(data).split(b"\n")
            rng.shuffle(lines)
            data = bytearray(b"\n".join(lines))
        elif kind == 6:
            del data[at:]
        else:
            data[at:at] = (b"<div>" * rng.randint(100, 3000)) + b"<p>" + data[at : at + 500]
    return bytes(data)


def fuzz_inputs(count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    pages = [p.read_bytes() for p in FIXTURE_PAGES]
    out: list[tuple[str, bytes]] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.75:
            source = rng.randrange(len(pages))
            out.append(
                (f"mutated-{FIXTURE_PAGES[source].parent.name}-{i}", mutate(pages[source], rng))
            )
        elif roll < 0.85:
            out.append((f"random-bytes-{i}", rng.randbytes(rng.randint(0, 20_000))))
        elif roll < 0.95:
            words = [rng.choice(NASTIES + MONTHS + ORDINALS) for _ in range(rng.randint(1, 400))]
            out.append((f"random-tokens-{i}", " ".join(words).encode("utf-8")))
        else:
            text = "".join(chr(rng.randrange(1, 0x2FFFF)) for _ in range(rng.randint(1, 3000)))
            out.append((f"random-unicode-{i}", text.encode("utf-8", "surrogatepass")))
    return out


# The worker: one process that runs extract over each input path it is sent, answering with a
# JSON line per input. The parent times every input and kills the worker on a hang.
WORKER = r"""
import json, math, sys, time
from extractor.ingest.charset import decode_body
from extractor.errors import NewsfactsError
from extractor.pipeline import extract_document
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    path = line.strip()
    started = time.monotonic()
    try:
        text = decode_body(open(path, "rb").read())[0]
        result = extract_document(text, url="http://127.0.0.1/fuzz/page")
        bad = [f.metric for f in result.facts if f.value is not None and not math.isfinite(f.value)]
        answer = {"ok": True, "facts": len(result.facts), "nonfinite": bad,
                  "periods": [f.period for f in result.facts if f.period]}
    except NewsfactsError as error:
        answer = {"ok": True, "error": str(error)[:200]}
    except BaseException as error:
        import traceback
        answer = {"ok": False, "crash": f"{error.__class__.__name__}: {error}"[:500],
                  "trace": traceback.format_exc()[-3000:]}
    answer["seconds"] = time.monotonic() - started
    print(json.dumps(answer), flush=True)
"""


def read_answer(proc: subprocess.Popen, timeout: float) -> dict | None:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        return None
    line = proc.stdout.readline()
    return json.loads(line) if line else {"ok": False, "crash": "the worker died"}


def test_fuzz_whole_extract_over_random_and_mutated_pages(tmp_path: Path) -> None:
    inputs = fuzz_inputs(FUZZ_INPUTS, FUZZ_SEED)
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )
    failures: list[str] = []
    slowest = (0.0, "")
    try:
        assert read_answer(proc, 120) == {"ready": True}
        for name, data in inputs:
            path = tmp_path / "input.html"
            path.write_bytes(data)
            assert proc.stdin is not None
            proc.stdin.write(f"{path}\n")
            proc.stdin.flush()
            answer = read_answer(proc, BUDGET)
            record("fuzz_inputs")
            if answer is None:
                keep = tmp_path / f"hang-{name}.html"
                keep.write_bytes(data)
                failures.append(f"{name}: no answer within {BUDGET:g}s (kept as {keep})")
                break
            if not answer["ok"]:
                keep = tmp_path / f"crash-{name}.html"
                keep.write_bytes(data)
                failures.append(f"{name}: {answer['crash']} (kept as {keep})\n{answer['trace']}")
                if answer["crash"] == "the worker died":
                    break
                continue
            if answer.get("nonfinite"):
                failures.append(f"{name}: non-finite values for {answer['nonfinite']}")
            bad_periods = [p for p in answer.get("periods", []) if not PERIOD_LABEL.match(p)]
            if bad_periods:
                failures.append(f"{name}: periods outside SPEC.md form {bad_periods}")
            slowest = max(slowest, (answer["seconds"], name))
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.kill()
        proc.wait(timeout=30)
    assert not failures, f"seed {FUZZ_SEED}:\n" + "\n".join(failures[:10])
    assert slowest[0] < BUDGET, slowest

"""Number and unit parsers: never crash or hang on any string; generated forms round-trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.extract.numbers import format_number, parse_numeral
from extractor.extract.quantities import quantities_in_text


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_any_string_is_safe(text: str) -> None:
    parse_numeral(text)
    for q in quantities_in_text(text):
        assert 0 <= q.span[0] <= q.span[1] <= len(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234.5", 1234.5), ("1,81,021", 181021.0), ("-0.6", -0.6), ("+3", 3.0), ("1/2", 0.5),
     ("247th", None), ("4:20", None), ("1x", None), ("", None), ("12,34,5", None)],
)  # fmt: skip
def test_parse_numeral(text: str, value: float | None) -> None:
    assert parse_numeral(text) == value


amounts = st.decimals(min_value=0, max_value=9999, places=1, allow_nan=False).map(float)


@given(amounts)
@settings(max_examples=60, deadline=None)
def test_percent_round_trips(value: float) -> None:
    (q,) = quantities_in_text(f"Exports rose {format_number(value)}% last year.")
    assert (q.value, q.unit, q.direction) == (pytest.approx(value), "percent", "up")


@given(amounts, st.sampled_from([("million", 1e6), ("billion", 1e9), ("trillion", 1e12)]))
@settings(max_examples=60, deadline=None)
def test_money_round_trips(value: float, scale: tuple[str, float]) -> None:
    word, factor = scale
    (dollars,) = quantities_in_text(f"Sales hit ${format_number(value)} {word} in March.")
    assert (dollars.value, dollars.unit) == (pytest.approx(value * factor), "USD")
    (yuan,) = quantities_in_text(f"Lending hit {format_number(value)} {word} yuan in March.")
    assert (yuan.value, yuan.unit) == (pytest.approx(value * factor), "CNY")


DIGITS = "zero one two three four five six seven eight nine".split()


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=99))
@settings(max_examples=60, deadline=None)
def test_spoken_decimals_round_trip(whole: int, cents: int) -> None:
    spoken = "-".join(DIGITS[int(d)] for d in f"{cents:02d}")
    (q,) = quantities_in_text(f"It cost {whole}-point-{spoken} billion dollars.")
    assert q.value == pytest.approx(float(f"{whole}.{cents:02d}") * 1e9)
    assert q.unit == "USD"

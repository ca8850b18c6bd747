"""Repairs between the quantity layer's reading and what the fact layer needs: "$" in a
dollar economy's own release, "X a year earlier" read as a rate, a typo'd "1.3. per cent",
"by $1.1 billion to $3.3 billion" read as one range, "3 to 5 percent" read as two numbers,
and bracketed currency conversions.
"""

from __future__ import annotations

import re

from extractor.cues import cue_regex
from extractor.extract.changes import change_words
from extractor.extract.clauses import Item
from extractor.vocabulary import currency_codes


def repair(q, text: str, s_start: int, local: str | None):
    """Fix what the quantity layer reads differently from the fact layer's needs."""
    start, end = q.span[0] - s_start, q.span[1] - s_start
    per = re.search(r"\s+(?:a|per)\s+(?:year|month|quarter)$", q.surface)
    if per and q.unit and "/" in q.unit and re.match(r"\s*(?:earlier|ago|before)", text[end:]):
        # "8.9 billion euros a year earlier" is a level, not a rate per year
        end = start + per.start()
        q = q.model_copy(
            update={"unit": q.unit.split("/")[0], "span": (q.span[0], q.span[0] + per.start())}
        )
    bare_dollar = (q.unit_surface or "").strip() in ("$", "dollars", "dollar") or bool(
        re.match(r"[+-]?\$", q.surface)
    )
    if local and q.unit and q.unit.split("/")[0] == "USD" and bare_dollar:
        # "$" in an Australian release is AUD, also per tonne ("$120 a tonne": AUD/t)
        q = q.model_copy(update={"unit": local + q.unit[3:]})
    if q.unit is None and re.match(r"\s*\.\s*(?:per\s*cent|percent)\b", text[end : end + 14]):
        q = q.model_copy(update={"unit": "percent"})  # "grew 1.3. per cent": a typo
    return q, start, end


def merge_bare_ranges(raw: list, text: str, s_start: int) -> list:
    """'grow 3 to 5 percent': a bare number, 'to', then the unit's figure is one range."""
    out: list = []
    for q in raw:
        prev = out[-1] if out else None
        bare = prev is not None and (
            prev.unit is None or (prev.unit == q.unit and re.fullmatch(r"[\d.,]+", prev.surface))
        )
        if prev is not None and bare and q.unit and prev.value is not None:
            gap = text[prev.span[1] - s_start : q.span[0] - s_start]
            if re.fullmatch(r"\s*(?:to|-|–|and)\s*", gap) and q.value is not None:
                out[-1] = q.model_copy(
                    update={
                        "value": prev.value,
                        "value_high": q.value,
                        "range_form": "range",
                        "span": (prev.span[0], q.span[1]),
                        "surface": text[prev.span[0] - s_start : q.span[1] - s_start],
                        "direction": prev.direction or q.direction,
                        "qualifier": prev.qualifier if prev.qualifier != "=" else q.qualifier,
                    }
                )
                continue
        out.append(q)
    return out


def split_from_to(raw: list, text: str, s_start: int) -> list:
    """'narrowed by $1.1 billion to $3.3 billion' reads as one from-to quantity; it is a change
    and a level. 'rose from $5bn to $6bn' is a base and a level."""
    out = []
    for q in raw:
        start = q.span[0] - s_start
        m = re.search(r"\s+to\s+", q.surface)
        if m and re.fullmatch(r"(?:19|20)\d{2}", q.surface[: m.start()]) and q.value_high:
            # "in 2023 to ¥100.88 trillion": a year, then the level
            out.append(
                q.model_copy(
                    update={
                        "value": q.value_high,
                        "value_high": None,
                        "range_form": None,
                        "span": (q.span[0] + m.end(), q.span[1]),
                        "surface": q.surface[m.end() :],
                    }
                )
            )
            continue
        by = re.search(r"\bby\s*$", text[max(0, start - 6) : start])
        from_to = q.range_form == "from_to"
        moved = None if by or from_to else _moved_by(q, text, start)
        if q.value_high is None or m is None or not (from_to or by or moved):
            out.append(q)
            continue
        first_end = q.span[0] + m.start()
        second_start = q.span[0] + m.end()
        first = q.model_copy(
            update={
                "value_high": None,
                "range_form": None,
                "span": (q.span[0], first_end),
                "surface": q.surface[: m.start()],
                "direction": q.direction if by else moved,
            }
        )
        second = q.model_copy(
            update={
                "value": q.value_high,
                "value_high": None,
                "range_form": None,
                "span": (second_start, q.span[1]),
                "surface": q.surface[m.end() :],
                "direction": None,
                "qualifier": "=",
            }
        )
        out += [first, second]
    return out


def _moved_by(q, text: str, start: int) -> str | None:  # noqa: ANN001 - a Quantity
    """'decreased less than $0.1 billion to $21.9 billion', 'dropped 6% or $3.1 billion to
    $45 billion', 'an increase in the goods deficit of $0.3 billion to $77 billion': after a
    movement the 'X to Y' is its size and the level reached, not a range. The direction, or
    None when the words before are no movement (or a forecast: 'could rise $1-2 billion')."""
    if q.unit == "percent" or q.unit is None:
        return None
    before = text[max(0, start - 60) : start]
    if cue_regex("not_yet_before").search(before):
        return None
    m = cue_regex("moved_by_before").search(before)
    if not m:
        return None
    word = next(w for w in m.groups() if w)
    return change_words().get(word.lower())


def has_number_word(text: str) -> bool:
    return bool(
        re.search(
            r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|zero|half|"
            r"third|quarter|fifth|dozen|hundred|thousand|million|billion)\b",
            text,
            re.I,
        )
    )


def is_conversion(q, items: list[Item], text: str, start: int) -> bool:
    """'1.2 trillion yuan ($165 billion)': a bracketed amount in another currency right after
    an amount is a conversion, not a fact."""
    if not items or q.unit not in currency_codes():
        return False
    prev = items[-1]
    gap = text[prev.end : start]
    return (
        prev.q.unit in currency_codes()
        and prev.q.unit != q.unit
        and bool(re.fullmatch(r"\s*[(\[]\s*(?:about|around|or|roughly|some)?\s*", gap))
    )

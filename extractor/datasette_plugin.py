"""Our Datasette plugin: make facts read like findings, each one tied to its sentence.

Built on Datasette's own hooks (as Datasette builds its defaults), registered by
`extractor.serve.register_plugin`, read-only by construction (it only renders).

- In the facts table, the evidence sentence is shown with the number itself highlighted.
- Values read as "758.3 billion" (the exact number in the tooltip; JSON and CSV stay exact).
- In canned-query results, `article_id` and `fact_id` columns link to the article and the
  fact, so every result row leads back to its source sentence.
- The facts table's action menu offers the chart of a metric over time.
- Column descriptions fold into a "What the columns mean" box instead of pushing the table
  a screen down.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

LINKED_COLUMNS = {"article_id": "articles", "fact_id": "facts"}
AMOUNT_COLUMNS = {"value", "value_high", "low", "high"}
SCALES = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]
FOLD_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
  var box = document.createElement("details");
  var title = document.createElement("summary");
  title.textContent = "What the columns mean";
  box.className = "nf-column-descriptions";
  list.parentNode.insertBefore(box, list);
  box.appendChild(title);
  box.appendChild(list);
});
"""


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if table == "facts" and column == "evidence" and isinstance(value, str):
        return highlight(value, cell(row, "surface"))
    if table in ("facts", None) and column in AMOUNT_COLUMNS and isinstance(value, float):
        return Markup(f'<span title="{value!r}">{escape(readable(value))}</span>')
    if table is None and column in LINKED_COLUMNS and isinstance(value, int):
        path = datasette.urls.row(database, LINKED_COLUMNS[column], str(value))
        return Markup(f'<a href="{escape(path)}">{value}</a>')
    if table is None and column == "evidence" and isinstance(value, str):
        return highlight(value, cell(row, "surface"))
    return None


@hookimpl
def extra_body_script(template: str) -> str:
    return FOLD_DESCRIPTIONS if template == "table.html" else ""


@hookimpl
def table_actions(datasette: Any, actor: Any, database: str, table: str, request: Any) -> list:
    if table != "facts":
        return []
    base = datasette.urls.database(database)
    return [
        {"href": f"{base}/metric_over_time", "label": "Chart a metric over time"},
        {"href": f"{base}/latest_for_entity", "label": "Latest value of every metric"},
    ]


def cell(row: Any, key: str) -> Any:
    try:
        return row[key]
    except (KeyError, IndexError):
        return None


def readable(value: float) -> str:
    """758300000000.0 -> "758.3 billion"; 20.0 -> "20"; 1234.5 -> "1,234.5"."""
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{value / scale:,.6g} {word}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def highlight(sentence: str, surface: str | None) -> Markup:
    """The sentence, escaped, with the first occurrence of the number's text in <mark>."""
    if not surface or surface not in sentence:
        return Markup(escape(sentence))
    before, _, after = sentence.partition(surface)
    return Markup(
        f'{escape(before)}<mark class="nf-number">{escape(surface)}</mark>{escape(after)}'
    )

"""Our Datasette plugin: make facts read like findings, each one tied to its sentence.

Built on Datasette's own hooks (as Datasette builds its defaults), registered by
`extractor.serve.register_plugin`, read-only by construction (it only renders).

- In the facts table, the evidence sentence is shown with the number itself highlighted.
- In canned-query results, `article_id` and `fact_id` columns link to the article and the
  fact, so every result row leads back to its source sentence.
- The facts table's action menu offers the chart of a metric over time.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

LINKED_COLUMNS = {"article_id": "articles", "fact_id": "facts"}


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if table == "facts" and column == "evidence" and isinstance(value, str):
        return highlight(value, cell(row, "surface"))
    if table is None and column in LINKED_COLUMNS and isinstance(value, int):
        path = datasette.urls.row(database, LINKED_COLUMNS[column], str(value))
        return Markup(f'<a href="{escape(path)}">{value}</a>')
    if table is None and column == "evidence" and isinstance(value, str):
        return highlight(value, cell(row, "surface"))
    return None


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


def highlight(sentence: str, surface: str | None) -> Markup:
    """The sentence, escaped, with the first occurrence of the number's text in <mark>."""
    if not surface or surface not in sentence:
        return Markup(escape(sentence))
    before, _, after = sentence.partition(surface)
    return Markup(
        f'{escape(before)}<mark class="nf-number">{escape(surface)}</mark>{escape(after)}'
    )

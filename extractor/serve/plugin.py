"""Our Datasette plugin: make facts read like findings, each one tied to its sentence.

Built on Datasette's own hooks (as Datasette builds its defaults), registered by
`extractor.serve.app.register_plugin`, read-only by construction (it only renders).

- In the facts table, the evidence sentence is shown with the number itself highlighted.
- Values read as "758.3 billion" (the exact number in the tooltip; JSON and CSV stay exact).
- In canned-query results, `article_id` and `fact_id` columns link to the article and the
  fact, so every result row leads back to its source sentence.
- The facts table's action menu offers the chart of a metric over time.
- The facts table's facets, when unfiltered, are read from `fact_value_counts` (kept exact by
  triggers, see schema.m002) instead of six full scans of a million rows: facet type
  "counted" in datasette-metadata.json. Filtered, they are Datasette's own column facets.
- Column descriptions fold into a "What the columns mean" box instead of pushing the table
  a screen down.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.utils import path_with_added_args, path_with_removed_args
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


class CountedFacet(ColumnFacet):
    """A column facet that reads precomputed counts when the facts table is unfiltered."""

    type = "counted"

    async def facet_results(self) -> tuple[list, list]:
        if not await self.precounted():
            return await super().facet_results()
        size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        results = []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            rows = await self.ds.execute(
                self.database,
                "select value, n as count from fact_value_counts where col = ? and n > 0 "
                "order by n desc, value limit ?",
                [column, size + 1],
            )
            values = []
            for row in rows.rows[:size]:
                value = row["value"]
                selected = (column, str(value)) in pairs
                path = (path_with_removed_args if selected else path_with_added_args)(
                    self.request, {column: str(value) if selected else value}
                )
                values.append(
                    {
                        "value": value,
                        "label": value,
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {"_facet": column})
                    ),
                    "results": values,
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, []

    async def precounted(self) -> bool:
        unfiltered = not self.params and " where " not in f" {self.sql.lower()} "
        if self.table != "facts" or not unfiltered:
            return False
        db = self.ds.get_database(self.database)
        return await db.table_exists("fact_value_counts")


@hookimpl
def register_facet_classes() -> list:
    return [CountedFacet]


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

"""A statistics table's bar chart (core.charts draws the geometry, ui/bar_chart.html the
SVG) and how its figures read."""

from lossdesk.core import charts
from lossdesk.reports.statistics import Table


def format_value(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:,.2f}"
    if kind in ("rating", "number"):
        return f"{value:.2f}"
    if kind in ("minutes", "hours", "days"):
        return f"{value:.1f}"
    return f"{value:,}"


def bar_chart(table: Table) -> dict:
    """The table's chart column, one bar per row that has a figure."""
    column = next(c for c in table.columns if c.key == table.chart_column)
    rows = [r for r in table.rows if r.values.get(column.key) is not None]
    return charts.bar_chart(
        f"{column.label}（按{table.group_label}）",
        (
            (row.label, row.values[column.key], format_value(row.values[column.key], column.kind))
            for row in rows
        ),
    )

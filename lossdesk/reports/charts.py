"""A horizontal bar chart as plain SVG geometry, drawn by reports/includes/bar_chart.html.
Server-rendered: no script, and colours come from css/reports.css (strict CSP)."""

from lossdesk.reports.statistics import Table

MAX_BARS = 40
LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 190, 380, 90
ROW_HEIGHT, BAR_HEIGHT, PAD = 24, 16, 6


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
    column = next(c for c in table.columns if c.key == table.chart_column)
    rows = [r for r in table.rows if r.values.get(column.key) is not None]
    shown = rows[:MAX_BARS]
    largest = max((float(r.values[column.key]) for r in shown), default=0) or 1
    bars = []
    for index, row in enumerate(shown):
        value = float(row.values[column.key])
        width = round(BAR_WIDTH * value / largest, 1) if value > 0 else 0
        y = PAD + index * ROW_HEIGHT
        bars.append(
            {
                "label": row.label if len(row.label) <= 16 else row.label[:15] + "…",
                "full_label": row.label,
                "display": format_value(row.values[column.key], column.kind),
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": f"{column.label}（按{table.group_label}）",
        "bars": bars,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": max(PAD * 2 + len(bars) * ROW_HEIGHT, 40),
        "truncated": len(rows) > MAX_BARS,
        "max_bars": MAX_BARS,
    }

"""A horizontal bar chart as plain SVG geometry, drawn by ui/bar_chart.html: server-rendered,
no script, its colours from css/reports.css (strict CSP). The statistics and the repair-shop
ranking draw theirs with it."""

from collections.abc import Iterable
from decimal import Decimal

MAX_BARS = 40
LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 190, 380, 90
ROW_HEIGHT, BAR_HEIGHT, PAD = 24, 16, 6


def bar_chart(title: str, items: Iterable[tuple[str, Decimal | float, str]]) -> dict:
    """The geometry of one bar per (label, value, value as shown), in the order given; the
    first MAX_BARS are drawn."""
    items = list(items)
    shown = items[:MAX_BARS]
    largest = max((float(value) for _label, value, _display in shown), default=0) or 1
    bars = []
    for index, (label, value, display) in enumerate(shown):
        width = round(BAR_WIDTH * float(value) / largest, 1) if value > 0 else 0
        y = PAD + index * ROW_HEIGHT
        bars.append(
            {
                "label": label if len(label) <= 16 else label[:15] + "…",
                "full_label": label,
                "display": display,
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "bars": bars,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        "height": max(PAD * 2 + len(bars) * ROW_HEIGHT, 40),
        "truncated": len(items) > MAX_BARS,
        "max_bars": MAX_BARS,
    }

"""Statistics tables → an Excel workbook (through lossdesk.core.excel, so no label or filter
text can become a formula): a sheet per table with Chinese headers, real numbers with number
formats (percentages as 0.0%, money as #,##0.00), a bold total row, and a notes sheet with
the filters."""

from datetime import date, datetime

from django.utils import timezone

from lossdesk.core.excel import Column, Workbook
from lossdesk.reports.statistics import Table

FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "minutes": "0.0",
    "hours": "0.0",
    "days": "0.0",
    "money": "#,##0.00",
    "rating": "0.00",
    "number": "0.00",
}
PERIOD_FORMATS = {"day": "yyyy-mm-dd", "week": "yyyy-mm-dd", "month": "yyyy-mm"}


def _write_table(book: Workbook, table: Table) -> None:
    key_format = PERIOD_FORMATS.get(table.group_by)
    columns = [
        Column(table.group_label, width=28, number_format=key_format),
        *[Column(c.label, number_format=FORMATS.get(c.kind, "General")) for c in table.columns],
    ]

    def line(row) -> list:
        first = row.label
        if key_format and isinstance(row.key, date | datetime):
            first = row.key.date() if isinstance(row.key, datetime) else row.key
        return [first, *[row.values.get(c.key) for c in table.columns]]

    book.add_sheet(
        table.title,
        columns,
        [line(row) for row in table.rows],
        footer=line(table.total),
        freeze="B2",
    )


def workbook(tables: list[Table], notes: list[tuple[str, str]], user) -> bytes:
    book = Workbook()
    for table in tables:
        for each in (table, *table.subtables):
            _write_table(book, each)
    rows = [
        ("统计", "、".join(t.title for t in tables)),
        *notes,
        ("数据范围", "导出人数据权限范围内的案件"),
        ("导出人", str(user)),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    book.add_sheet("说明", [Column("项目", width=12), Column("内容", width=60)], rows)
    return book.content()

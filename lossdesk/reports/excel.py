"""Statistics tables → an Excel workbook (openpyxl): a sheet per table with Chinese headers,
real numbers with number formats (percentages as 0.0%, money as #,##0.00), a bold total
row, and a notes sheet with the filters."""

from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from lossdesk.reports.statistics import Table

FORMATS = {
    "int": "#,##0",
    "percent": "0.0%",
    "minutes": "0.0",
    "hours": "0.0",
    "days": "0.0",
    "money": "#,##0.00",
    "rating": "0.00",
}
PERIOD_FORMATS = {"day": "yyyy-mm-dd", "week": "yyyy-mm-dd", "month": "yyyy-mm"}
HEADER_FILL = PatternFill("solid", fgColor="DDE3EC")
BOLD = Font(bold=True)
INVALID_TITLE_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(INVALID_TITLE_CHARS)[:31]
    name, n = base, 2
    while name in used:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _write_table(ws, table: Table) -> None:
    header = [table.group_label, *[c.label for c in table.columns]]
    ws.append(header)
    for cell in ws[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    key_format = PERIOD_FORMATS.get(table.group_by)
    for row in [*table.rows, table.total]:
        first = row.label
        if key_format and isinstance(row.key, date | datetime):
            first = row.key.date() if isinstance(row.key, datetime) else row.key
        ws.append([first, *[row.values.get(c.key) for c in table.columns]])
        excel_row = ws.max_row
        if key_format and not isinstance(first, str):
            ws.cell(excel_row, 1).number_format = key_format
        for index, column in enumerate(table.columns, start=2):
            ws.cell(excel_row, index).number_format = FORMATS.get(column.kind, "General")
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 28
    for index in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(index)].width = max(
            10, min(24, len(header[index - 1]) * 2 + 2)
        )


def workbook(tables: list[Table], notes: list[tuple[str, str]], user) -> bytes:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        for each in (table, *table.subtables):
            _write_table(book.create_sheet(_sheet_title(each.title, used)), each)
    info = book.create_sheet(_sheet_title("说明", used))
    rows = [
        ("统计", "、".join(t.title for t in tables)),
        *notes,
        ("数据范围", "导出人数据权限范围内的案件"),
        ("导出人", str(user)),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in rows:
        info.append([label, value])
        info.cell(info.max_row, 1).font = BOLD
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""Every Excel file LossDesk writes goes through here (statistics exports, import templates).

openpyxl stores any string that starts with "=" as a formula, so a client name, a header
text or a filter value like `=HYPERLINK(…)` would run in the reader's Excel. Here every
string is stored as text (`data_type = "s"`: no `<f>` element in the sheet XML), and one that
Excel would read as a formula when the cell is edited (=, +, -, @, tab, CR) also gets the
quote prefix. Numbers, Decimals and dates keep their types and number formats."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from django.utils.functional import Promise
from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE3EC")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)
INVALID_TITLE_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    width: float | None = None  # None: from the header's length
    number_format: str | None = None


def set_cell(cell, value, number_format: str | None = None) -> None:
    """Put `value` in `cell`: a string always as text, never as a formula; anything else
    (int, Decimal, date, None) as itself, with `number_format`."""
    if isinstance(value, Promise):  # a lazy translation (a choice label) is text too
        value = str(value)
    if isinstance(value, str):
        # Control characters other than tab/LF/CR make openpyxl refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        return
    cell.value = value
    if number_format:
        cell.number_format = number_format


class Workbook:
    """A workbook built sheet by sheet, then `content()` for the HTTP response."""

    def __init__(self) -> None:
        self._book = _OpenpyxlWorkbook()
        self._book.remove(self._book.active)
        self._titles: set[str] = set()

    def _title(self, title: str) -> str:
        """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
        base = title.translate(INVALID_TITLE_CHARS)[:31] or "Sheet"
        name, n = base, 2
        while name in self._titles:
            suffix = f"({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._titles.add(name)
        return name

    def add_sheet(
        self,
        title: str,
        columns: Sequence[Column | str],
        rows: Iterable[Sequence],
        *,
        footer: Sequence | None = None,
        freeze: str = "A2",
    ):
        """A sheet with a bold, shaded, frozen header row, then `rows`, then an optional bold
        `footer` (a total row). A column's number format applies to its non-text cells."""
        sheet = self._book.create_sheet(self._title(title))
        columns = [c if isinstance(c, Column) else Column(c) for c in columns]
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(1, index)
            set_cell(cell, column.header)
            cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, HEADER_ALIGNMENT
            width = column.width or max(10, min(24, len(column.header) * 2 + 2))
            sheet.column_dimensions[get_column_letter(index)].width = width
        all_rows = [(row, False) for row in rows]
        if footer is not None:
            all_rows.append((footer, True))
        for line, (row, bold) in enumerate(all_rows, start=2):
            for index, value in enumerate(row, start=1):
                number_format = columns[index - 1].number_format if index <= len(columns) else None
                cell = sheet.cell(line, index)
                set_cell(cell, value, number_format)
                if bold:
                    cell.font = BOLD
        sheet.freeze_panes = freeze
        return sheet

    def content(self) -> bytes:
        out = BytesIO()
        self._book.save(out)
        return out.getvalue()

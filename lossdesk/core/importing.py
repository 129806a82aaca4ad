"""The one import pipeline: read → check and preview → confirm in the background.

Both imports (intake's reports from a client's Excel, parts' catalogue) go through it:

1. `read_table` reads an uploaded XLSX or CSV (format by content, CSV encoding sniffed:
   UTF-8 or GB18030), finds the header row, maps headers to columns and returns the
   non-blank data rows with their spreadsheet line numbers. A file that cannot be read as
   a whole is a `ServiceError` with an `ImportErrorCode` and the message under `file`.
2. An `Importer` supplies its columns and `clean_row` (cells → data, or row errors keyed by
   column); `check` runs it over every row and reports a later row with the same key as a
   duplicate of the first good one.
3. `preview` counts the checked rows and keeps the first few and the failing rows; nothing
   is written.
4. `confirm` (run by the app's background task after the user confirms) hands the good rows
   to the importer's writer in chunks, tells progress (rows done / total) and returns the
   summary."""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lossdesk.core.errors import ServiceError

XLSX, CSV = "xlsx", "csv"
RowErrors = dict[str, list[str]]  # column key → messages; ROW for the row as a whole
ROW = "__all__"
MAX_STORED_ERRORS = 1000  # failing rows kept for the page and the API


class ImportErrorCode(StrEnum):
    EMPTY_FILE = "empty_file"
    UNSUPPORTED_FORMAT = "unsupported_format"  # not a table, legacy .xls, CSV where XLSX only
    UNREADABLE_FILE = "unreadable_file"  # an XLSX that is not one, or a broken CSV
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    SHEET_NOT_FOUND = "sheet_not_found"
    HEADER_MISSING = "header_missing"
    COLUMNS_MISSING = "columns_missing"
    DUPLICATE_COLUMNS = "duplicate_columns"
    TOO_MANY_ROWS = "too_many_rows"
    NO_DATA_ROWS = "no_data_rows"


def file_error(message: str, code: StrEnum, **extra) -> ServiceError:
    """A refusal of the file as a whole, shown against the upload field."""
    return ServiceError(message, code=code, fields={"file": [message]}, **extra)


# ---------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Column:
    """A column an importer reads: its key, the headers that name it, whether it must be
    there. `title` names it in messages."""

    key: str
    headers: tuple[str, ...]
    required: bool = False
    title: str = ""


@dataclass(frozen=True)
class Row:
    line_no: int  # the spreadsheet's own line number
    values: dict[str, Any]  # column key → the cell as read (text from CSV, typed from XLSX)


@dataclass
class Table:
    file_format: str
    encoding: str  # of a CSV; "" for XLSX
    columns: list[str]  # the keys found, in the file's order
    rows: list[Row]

    @property
    def data_rows(self) -> int:
        return len(self.rows)


def header_key(value) -> str:
    """How headers compare: case, spaces, underscores, asterisks, colons and a BOM aside."""
    return re.sub(r"[\s_*＊:：\ufeff]", "", str(value or "")).lower()


def cell_text(value) -> str:
    """A cell as text, as the person saw it in Excel (1280.0 → "1280", a date → ISO)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def detect_format(name: str, data: bytes) -> str:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error(
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再上传。",
            ImportErrorCode.UNSUPPORTED_FORMAT,
        )
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise file_error(
            "文件扩展名是 .xlsx，但内容不是 Excel 表格。", ImportErrorCode.UNREADABLE_FILE
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise file_error(
            "文件不是表格（CSV 或 XLSX），请检查上传的文件。", ImportErrorCode.UNSUPPORTED_FORMAT
        )
    return CSV


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_error(
            "文件是 UTF-16 编码（Excel「Unicode 文本」）。"
            "请另存为「CSV UTF-8（逗号分隔）」后再上传。",
            ImportErrorCode.UNSUPPORTED_ENCODING,
        )
    if b"\x00" in data[:4096]:
        raise file_error(
            "文件不是文本格式的 CSV，也不是 XLSX 表格，请检查文件。",
            ImportErrorCode.UNSUPPORTED_FORMAT,
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text[:4096]):
            raise file_error(
                "文件含有二进制内容，不是 CSV 文本文件。", ImportErrorCode.UNSUPPORTED_FORMAT
            )
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    raise file_error(
        "无法识别文件编码。请另存为「CSV UTF-8（逗号分隔）」后再上传。",
        ImportErrorCode.UNSUPPORTED_ENCODING,
    )


def _csv_rows(data: bytes) -> tuple[list[list], str]:
    text, encoding = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), encoding
    except csv.Error as exc:
        raise file_error(f"CSV 格式有误：{exc}", ImportErrorCode.UNREADABLE_FILE) from exc


def _xlsx_rows(data: bytes, sheet_name: str) -> list[list]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise file_error(
            "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。", ImportErrorCode.UNREADABLE_FILE
        ) from exc
    try:
        if sheet_name and sheet_name not in book.sheetnames:
            raise file_error(f"文件中没有工作表「{sheet_name}」。", ImportErrorCode.SHEET_NOT_FOUND)
        if not book.worksheets:
            raise file_error("Excel 文件中没有工作表。", ImportErrorCode.UNREADABLE_FILE)
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        try:
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise file_error(
                "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。",
                ImportErrorCode.UNREADABLE_FILE,
            ) from exc
    finally:
        book.close()


def _blank(values: Iterable) -> bool:
    return not any(cell_text(v) for v in values)


def read_table(
    name: str,
    data: bytes,
    *,
    columns: Sequence[Column],
    max_rows: int,
    formats: tuple[str, ...] = (XLSX, CSV),
    sheet_name: str = "",
    header_row: int = 1,
) -> Table:
    """The file's data rows under `columns`; blank rows are left out but keep their line
    numbers. Every way a file can fail as a whole is a ServiceError with an ImportErrorCode."""
    if not data:
        raise file_error("文件是空的。", ImportErrorCode.EMPTY_FILE)
    file_format = detect_format(name, data)
    if file_format not in formats:
        raise file_error("请上传 Excel（.xlsx）文件。", ImportErrorCode.UNSUPPORTED_FORMAT)
    if file_format == XLSX:
        grid, encoding = _xlsx_rows(data, sheet_name), ""
    else:
        grid, encoding = _csv_rows(data)
    grid = grid[header_row - 1 :]
    if not grid or _blank(grid[0]):
        raise file_error(
            f"第 {header_row} 行没有表头（列名），请下载模板对照。", ImportErrorCode.HEADER_MISSING
        )
    by_header = {header_key(h): column for column in columns for h in column.headers if h}
    positions: dict[str, list[int]] = {}
    for index, cell in enumerate(grid[0]):
        column = by_header.get(header_key(cell_text(cell)))
        if column is not None:
            positions.setdefault(column.key, []).append(index)
    missing = [c for c in columns if c.required and c.key not in positions]
    if missing:
        names = "、".join(c.title or c.headers[0] for c in missing)
        raise file_error(
            f"第 {header_row} 行表头缺少必填列：{names}。请下载模板对照表头。",
            ImportErrorCode.COLUMNS_MISSING,
            missing=[c.key for c in missing],
        )
    duplicated = [key for key, found in positions.items() if len(found) > 1]
    if duplicated:
        raise file_error(f"列名重复：{'、'.join(duplicated)}。", ImportErrorCode.DUPLICATE_COLUMNS)
    rows = []
    for offset, values in enumerate(grid[1:], start=1):
        if _blank(values):
            continue
        if len(rows) >= max_rows:
            raise file_error(
                f"数据行超过 {max_rows} 行，请拆分后导入。", ImportErrorCode.TOO_MANY_ROWS
            )
        cells = {key: values[i] if i < len(values) else None for key, (i,) in positions.items()}
        rows.append(Row(header_row + offset, cells))
    if not rows:
        raise file_error("文件只有表头，没有数据行。", ImportErrorCode.NO_DATA_ROWS)
    found = sorted(positions, key=lambda key: positions[key][0])
    return Table(file_format, encoding, found, rows)


# --------------------------------------------------------------------------------- checking


class Importer(Protocol):
    """What an import supplies to the pipeline."""

    def clean_row(self, values: dict[str, Any]) -> tuple[Any, RowErrors]:
        """The row's data (what could be read of it) and its errors by column."""

    def row_key(self, data: Any) -> Hashable:
        """Two good rows with the same key are the same record: the later is a duplicate."""

    def duplicate_errors(self, first_line: int) -> RowErrors:
        """The errors of a row repeating the good row on `first_line`."""


@dataclass
class CheckedRow:
    line_no: int
    data: Any = None
    errors: RowErrors = field(default_factory=dict)
    skipped: bool = False  # already there: nothing to write
    result: Any = None  # what writing it made (the importer's)
    messages: list[str] = field(default_factory=list)  # the errors as text, for a page

    @property
    def ok(self) -> bool:
        return not self.errors and not self.skipped


ProgressCallback = Callable[[int, int], None]


def check(
    rows: Sequence[Row],
    importer: Importer,
    *,
    on_progress: ProgressCallback | None = None,
    every: int = 1000,
) -> Iterator[CheckedRow]:
    """Each row cleaned by the importer, a repeat of a good row's key failing on its line."""
    seen: dict[Hashable, int] = {}
    for done, row in enumerate(rows, start=1):
        data, errors = importer.clean_row(row.values)
        if not errors:
            key = importer.row_key(data)
            if key in seen:
                errors = importer.duplicate_errors(seen[key])
            else:
                seen[key] = row.line_no
        if on_progress and done % every == 0:
            on_progress(done, len(rows))
        yield CheckedRow(row.line_no, data, errors)


def row_messages(errors: RowErrors, titles: dict[str, str] | None = None) -> list[str]:
    """A row's errors as lines of text, each prefixed with its column's title if given."""
    titles = titles or {}
    return [
        f"{titles[key]}：{message}" if key in titles else message
        for key, messages in errors.items()
        for message in messages
    ]


@dataclass
class Summary:
    """The counts of a preview or an import, its first rows and the failing rows."""

    total: int = 0
    valid: int = 0  # good rows (written, after the import)
    skipped: int = 0
    failed: int = 0
    rows: list[CheckedRow] = field(default_factory=list)  # a preview's first rows
    errors: list[CheckedRow] = field(default_factory=list)  # at most MAX_STORED_ERRORS

    def count(self, row: CheckedRow) -> None:
        self.total += 1
        if row.errors:
            self.failed += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(row)
        elif row.skipped:
            self.skipped += 1
        else:
            self.valid += 1


def preview(
    checked: Iterable[CheckedRow],
    *,
    first: int,
    keep: Callable[[CheckedRow], bool] = lambda row: True,
) -> Summary:
    """Counts, the `first` rows that `keep` keeps, and the failing rows."""
    summary = Summary()
    for row in checked:
        summary.count(row)
        if len(summary.rows) < first and keep(row):
            summary.rows.append(row)
    return summary


def confirm(
    checked: Iterable[CheckedRow],
    write: Callable[[list[CheckedRow]], None],
    *,
    total: int,
    chunk: int = 1000,
    on_progress: ProgressCallback | None = None,
) -> tuple[Summary, list[CheckedRow]]:
    """Hand the good rows to `write` in chunks of `chunk` (it may mark a row failed or
    skipped, or set its result), telling progress after each; the summary of the outcome
    and every row."""
    rows: list[CheckedRow] = []
    pending: list[CheckedRow] = []
    done = 0

    def flush() -> None:
        nonlocal done
        if pending:
            write(pending)
            pending.clear()
        done = len(rows)
        if on_progress:
            on_progress(done, total)

    for row in checked:
        rows.append(row)
        if row.ok:
            pending.append(row)
        if len(pending) >= chunk:
            flush()
    if pending or done < len(rows):
        flush()
    summary = Summary()
    for row in rows:
        summary.count(row)
    return summary, rows


def progress_percent(done: int, total: int) -> int:
    """Rows done as a percentage short of 100 (100 means finished, set with the summary)."""
    return min(99, done * 100 // max(total, 1))

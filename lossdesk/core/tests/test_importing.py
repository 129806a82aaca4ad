"""The one import pipeline (core.importing): the reader, the row check, the preview and the
confirm step, without any app's importer."""

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from lossdesk.core import importing
from lossdesk.core.errors import ServiceError
from lossdesk.core.excel import set_cell
from lossdesk.core.importing import Column, ImportErrorCode, cell_text, read_table

COLUMNS = [
    Column("oe_number", ("oe_number", "OE号"), required=True, title="oe_number（OE号）"),
    Column("name", ("name", "配件名称"), required=True),
    Column("note", ("备注",)),
]


def xlsx(rows, *, title="Sheet") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for line, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            set_cell(sheet.cell(line, index), value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([[cell_text(v) for v in row] for row in rows])
    return out.getvalue().encode(encoding)


def read(data, name="f.csv", **kwargs):
    kwargs.setdefault("columns", COLUMNS)
    kwargs.setdefault("max_rows", 100)
    return read_table(name, data, **kwargs)


def refusal(data, name="f.csv", **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as exc:
        read(data, name, **kwargs)
    assert exc.value.fields == {"file": [exc.value.message]}
    return exc.value


# ---------------------------------------------------------------- the reader, any grid

cells = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),
    st.integers(-(10**12), 10**12),
    # Excel keeps 15 significant digits: a float with more cannot survive any .xlsx.
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False).map(lambda f: round(f, 2)),
    st.dates(date(1950, 1, 1), date(2100, 1, 1)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 4),
    titles=st.integers(0, 2),
    data=st.data(),
)
def test_any_grid_reads_back_the_same_from_xlsx_and_csv_with_its_line_numbers(width, titles, data):
    grid = data.draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8))
    header = [f"列{i}" for i in range(width)]
    columns = [Column(f"c{i}", (h,)) for i, h in enumerate(header)]
    sheet = [["标题"]] * titles + [header] + grid
    expected = [
        (titles + 2 + offset, [cell_text(v) for v in row])
        for offset, row in enumerate(grid)
        if any(cell_text(v) for v in row)
    ]
    for name, content in (("f.xlsx", xlsx(sheet)), ("f.csv", csv_bytes(sheet))):
        try:
            table = read_table(name, content, columns=columns, max_rows=100, header_row=titles + 1)
        except ServiceError as exc:
            assert not expected and exc.code == ImportErrorCode.NO_DATA_ROWS
            continue
        read_back = [
            (row.line_no, [cell_text(row.values[f"c{i}"]) for i in range(width)])
            for row in table.rows
        ]
        assert read_back == expected, name


# ------------------------------------------------------------------- the reader, cases


def test_headers_match_by_key_label_or_variant_whatever_the_case_spaces_or_marks():
    table = read(csv_bytes([["OE Number*", "配件名称：", "备注"], ["A1", "前杠", "x"]]))
    assert table.columns == ["oe_number", "name", "note"]
    assert table.rows == [importing.Row(2, {"oe_number": "A1", "name": "前杠", "note": "x"})]
    assert (table.file_format, table.encoding) == ("csv", "utf-8")


def test_a_gbk_csv_is_read_and_its_encoding_kept():
    table = read(csv_bytes([["OE号", "配件名称"], ["A1", "前保险杠"]], encoding="gb18030"))
    assert table.encoding == "gb18030" and table.rows[0].values["name"] == "前保险杠"


def test_an_xlsx_keeps_its_cell_types_and_reads_the_named_sheet_below_a_title():
    content = xlsx([["清单"], ["OE号", "配件名称", "备注"], [123, "尾灯", datetime(2026, 3, 1)]])
    table = read(content, "f.xlsx", header_row=2, sheet_name="Sheet")
    assert table.rows[0].line_no == 3
    assert table.rows[0].values == {
        "oe_number": 123,
        "name": "尾灯",
        "note": datetime(2026, 3, 1),
    }


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


E = ImportErrorCode


@pytest.mark.parametrize(
    ("name", "content", "code", "words"),
    [
        ("f.csv", b"", E.EMPTY_FILE, "空的"),
        ("f.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 60, E.UNSUPPORTED_FORMAT, ".xls"),
        ("f.png", PNG, E.UNSUPPORTED_FORMAT, "不是表格"),
        ("f.xlsx", b"oe_number,name\n1,2\n", E.UNREADABLE_FILE, "内容不是 Excel"),
        ("f.xlsx", b"PK\x03\x04garbage", E.UNREADABLE_FILE, "无法读取"),
        ("f.csv", "oe_number,name\n1,2".encode("utf-16"), E.UNSUPPORTED_ENCODING, "UTF-16"),
        ("f.csv", b"\xff\xfe\xfd\x81\x30\x81", E.UNSUPPORTED_ENCODING, "编码"),
        ("f.csv", b"a\x01b,c\n", E.UNSUPPORTED_FORMAT, "二进制"),
        ("f.csv", b"\n\n1,2\n", E.HEADER_MISSING, "第 1 行没有表头"),
        ("f.csv", "oe_number,name,OE号\n1,2,3\n".encode(), E.DUPLICATE_COLUMNS, "oe_number"),
        ("f.csv", b"oe_number,name\n", E.NO_DATA_ROWS, "没有数据行"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_refused_with_a_code(name, content, code, words):
    error = refusal(content, name)
    assert error.code == code and words in error.message


def test_missing_required_columns_are_named_with_the_header_row():
    error = refusal(csv_bytes([["备注"], ["x"]]))
    assert error.code == ImportErrorCode.COLUMNS_MISSING
    assert error.message.startswith("第 1 行表头缺少必填列：oe_number（OE号）、name。")
    assert error.extra == {"missing": ["oe_number", "name"]}


def test_a_missing_sheet_a_csv_where_only_xlsx_is_taken_and_too_many_rows_are_refused():
    content = xlsx([["OE号", "配件名称"], ["A", "B"]])
    assert refusal(content, "f.xlsx", sheet_name="报案").code == ImportErrorCode.SHEET_NOT_FOUND
    only_xlsx = refusal(csv_bytes([["OE号", "配件名称"], ["A", "B"]]), formats=("xlsx",))
    assert only_xlsx.code == ImportErrorCode.UNSUPPORTED_FORMAT
    rows = [["OE号", "配件名称"], ["A", "B"], [], ["C", "D"], ["E", "F"]]
    assert len(read(csv_bytes(rows), max_rows=3).rows) == 3  # blank rows do not count
    too_many = refusal(csv_bytes(rows), max_rows=2)
    assert too_many.code == ImportErrorCode.TOO_MANY_ROWS and "超过 2 行" in too_many.message


# ------------------------------------------------------------- check, preview, confirm


class Upper:
    """A toy importer: `name` must be upper case; the key is the OE number."""

    def clean_row(self, values):
        name = cell_text(values.get("name"))
        errors = {} if name.isupper() else {"name": ["须大写"]}
        return {"oe": cell_text(values["oe_number"]), "name": name}, errors

    def row_key(self, data):
        return data["oe"]

    def duplicate_errors(self, first_line):
        return {"oe_number": [f"与第 {first_line} 行重复"]}


def rows(*pairs):
    return [
        importing.Row(line, {"oe_number": oe, "name": name})
        for line, (oe, name) in enumerate(pairs, start=2)
    ]


def test_check_fails_a_repeat_of_a_good_row_but_not_of_a_failing_one():
    checked = list(importing.check(rows(("A", "X"), ("A", "Y"), ("B", "x"), ("B", "Z")), Upper()))
    assert [(r.line_no, r.errors) for r in checked] == [
        (2, {}),
        (3, {"oe_number": ["与第 2 行重复"]}),
        (4, {"name": ["须大写"]}),
        (5, {}),
    ]
    assert checked[1].data == {"oe": "A", "name": "Y"}  # what could be read is kept


def test_check_tells_progress_every_so_many_rows():
    calls = []
    many = rows(*[(str(i), "X") for i in range(5)])
    list(importing.check(many, Upper(), on_progress=lambda *a: calls.append(a), every=2))
    assert calls == [(2, 5), (4, 5)]


def test_the_preview_counts_and_keeps_the_first_rows_and_every_failing_one():
    checked = importing.check(rows(("A", "X"), ("B", "b"), ("C", "Y"), ("D", "d")), Upper())
    summary = importing.preview(checked, first=1, keep=lambda row: row.ok)
    assert (summary.total, summary.valid, summary.skipped, summary.failed) == (4, 2, 0, 2)
    assert [r.line_no for r in summary.rows] == [2]
    assert [r.line_no for r in summary.errors] == [3, 5]


def test_confirm_writes_the_good_rows_in_chunks_with_progress_and_sums_up_the_outcome():
    written, progress = [], []

    def write(chunk):
        written.append([row.line_no for row in chunk])
        for row in chunk:
            if row.data["oe"] == "C":
                row.errors = {"__all__": ["写入失败"]}
            elif row.data["oe"] == "D":
                row.skipped = True
            else:
                row.result = row.data["oe"].lower()

    checked = importing.check(
        rows(("A", "X"), ("B", "b"), ("C", "Y"), ("D", "Z"), ("E", "W")), Upper()
    )
    summary, outcome = importing.confirm(
        checked, write, total=5, chunk=2, on_progress=lambda *a: progress.append(a)
    )
    assert written == [[2, 4], [5, 6]]
    assert progress == [(3, 5), (5, 5)]
    assert (summary.total, summary.valid, summary.skipped, summary.failed) == (5, 2, 1, 2)
    assert [r.result for r in outcome if r.ok] == ["a", "e"]
    assert [r.line_no for r in summary.errors] == [3, 4]


def test_row_messages_name_the_column_when_given_titles():
    errors = {"name": ["须大写"], "__all__": ["写入失败"]}
    assert importing.row_messages(errors, {"name": "配件名称"}) == ["配件名称：须大写", "写入失败"]
    assert importing.row_messages(errors) == ["须大写", "写入失败"]

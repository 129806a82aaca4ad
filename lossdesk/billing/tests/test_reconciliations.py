"""Reconciliation with a client's settlement sheet (issue 14 §4): read through the import
pipeline with the client's column mapping, matched with a statement by claim number to the
fen; unknown claim numbers and unreadable rows are listed, not dropped; the 财务对账明细表 as
Excel."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from lossdesk.billing import reconciliations
from lossdesk.billing.exports import reconciliation_workbook
from lossdesk.billing.statements import do_change_statement_status
from lossdesk.billing.tests.test_statements import billed, make_statement  # noqa: F401
from lossdesk.core.errors import IllegalTransition, PermissionDenied, ServiceError
from lossdesk.core.importing import ImportErrorCode

pytestmark = pytest.mark.django_db


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def categories(reconciliation):
    return {
        line.client_claim_no: (line.category, line.ours, line.theirs, line.case_id)
        for line in reconciliation.lines.all()
    }


def test_the_sheet_is_matched_line_by_line_to_the_fen(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    sheet = xlsx(
        [
            ["赔案号", "被保险人", "公估费"],
            ["PICC-1", "陈先生", 600],
            ["PICC-2", "陈先生", 599.99],
            ["PICC-404", "王女士", 80.5],
        ]
    )
    done = reconciliations.do_reconcile_statement(
        statement, name="结算清单.xlsx", data=sheet, actor=firm.finance
    )
    assert categories(done) == {
        "PICC-1": ("matched", Decimal("600.00"), Decimal("600.00"), billed[0].pk),
        "PICC-2": ("amount_differs", Decimal("600.00"), Decimal("599.99"), billed[1].pk),
        "PICC-404": ("only_theirs", None, Decimal("80.50"), None),
    }
    assert (done.ours_total, done.theirs_total, done.sheet_rows) == (
        Decimal("1200.00"),
        Decimal("1280.49"),
        3,
    )
    assert done.lines.get(client_claim_no="PICC-404").sheet_line_no == 4


def test_a_csv_sheet_with_the_clients_own_headers_and_bad_rows(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    reconciliations.do_set_sheet_mapping(
        firm.client,
        columns={"client_claim_no": ["理赔案件号"], "amount": "应付金额, 结算费"},
        actor=firm.finance,
    )
    sheet = "理赔案件号,应付金额\nPICC-1,600.00\nPICC-1,600.00\n,10\nPICC-9,abc\n".encode("gb18030")
    done = reconciliations.do_reconcile_statement(
        statement, name="settle.csv", data=sheet, actor=firm.finance
    )
    assert {k: v[0] for k, v in categories(done).items()} == {
        "PICC-1": "matched",
        "PICC-2": "only_ours",
    }
    assert [e["line_no"] for e in done.row_errors] == [3, 4, 5]
    assert "重复" in done.row_errors[0]["messages"][0]
    assert done.row_errors[2]["messages"] == ["金额：不是金额：abc。"]


def test_a_sheet_without_the_columns_is_refused_as_a_whole(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    with pytest.raises(ServiceError) as refused:
        reconciliations.do_reconcile_statement(
            statement, name="x.xlsx", data=xlsx([["保单号", "金额"], ["P1", 1]]), actor=firm.finance
        )
    assert refused.value.code == ImportErrorCode.COLUMNS_MISSING
    assert "file" in refused.value.fields
    assert not statement.reconciliations.exists()


def test_a_claim_of_ours_not_on_the_statement_keeps_its_case(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    do_change_statement_status(statement, action="void", note="重做", actor=firm.finance)
    with pytest.raises(IllegalTransition):
        reconciliations.do_reconcile_statement(
            statement,
            name="a.xlsx",
            data=xlsx([["赔案号", "公估费"], ["PICC-1", 1]]),
            actor=firm.finance,
        )
    statement = make_statement(firm, client_branch=firm.client_branch)
    statement.lines.filter(client_claim_no="PICC-2").delete()
    done = reconciliations.do_reconcile_statement(
        statement,
        name="a.xlsx",
        data=xlsx([["赔案号", "公估费"], ["picc-2", 600]]),
        actor=firm.finance,
    )
    assert categories(done)["picc-2"] == ("only_theirs", None, Decimal("600.00"), billed[1].pk)


def test_who_may_reconcile(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    with pytest.raises(PermissionDenied):
        reconciliations.do_reconcile_statement(
            statement, name="a.xlsx", data=xlsx([["赔案号", "公估费"]]), actor=firm.zhoujiu
        )


def test_the_detail_table_reads_back(firm, billed):  # noqa: F811
    statement = make_statement(firm)
    sheet = xlsx([["赔案号", "公估费"], ["PICC-1", 600], ["PICC-2", 600.01], ["X-1", 5], ["", 3]])
    done = reconciliations.do_reconcile_statement(
        statement, name="s.xlsx", data=sheet, actor=firm.finance
    )
    book = load_workbook(BytesIO(reconciliation_workbook(done)))
    table = book["财务对账明细表"]
    assert table["A1"].value == f"财务对账明细表　{statement.statement_no}"
    assert [c.value for c in table[6]] == [
        "序号",
        "委托方赔案号",
        "案件号",
        "对账结果",
        "我方公估费",
        "委托方金额",
        "差额（委托方−我方）",
        "清单行号",
    ]
    rows = [[c.value for c in row] for row in table.iter_rows(min_row=7)]
    assert rows[0][1:7] == ["PICC-1", billed[0].case_no, "一致", 600, 600, 0]
    assert rows[1][1:7] == ["PICC-2", billed[1].case_no, "金额不符", 600, 600.01, 0.01]
    assert rows[2][1:7] == ["X-1", "（无此案件）", "仅委托方有", None, 5, None]
    assert rows[3][0] == "合计" and rows[3][4:7] == [1200, 1205.01, 5.01]
    assert table.cell(7, 6).number_format == "#,##0.00"
    assert [[c.value for c in r] for r in book["无法读取的行"].iter_rows(min_row=2)] == [
        [5, "赔案号：赔案号为空。"]
    ]

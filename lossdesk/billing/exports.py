"""The statement and the reconciliation detail table (财务对账明细表) as Excel files for a
client's finance desk: a header block naming the firm, the client and the period, then one row
per case, then the totals; amounts are numbers with two decimals (core.excel)."""

from decimal import Decimal

from django.utils import timezone

from lossdesk.billing.choices import FeeLineChoices, ReconciliationCategory
from lossdesk.billing.models import Reconciliation, Statement
from lossdesk.core.excel import BOLD, Column, Workbook, set_cell
from lossdesk.org.models import Branch

MONEY_FORMAT = "#,##0.00"
ZERO = Decimal("0.00")


def _money(header: str) -> Column:
    return Column(header, width=14, number_format=MONEY_FORMAT)


def _firm_name() -> str:
    root = Branch.objects.filter(parent__isnull=True).order_by("pk").first()
    return root.name if root is not None else ""


def _header_block(sheet, lines: list[str]) -> None:
    """Lines of text above the table (the table moves down under them)."""
    sheet.insert_rows(1, amount=len(lines) + 1)
    for row, text in enumerate(lines, start=1):
        set_cell(sheet.cell(row, 1), text)
        if row == 1:
            sheet.cell(row, 1).font = BOLD
    sheet.freeze_panes = f"A{len(lines) + 3}"


def statement_workbook(statement: Statement) -> bytes:
    lines = list(
        statement.lines.select_related("case__report", "case__adjusting_report").order_by(
            "billing_date", "pk"
        )
    )
    fee_lines = list(FeeLineChoices)
    has_adjustment = any(part["code"] == "adjustment" for line in lines for part in line.components)
    columns = [
        Column("序号", width=6),
        Column("委托方赔案号", width=24),
        Column("案件号", width=16),
        Column("车牌号", width=12),
        Column("报案日期", width=12),
        Column("报告出具/注销日期", width=14),
        _money("核定金额"),
        *[_money(f"{line.label}公估费") for line in fee_lines],
        *([_money("调整")] if has_adjustment else []),
        _money("公估费合计"),
    ]
    rows = []
    for n, line in enumerate(lines, start=1):
        parts = {p["code"]: Decimal(p["amount"]) for p in line.components}
        report = line.case.report
        rows.append(
            [
                n,
                line.client_claim_no,
                line.case.case_no,
                report.plate,
                timezone.localtime(report.reported_at).date(),
                line.billing_date,
                line.approved_amount,
                *[parts.get(fl.value, ZERO) for fl in fee_lines],
                *([parts.get("adjustment", ZERO)] if has_adjustment else []),
                line.fee,
            ]
        )
    per_line = [sum((Decimal(r[7 + i]) for r in rows), ZERO) for i in range(len(fee_lines))]
    footer = [
        "合计",
        f"{len(rows)} 件",
        "",
        "",
        "",
        "",
        statement.total_approved,
        *per_line,
        *([sum((r[7 + len(fee_lines)] for r in rows), ZERO)] if has_adjustment else []),
        statement.total_fee,
    ]
    book = Workbook()
    sheet = book.add_sheet("对账单", columns, rows, footer=footer)
    for row in sheet.iter_rows(min_col=5, max_col=6, min_row=2):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    client = str(statement.client_branch or statement.client)
    _header_block(
        sheet,
        [
            f"公估服务费对账单　{statement.statement_no}",
            f"公估机构：{_firm_name()}（{statement.branch.name}）",
            f"委托方：{client}",
            f"账期：{statement.period_start:%Y-%m-%d} 至 {statement.period_end:%Y-%m-%d}"
            f"　状态：{statement.get_status_display()}",
        ],
    )
    return book.content()


def reconciliation_workbook(reconciliation: Reconciliation) -> bytes:
    statement = reconciliation.statement
    lines = list(reconciliation.lines.select_related("case").order_by("pk"))
    columns = [
        Column("序号", width=6),
        Column("委托方赔案号", width=24),
        Column("案件号", width=16),
        Column("对账结果", width=12),
        _money("我方公估费"),
        _money("委托方金额"),
        _money("差额（委托方−我方）"),
        Column("清单行号", width=10),
    ]
    rows = [
        [
            n,
            line.client_claim_no,
            line.case.case_no if line.case else "（无此案件）",
            line.get_category_display(),
            line.ours,
            line.theirs,
            line.difference,
            line.sheet_line_no,
        ]
        for n, line in enumerate(lines, start=1)
    ]
    footer = [
        "合计",
        f"{len(rows)} 行",
        "",
        "",
        reconciliation.ours_total,
        reconciliation.theirs_total,
        reconciliation.theirs_total - reconciliation.ours_total,
        "",
    ]
    book = Workbook()
    sheet = book.add_sheet("财务对账明细表", columns, rows, footer=footer)
    counts = {c: 0 for c in ReconciliationCategory}
    for line in lines:
        counts[ReconciliationCategory(line.category)] += 1
    _header_block(
        sheet,
        [
            f"财务对账明细表　{statement.statement_no}",
            f"公估机构：{_firm_name()}（{statement.branch.name}）",
            f"委托方：{statement.client_branch or statement.client}"
            f"　账期：{statement.period_start:%Y-%m-%d} 至 {statement.period_end:%Y-%m-%d}",
            "　".join(f"{c.label} {n} 行" for c, n in counts.items())
            + f"　委托方清单：{reconciliation.file_name}",
        ],
    )
    if reconciliation.row_errors:
        book.add_sheet(
            "无法读取的行",
            [Column("清单行号", width=10), Column("原因", width=60)],
            [[e["line_no"], "；".join(e["messages"])] for e in reconciliation.row_errors],
        )
    return book.content()

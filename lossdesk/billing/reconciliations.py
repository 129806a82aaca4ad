"""Reconciliation (财务对账): a client's settlement sheet (结算清单, Excel or CSV) read through
the shared import pipeline (core.importing) with the client's column mapping
(ClientSheetMapping, else the usual headers), then matched with a statement line by line by
the client's claim number (lossdesk.rules.reconciliation), to the fen. A claim number of
theirs that is no case of ours is listed with no case; a row that cannot be read (no claim
number, an amount that is not one, a repeated claim number) is kept with its messages."""

import contextlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models.functions import Trim, Upper
from django.utils import timezone

from lossdesk.billing.choices import StatementStatus
from lossdesk.billing.models import (
    ClientSheetMapping,
    Reconciliation,
    ReconciliationLine,
    Statement,
)
from lossdesk.billing.permissions import ADD_RECONCILIATION, CHANGE_SHEET_MAPPING
from lossdesk.billing.statements import invalid
from lossdesk.claims.models import Case
from lossdesk.core import importing
from lossdesk.core.errors import IllegalTransition, NotFound, PermissionDenied
from lossdesk.org.models import Client
from lossdesk.rules import reconciliation as rules

MAX_SHEET_ROWS = 20000
CLAIM_NO, AMOUNT = "client_claim_no", "amount"
# The headers read when the client has no mapping of its own.
DEFAULT_HEADERS = {
    CLAIM_NO: ["委托方赔案号", "赔案号", "理赔编号", "报案号", "claim_no"],
    AMOUNT: ["公估费", "结算金额", "应付公估费", "金额", "amount"],
}
TITLES = {CLAIM_NO: "赔案号", AMOUNT: "金额"}
MAX_HEADERS, MAX_HEADER_LENGTH = 10, 60


def sheet_columns(client: Client) -> tuple[list[importing.Column], str]:
    mapping = ClientSheetMapping.objects.filter(client=client).first()
    headers = mapping.columns if mapping is not None else DEFAULT_HEADERS
    columns = [
        importing.Column(key, tuple(headers.get(key) or DEFAULT_HEADERS[key]), True, title)
        for key, title in TITLES.items()
    ]
    return columns, mapping.sheet_name if mapping is not None else ""


@dataclass(frozen=True)
class SheetLine:
    claim_no: str
    amount: Decimal


class SettlementSheet:
    """The importer of one settlement sheet: a claim number and an amount to the fen."""

    def clean_row(self, values):
        errors: importing.RowErrors = {}
        claim_no = importing.cell_text(values.get(CLAIM_NO))
        if not claim_no:
            errors[CLAIM_NO] = ["赔案号为空。"]
        raw = values.get(AMOUNT)
        text = importing.cell_text(raw).replace(",", "").replace("，", "")
        amount = None
        with contextlib.suppress(InvalidOperation, ValueError):
            amount = Decimal(str(raw)) if isinstance(raw, int | float) else Decimal(text)
        if amount is None or not amount.is_finite():
            errors[AMOUNT] = [f"不是金额：{text or '（空）'}。"]
        else:
            # An Excel float such as 1280.1 reads as 1280.09999…: to the fen, half up.
            amount = amount.quantize(Decimal("0.01"))
        if errors:
            return None, errors
        return SheetLine(claim_no, amount), {}

    def row_key(self, data: SheetLine):
        return rules.claim_key(data.claim_no)

    def duplicate_errors(self, first_line: int):
        return {CLAIM_NO: [f"赔案号与第 {first_line} 行重复，只按第 {first_line} 行对账。"]}


def read_sheet(client: Client, name: str, data: bytes):
    """The good lines of the sheet and the failing rows as `{"line_no", "messages"}`."""
    columns, sheet_name = sheet_columns(client)
    table = importing.read_table(
        name, data, columns=columns, max_rows=MAX_SHEET_ROWS, sheet_name=sheet_name
    )
    good: list[tuple[int, SheetLine]] = []
    failed: list[dict] = []
    for row in importing.check(table.rows, SettlementSheet()):
        if row.errors:
            failed.append(
                {"line_no": row.line_no, "messages": importing.row_messages(row.errors, TITLES)}
            )
        else:
            good.append((row.line_no, row.data))
    return good, failed, table.data_rows


def do_reconcile_statement(statement: Statement, *, name: str, data: bytes, actor):
    """Reads the client's sheet and stores its comparison with `statement`."""
    if not actor.has_perm(ADD_RECONCILIATION):
        raise PermissionDenied("只有财务可以对账。")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能对账。")
    statement = Statement.objects.for_user(actor).filter(pk=statement.pk).first()
    if statement is None:
        raise NotFound("对账单不存在或不在您的数据范围内。")
    if statement.status == StatementStatus.VOIDED:
        raise IllegalTransition("对账单已作废，不能对账。", current_state=statement.status)
    good, failed, sheet_rows = read_sheet(statement.client, name, data)
    ours_lines = {line.client_claim_no: line for line in statement.lines.all()}
    theirs = {line.claim_no: line.amount for _, line in good}
    line_no = {rules.claim_key(line.claim_no): n for n, line in good}
    matches = rules.match({k: v.fee for k, v in ours_lines.items()}, theirs)
    only_theirs = [m.claim_no for m in matches if m.category == rules.Category.only_theirs]
    # A claim number only theirs may still be a case of ours (not on this statement).
    known = dict(
        Case.objects.for_user(actor)
        .filter(client=statement.client)
        .annotate(key=Upper(Trim("report__client_claim_no")))
        .filter(key__in=[rules.claim_key(no) for no in only_theirs])
        .values_list("key", "pk")
    )
    with transaction.atomic():
        reconciliation = Reconciliation.objects.create(
            statement=statement,
            branch_id=actor.branch_id,
            file_name=name[:200],
            sheet_rows=sheet_rows,
            row_errors=failed,
            ours_total=sum((m.ours for m in matches if m.ours is not None), Decimal("0.00")),
            theirs_total=sum((m.theirs for m in matches if m.theirs is not None), Decimal("0.00")),
            created_by=actor,
            created_at=timezone.now(),
        )
        ReconciliationLine.objects.bulk_create(
            ReconciliationLine(
                reconciliation=reconciliation,
                category=m.category.value,
                client_claim_no=m.claim_no[:50],
                case_id=(
                    ours_lines[m.claim_no].case_id
                    if m.claim_no in ours_lines
                    else known.get(rules.claim_key(m.claim_no))
                ),
                sheet_line_no=line_no.get(rules.claim_key(m.claim_no)),
                ours=m.ours,
                theirs=m.theirs,
            )
            for m in matches
        )
    return reconciliation


def reconciliation_for(user, pk) -> Reconciliation:
    found = Reconciliation.objects.for_user(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("对账记录不存在或不在您的数据范围内。")
    return found


@transaction.atomic
def do_set_sheet_mapping(client: Client, *, columns: dict, sheet_name: str = "", actor):
    """The headers `client`'s settlement sheet uses: for `client_claim_no` and `amount`, a
    list of header texts each (either may be left to the usual headers)."""
    if not actor.has_perm(CHANGE_SHEET_MAPPING):
        raise PermissionDenied("只有财务可以维护结算清单格式。")
    unknown = set(columns) - set(TITLES)
    if unknown:
        raise invalid("columns", f"未知字段：{'、'.join(sorted(unknown))}。")
    cleaned: dict[str, list[str]] = {}
    taken: dict[str, str] = {}  # a header as the import pipeline compares it → its column
    for key, title in TITLES.items():
        headers = columns.get(key) or []
        if isinstance(headers, str):
            headers = [h for h in headers.replace("，", ",").split(",")]
        if not isinstance(headers, list) or not all(isinstance(h, str) for h in headers):
            raise invalid(f"columns.{key}", f"{title}列须为表头文字的列表。")
        headers = [h.strip() for h in headers if h.strip()]
        field = f"columns.{key}"
        if len(headers) > MAX_HEADERS:
            raise invalid(field, f"{title}列最多填写 {MAX_HEADERS} 个表头。")
        for header in headers:
            if len(header) > MAX_HEADER_LENGTH:
                raise invalid(
                    field, f"{title}列的表头“{header[:20]}…”超过 {MAX_HEADER_LENGTH} 字。"
                )
            compared = importing.header_key(header)
            if compared in taken:  # read before: by the other column, or twice by this one
                other = taken[compared]
                where = f"已用作{other}列" if other != title else "重复填写"
                raise invalid(field, f"{title}列的表头“{header}”{where}：每个表头只能对应一列。")
            taken[compared] = title
        if headers:
            cleaned[key] = headers
    mapping, _ = ClientSheetMapping.objects.update_or_create(
        client=client,
        defaults={
            "columns": cleaned,
            "sheet_name": (sheet_name or "").strip()[:60],
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    return mapping

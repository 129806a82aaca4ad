"""Statements (对账单), payments (回款) and receivables: every write is
`do_<verb>_<noun>(…, *, actor)`, one transaction, permission-checked, within the actor's
data scope (the cases through Case.objects.for_user, the rest by the making branch).

A case's billing date (账期日) is the Beijing date its adjusting report was issued or, for a
case cancelled without a report, the date its fee was computed on cancellation. A statement
for a period lists the client's cases with a fee whose billing date falls in it and that are
on no other statement that is not voided. What a case still owes (outstanding) is its fee
(with approved adjustments) less what payments allocated to it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from lossdesk.billing.choices import (
    AdjustmentStatus,
    FeeLineChoices,
    StatementAction,
    StatementStatus,
)
from lossdesk.billing.error_codes import BillingErrorCode
from lossdesk.billing.models import (
    CaseFee,
    FeeAdjustment,
    Payment,
    PaymentAllocation,
    Statement,
    StatementEvent,
    StatementLine,
)
from lossdesk.billing.permissions import ADD_PAYMENT, ADD_STATEMENT, CHANGE_STATEMENT
from lossdesk.claims.models import Case
from lossdesk.core.errors import (
    Conflict,
    ErrorCode,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from lossdesk.core.limits import NOTE_MAX
from lossdesk.org.models import Client, ClientBranch
from lossdesk.rules.money import fmt_money

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal(10) ** 12
MONEY = DecimalField(max_digits=14, decimal_places=2)


def invalid(field: str, message: str, code=ErrorCode.INVALID) -> ServiceError:
    return ServiceError(message, code=code, fields={field: [message]})


def parse_amount(value, field: str = "amount") -> Decimal:
    """A positive amount to the fen (more decimals than fen are refused, not rounded)."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise invalid(field, "须为金额，如 1280.50。")
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(field, "金额精确到分（最多两位小数）。")
    if amount <= 0 or amount >= MAX_AMOUNT:
        raise invalid(field, "金额须大于 0。")
    return amount.quantize(Decimal("0.01"))


def clean_note(note: str, field: str = "note") -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise invalid(field, f"最多 {NOTE_MAX} 个字。")
    return note


# ------------------------------------------------------------------------ case figures


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def billed_fees(user):
    """The fees `user` may see, each annotated with `billed_at` (the report's issue time or,
    without a report, the fee's computation), `fee_total` (with approved adjustments),
    `paid` (allocated) and `outstanding`."""
    approved = (
        FeeAdjustment.objects.filter(case_fee=OuterRef("pk"), status=AdjustmentStatus.APPROVED)
        .order_by()
        .values("case_fee")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    paid = (
        PaymentAllocation.objects.filter(case=OuterRef("case"))
        .order_by()
        .values("case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        CaseFee.objects.for_user(user)
        .annotate(
            billed_at=Coalesce("case__adjusting_report__issued_at", "computed_at"),
            fee_total=F("computed_total")
            + Coalesce(Subquery(approved, output_field=MONEY), Value(ZERO), output_field=MONEY),
            paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        )
        .annotate(outstanding=F("fee_total") - F("paid"))
    )


def billing_date(fee) -> date:
    return timezone.localtime(fee.billed_at).date()


def billable_fees(actor, *, client: Client, client_branch, period_start: date, period_end: date):
    """The fees a new statement for the period would list."""
    on_live_statement = StatementLine.objects.filter(case=OuterRef("case"), voided=False)
    fees = (
        billed_fees(actor)
        .filter(
            case__client=client,
            billed_at__gte=day_start(period_start),
            billed_at__lt=day_start(period_end + timedelta(days=1)),
        )
        .exclude(Exists(on_live_statement))
    )
    if client_branch is not None:
        fees = fees.filter(case__report__client_branch=client_branch)
    return fees.select_related("case__report", "case__adjusting_report").prefetch_related(
        "components"
    )


def line_components(fee) -> list[dict]:
    """The fee's parts as a statement line keeps them: each loss line's fee, then the
    approved adjustments when there are any."""
    parts = [
        {"code": c.line, "label": FeeLineChoices(c.line).label, "amount": str(c.fee)}
        for c in fee.components.all()
    ]
    adjusted = fee.fee_total - fee.computed_total
    if adjusted:
        parts.append({"code": "adjustment", "label": "调整", "amount": str(adjusted)})
    return parts


# ---------------------------------------------------------------------------- statements


def _event(statement: Statement, actor, note: str = "") -> None:
    StatementEvent.objects.create(
        statement=statement, status=statement.status, note=note, actor=actor, at=timezone.now()
    )


def do_create_statement(
    *,
    client: Client,
    period_start: date,
    period_end: date,
    client_branch: ClientBranch | None = None,
    note: str = "",
    actor,
) -> Statement:
    """A draft statement of `client` (or of `client_branch`) for the period: every case the
    actor sees with a fee billed in it and on no other live statement, its approved amount
    and fee frozen on the line."""
    if not actor.has_perm(ADD_STATEMENT):
        raise PermissionDenied("只有财务可以制作对账单。")
    if period_end < period_start:
        raise invalid("period_end", "账期止不能早于账期起。")
    if client_branch is not None and client_branch.client_id != client.pk:
        raise invalid("client_branch", "该分支机构不属于所选委托方。")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能制作对账单。")
    note = clean_note(note)
    try:
        with transaction.atomic():
            fees = list(
                billable_fees(
                    actor,
                    client=client,
                    client_branch=client_branch,
                    period_start=period_start,
                    period_end=period_end,
                ).order_by("billed_at", "pk")
            )
            if not fees:
                raise ServiceError(
                    f"{period_start:%Y-%m-%d} 至 {period_end:%Y-%m-%d} 没有可列入对账单的案件"
                    "（已出具报告或已注销、已计算公估费、且未列入其他对账单）。",
                    code=BillingErrorCode.NO_CASES_TO_BILL,
                )
            now = timezone.now()
            statement = Statement.objects.create(
                statement_no=f"TMP{now:%H%M%S%f}{actor.pk}",
                client=client,
                client_branch=client_branch,
                branch_id=actor.branch_id,
                period_start=period_start,
                period_end=period_end,
                note=note,
                created_by=actor,
                created_at=now,
            )
            statement.statement_no = f"DZ{timezone.localdate(now):%Y%m%d}-{statement.pk:05d}"
            lines = [
                StatementLine(
                    statement=statement,
                    case=fee.case,
                    client_claim_no=fee.case.report.client_claim_no,
                    billing_date=billing_date(fee),
                    approved_amount=approved_amount(fee.case),
                    fee=fee.fee_total,
                    components=line_components(fee),
                )
                for fee in fees
            ]
            StatementLine.objects.bulk_create(lines)
            statement.total_approved = sum((line.approved_amount for line in lines), ZERO)
            statement.total_fee = sum((line.fee for line in lines), ZERO)
            statement.save(update_fields=["statement_no", "total_approved", "total_fee"])
            _event(
                statement, actor, f"制单：{len(lines)} 件，公估费 {fmt_money(statement.total_fee)}"
            )
            return statement
    except IntegrityError:  # another statement took one of the cases meanwhile
        raise Conflict(
            "有案件刚被列入其他对账单，请重新制作。", code=BillingErrorCode.CASE_ON_STATEMENT
        ) from None


def approved_amount(case: Case) -> Decimal:
    report = getattr(case, "adjusting_report", None)
    if report is not None:
        return report.amount
    return case.approved_amount or ZERO


# action → (the statuses it may leave, the status it reaches, whether it needs a note)
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    StatementAction.SEND: (frozenset({StatementStatus.DRAFT}), StatementStatus.SENT, False),
    StatementAction.CONFIRM: (
        frozenset({StatementStatus.SENT, StatementStatus.DISPUTED}),
        StatementStatus.CONFIRMED,
        False,
    ),
    StatementAction.DISPUTE: (frozenset({StatementStatus.SENT}), StatementStatus.DISPUTED, True),
    StatementAction.VOID: (
        frozenset({StatementStatus.DRAFT, StatementStatus.DISPUTED}),
        StatementStatus.VOIDED,
        True,
    ),
}


def statement_for(user, pk, action: str = "view") -> Statement:
    statement = Statement.objects.for_user(user, action).filter(pk=pk).first()
    if statement is None:
        raise NotFound("对账单不存在或不在您的数据范围内。")
    return statement


def allowed_actions(statement: Statement) -> list[str]:
    return [a for a, (sources, _, _) in TRANSITIONS.items() if statement.status in sources]


@transaction.atomic
def do_change_statement_status(statement: Statement, *, action: str, note: str = "", actor):
    """send (draft → sent), confirm (sent or disputed → confirmed), dispute (sent →
    disputed, with the client's reason), void (draft or disputed → voided, with a reason;
    its cases may go on another statement). A confirmed statement never changes."""
    if not actor.has_perm(CHANGE_STATEMENT):
        raise PermissionDenied("只有财务可以变更对账单状态。")
    statement = (
        Statement.objects.for_user(actor, "change")
        .select_for_update()
        .filter(pk=statement.pk)
        .first()
    )
    if statement is None:
        raise NotFound("对账单不存在或不在您的数据范围内。")
    if action not in TRANSITIONS:
        raise invalid("action", "未知的操作。")
    sources, target, needs_note = TRANSITIONS[action]
    if statement.status not in sources:
        raise IllegalTransition(
            f"对账单{statement.get_status_display()}，不能{StatementAction(action).label}。",
            current_state=statement.status,
        )
    note = clean_note(note)
    if needs_note and not note:
        raise invalid("note", "请填写说明（异议内容或作废原因）。")
    statement.status = target
    statement.status_note = note
    statement.status_changed_at = timezone.now()
    statement.save(update_fields=["status", "status_note", "status_changed_at"])
    if target == StatementStatus.VOIDED:
        statement.lines.update(voided=True)
    _event(statement, actor, note)
    return statement


# ------------------------------------------------------------------------------ payments


@transaction.atomic
def do_record_payment(
    *, client: Client, paid_on: date, amount, reference: str, note: str = "", actor
) -> Payment:
    """A payment received from `client`; its reference is unique per client, so the same
    remittance is not entered twice."""
    if not actor.has_perm(ADD_PAYMENT):
        raise PermissionDenied("只有财务可以登记回款。")
    if actor.branch_id is None:
        raise PermissionDenied("您没有所属机构，不能登记回款。")
    amount = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise invalid("reference", "请填写付款凭证号。")
    if paid_on > timezone.localdate():
        raise invalid("paid_on", "到账日期不能晚于今天。")
    if Payment.objects.filter(client=client, reference=reference).exists():
        raise Conflict(
            f"该委托方凭证号 {reference} 的回款已登记。",
            code=BillingErrorCode.DUPLICATE_PAYMENT,
            fields={"reference": ["该凭证号已登记。"]},
        )
    return Payment.objects.create(
        client=client,
        branch_id=actor.branch_id,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        note=clean_note(note),
        created_by=actor,
        created_at=timezone.now(),
    )


def payment_for(user, pk, action: str = "view") -> Payment:
    payment = Payment.objects.for_user(user, action).filter(pk=pk).first()
    if payment is None:
        raise NotFound("回款不存在或不在您的数据范围内。")
    return payment


def allocated(payment: Payment) -> Decimal:
    return payment.allocations.aggregate(t=Sum("amount"))["t"] or ZERO


@transaction.atomic
def do_allocate_payment(payment: Payment, *, allocations: list[dict], actor):
    """Applies parts of `payment` to cases of its client: each `{"case_no", "amount"}`. The
    payment is never allocated beyond its amount, nor a case beyond its outstanding fee; any
    refusal names its line (`allocations.<i>.<field>`) and nothing is saved."""
    if not actor.has_perm(ADD_PAYMENT):
        raise PermissionDenied("只有财务可以核销回款。")
    payment = (
        Payment.objects.for_user(actor, "change").select_for_update().filter(pk=payment.pk).first()
    )
    if payment is None:
        raise NotFound("回款不存在或不在您的数据范围内。")
    if not allocations:
        raise invalid("allocations", "请至少填写一个案件的核销金额。")
    remaining = payment.amount - allocated(payment)
    visible = Case.objects.for_user(actor)
    made: list[PaymentAllocation] = []
    seen: set[str] = set()
    now = timezone.now()
    for index, item in enumerate(allocations):
        prefix = f"allocations.{index}"
        case_no = str(item.get("case_no") or "").strip()
        if case_no in seen:
            raise invalid(f"{prefix}.case_no", "同一案件只填一行。")
        seen.add(case_no)
        case = visible.filter(case_no=case_no).first()
        if case is None:
            raise invalid(f"{prefix}.case_no", f"案件 {case_no} 不存在或不在您的数据范围内。")
        if case.client_id != payment.client_id:
            raise invalid(f"{prefix}.case_no", f"案件 {case_no} 不是该委托方的案件。")
        amount = parse_amount(item.get("amount"), f"{prefix}.amount")
        # Locks the case's fee: two allocations to one case never both pass the check.
        fee = CaseFee.objects.select_for_update().filter(case=case).first()
        if fee is None:
            raise invalid(f"{prefix}.case_no", f"案件 {case_no} 尚未计算公估费。")
        outstanding = billed_fees(actor).get(pk=fee.pk).outstanding
        if amount > outstanding:
            raise ServiceError(
                f"案件 {case_no} 未收公估费 {fmt_money(outstanding)}，"
                f"核销 {fmt_money(amount)} 超出。",
                code=BillingErrorCode.EXCEEDS_OUTSTANDING,
                fields={f"{prefix}.amount": [f"超出未收公估费 {fmt_money(outstanding)}。"]},
            )
        if amount > remaining:
            raise ServiceError(
                f"回款 {fmt_money(payment.amount)} 尚可核销 {fmt_money(remaining)}，"
                f"核销 {fmt_money(amount)} 超出。",
                code=BillingErrorCode.OVER_ALLOCATION,
                fields={f"{prefix}.amount": [f"超出回款尚可核销金额 {fmt_money(remaining)}。"]},
            )
        remaining -= amount
        made.append(
            PaymentAllocation.objects.create(
                payment=payment, case=case, amount=amount, created_by=actor, created_at=now
            )
        )
    return made


# ----------------------------------------------------------------------------- ageing

AGEING_BUCKETS = (("d0_30", "0–30 天", 30), ("d31_60", "31–60 天", 60), ("d61_90", "61–90 天", 90))
OVER_90 = ("d90_plus", "90 天以上")


def bucket_of(days: int) -> str:
    for key, _, limit in AGEING_BUCKETS:
        if days <= limit:
            return key
    return OVER_90[0]


@dataclass
class AgeingRow:
    client_id: int
    client: str
    buckets: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    cases: int = 0


def receivables_ageing(user, *, on: date | None = None) -> list[AgeingRow]:
    """What each client still owes, by the days since the case's billing date (the
    report's issue, or the cancellation) on `on` (today): 0–30, 31–60, 61–90, over 90."""
    on = on or timezone.localdate()
    keys = [key for key, _, _ in AGEING_BUCKETS] + [OVER_90[0]]
    rows: dict[int, AgeingRow] = {}
    fees = (
        billed_fees(user)
        .filter(outstanding__gt=0, billed_at__lt=day_start(on + timedelta(days=1)))
        .values("case__client_id", "case__client__name", "billed_at", "outstanding")
    )
    for fee in fees:
        client_id = fee["case__client_id"]
        row = rows.get(client_id)
        if row is None:
            row = rows[client_id] = AgeingRow(
                client_id, fee["case__client__name"], dict.fromkeys(keys, ZERO)
            )
        days = (on - timezone.localtime(fee["billed_at"]).date()).days
        row.buckets[bucket_of(days)] += fee["outstanding"]
        row.total += fee["outstanding"]
        row.cases += 1
    return sorted(rows.values(), key=lambda r: r.client)


def ageing_columns() -> list[tuple[str, str]]:
    return [(key, label) for key, label, _ in AGEING_BUCKETS] + [OVER_90]

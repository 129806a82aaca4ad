"""Every write of billing: `do_<verb>_<noun>(…, *, actor)`, one transaction, permission-checked.

A fee contract binds every branch of the firm, so only a user who may add contracts and whose
data scope covers the head office (the root of the organisation tree) makes one."""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from lossdesk.billing.choices import AdjustmentDecision, AdjustmentStatus, FeeTrigger
from lossdesk.billing.models import CaseFee, CaseFeeComponent, FeeAdjustment, FeeContract
from lossdesk.billing.permissions import (
    ADD_FEE_CONTRACT,
    DECIDE_ADJUSTMENT,
    REQUEST_ADJUSTMENT,
)
from lossdesk.claims import registry
from lossdesk.claims.choices import CaseStatus, EventType, LossItemStatus
from lossdesk.claims.models import Case, CaseEvent, SurveyRecord
from lossdesk.claims.services import record_event
from lossdesk.core.calendar import work_calendar
from lossdesk.core.errors import (
    Conflict,
    ErrorCode,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.intake.choices import DelegationStatus
from lossdesk.intake.models import Delegation
from lossdesk.org.models import Branch, Client
from lossdesk.org.scoping import covers_branch
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import LINE_LABELS, FeeCase, FeeLine, compute_fee, parse_terms
from lossdesk.rules.money import fmt_money, fmt_number, mul, to_fen
from lossdesk.rules.off_hours import NightWindow, off_hours


def reaches_head_office(user) -> bool:
    """Whether the user's data scope covers the head office (the root of the tree): terms
    that bind every branch (fee contracts, commission rules) are written there."""
    roots = list(Branch.objects.filter(parent__isnull=True))
    return bool(roots) and all(covers_branch(user, root) for root in roots)


def may_write_fee_contracts(user) -> bool:
    """Holds the right and reaches the head office: HQ finance, the system administrator."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(ADD_FEE_CONTRACT)):
        return False
    return reaches_head_office(user)


def check_terms(terms, field: str = "terms", *, parse=parse_terms):
    """The rules' check of terms (a fee contract's by default) as a 400 naming each bad key
    under `field`."""
    try:
        return parse(terms)
    except RuleInputError as exc:
        found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
        fields: dict[str, list[str]] = {}
        for error in found:
            fields.setdefault(f"{field}.{error.field}", []).append(error.message)
        raise ServiceError(exc.message, code=ErrorCode.INVALID, fields=fields) from None


def do_create_fee_contract(
    *,
    client: Client,
    line: str,
    effective_from: date,
    terms,
    effective_to: date | None = None,
    note: str = "",
    previous_version: int | None = None,
    actor,
) -> FeeContract:
    """A new version of `client`'s contract for `line`: the next number, whatever the dates.
    `previous_version`, when given, is the version the author saw (0: none); another version
    made since is a conflict, so two people never supersede each other unknowingly."""
    if not may_write_fee_contracts(actor):
        raise PermissionDenied("只有总部财务（或系统管理员）可以录入收费协议。")
    checked = check_terms(terms)
    if effective_to is not None and effective_to < effective_from:
        message = "失效日期不能早于生效日期。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"effective_to": [message]})
    try:
        with transaction.atomic():
            # One writer per client at a time: the version numbers follow one another.
            Client.objects.select_for_update().filter(pk=client.pk).first()
            current = (
                FeeContract.objects.filter(client=client, line=line).aggregate(n=Max("version"))[
                    "n"
                ]
                or 0
            )
            if previous_version is not None and previous_version != current:
                raise Conflict(
                    f"该委托方此险种线的收费协议已有第 {current} 版，请在最新版本的基础上修改。",
                    current_version=current,
                )
            return FeeContract.objects.create(
                client=client,
                line=line,
                version=current + 1,
                effective_from=effective_from,
                effective_to=effective_to,
                terms=checked.as_json(),
                note=note,
                created_by=actor,
            )
    except IntegrityError:  # a concurrent writer took the number (the lock makes it rare)
        raise Conflict("收费协议刚被他人修改，请刷新后重试。") from None


def contract_in_force(client: Client, line: str, on_date: date) -> FeeContract | None:
    """The contract of `client` and `line` in force on `on_date`: the highest version whose
    dates cover it (a new version supersedes the older ones from its effective date)."""
    return FeeContract.objects.in_force(client, line, on_date)


# ------------------------------------------------------------------------- case fees

# Before the surveyor arrives a cancelled case earns nothing; from then on the contract's
# cancellation fee (docs/billing.md).
BEFORE_SURVEY = frozenset({CaseStatus.REGISTERED, CaseStatus.DISPATCHED})
NO_CONTRACT = "无收费协议"
ZERO = Decimal("0.00")
# The extras of the survey, which a case earns once, on its first line (motor before property
# before injury), whatever the other lines' contracts say.
SURVEY_EXTRAS = {"distance_km": "0", "night": False, "rescues": 0, "resurveys": 0}


@dataclass(frozen=True)
class SurveyFacts:
    """What the case's records say about its survey, for the fee's extras: the surveyor's
    外勤里程 on the survey record (None: not recorded), the first arrival on site (the
    `arrived` event, local time), the rescues coordinated (`rescue_recorded` events) and the
    re-surveys recorded (`resurvey_recorded` events: claims' 记录复勘)."""

    travel_km: Decimal | None
    arrived_at: datetime | None
    rescues: int
    resurveys: int

    def inputs(self, window: NightWindow) -> tuple[dict, str]:
        """The extras' part of a line's inputs under a contract's night window, and the
        explanation line that says where each figure comes from."""
        if self.travel_km is None:
            distance, km = "0", "外勤里程未记录，按 0 公里"
        else:
            distance, km = fmt_number(self.travel_km), f"外勤里程 {fmt_money(self.travel_km)} 公里"
        if self.arrived_at is None:
            night, when = False, "未记录到达现场，按非夜间、非节假日"
        else:
            found = off_hours(self.arrived_at.replace(tzinfo=None), window, work_calendar())
            night, when = found.applies, f"到达现场 {found.describe()}"
        body = {
            "distance_km": distance,
            "night": night,
            "rescues": self.rescues,
            "resurveys": self.resurveys,
        }
        counts = f"救援协调 {self.rescues} 次，复勘 {self.resurveys} 次"
        return body, f"查勘：{km}；{when}；{counts}"


def survey_facts(case: Case) -> SurveyFacts:
    counted = [EventType.ARRIVED, EventType.RESCUE_RECORDED, EventType.RESURVEY_RECORDED]
    events = CaseEvent.objects.filter(case=case, type__in=counted).order_by("created_at", "id")
    arrivals, counts = [], dict.fromkeys(counted, 0)
    for kind, at in events.values_list("type", "created_at"):
        if kind == EventType.ARRIVED:
            arrivals.append(at)
        counts[kind] += 1
    travel = SurveyRecord.objects.filter(case=case).values_list("travel_km", flat=True).first()
    return SurveyFacts(
        travel_km=travel,
        arrived_at=timezone.localtime(arrivals[0]) if arrivals else None,
        rescues=counts[EventType.RESCUE_RECORDED],
        resurveys=counts[EventType.RESURVEY_RECORDED],
    )


def commission_date(case: Case) -> date:
    """委托日: the local (Beijing) date of the report, which picks the contract in force."""
    return timezone.localtime(case.report.reported_at).date()


def survey_started(case: Case) -> bool:
    """Whether the survey had started: the case is past dispatch, or a surveyor arrived."""
    if case.status not in BEFORE_SURVEY:
        return True
    return CaseEvent.objects.filter(case=case, type=EventType.ARRIVED).exists()


def line_inputs(case: Case, *, cancelled: bool, after_survey: bool) -> dict[str, dict]:
    """The `case` body of /calc/fee for each loss line present on the case, by line name:
    the approved amount of the line's live items (the sum of their documents' totals, as
    claims sums the assessed amount), the number of those items, the cancellation flags;
    the survey's extras at nought (`compute_case_fee` gives them to the first line)."""
    inputs: dict[str, dict] = {}
    items = case.loss_items.all()
    if not cancelled:
        items = items.exclude(status=LossItemStatus.CANCELLED)
    for line in registry.loss_lines():
        if line.name not in FeeLine.__members__:
            continue  # a line no contract is made for (the tests' fake line)
        of_line = items.filter(kind__in=line.kinds)
        count = of_line.count()
        if not count:
            continue
        body: dict = {
            "line": line.name,
            "cancelled": cancelled,
            "cancelled_after_survey": cancelled and after_survey,
            **SURVEY_EXTRAS,
            "loss_items": count,
        }
        if not cancelled:
            body["approved_amount"] = str(line.total(of_line).quantize(Decimal("0.01")))
        inputs[line.name] = body
    return inputs


def fee_case(inputs: dict) -> FeeCase:
    """The rules' case from a stored `inputs` body."""
    return FeeCase(**inputs)


def compute_case_fee(case: Case, *, trigger: str, actor) -> CaseFee:
    """Computes and stores the fee of `case` (inside the caller's transaction): a component
    per loss line present, each by the line's contract in force on the 委托日; a line without
    one is listed as 无收费协议 with fee 0 and flagged. Never refuses: the report or the
    cancellation goes ahead whatever the contracts say. Records a FEE_COMPUTED event."""
    on_date = commission_date(case)
    cancelled = trigger == FeeTrigger.CANCELLED
    after_survey = cancelled and survey_started(case)
    inputs = line_inputs(case, cancelled=cancelled, after_survey=after_survey)
    facts = None if cancelled else survey_facts(case)
    first = next(iter(inputs), None)
    rows: list[CaseFeeComponent] = []
    explanation: list[str] = [f"委托日 {on_date:%Y-%m-%d}（报案日期），按当日生效的收费协议计算"]
    for name, body in inputs.items():
        label = LINE_LABELS[FeeLine(name)]
        contract = contract_in_force(case.client, name, on_date)
        survey_note = None
        if facts is not None and name == first:
            window = parse_terms(contract.terms).night_window if contract else NightWindow()
            extras, survey_note = facts.inputs(window)
            body.update(extras)
        elif facts is not None:
            survey_note = (
                "外勤里程、夜间/节假日、救援、复勘按案件计一次，"
                f"已计入{LINE_LABELS[FeeLine(first)]}"
            )
        if contract is None:
            rows.append(
                CaseFeeComponent(
                    line=name,
                    inputs=body,
                    fee=ZERO,
                    explanation=[f"{label}：{NO_CONTRACT}（{on_date:%Y-%m-%d} 无生效协议），0.00"],
                    missing_contract=True,
                )
            )
            explanation.append(rows[-1].explanation[0])
            continue
        result = compute_fee(contract.terms, fee_case(body))
        lines = [f"{label}收费协议第 {contract.version} 版", *result.explanation]
        if survey_note:
            lines.insert(1, survey_note)
        rows.append(
            CaseFeeComponent(
                line=name,
                contract=contract,
                contract_version=contract.version,
                terms=contract.terms,
                inputs=body,
                fee=result.fee,
                components=[{**asdict(c), "amount": str(c.amount)} for c in result.components],
                explanation=lines,
            )
        )
        explanation.append(f"{label}：{fmt_money(result.fee)}（协议第 {contract.version} 版）")
    if not rows:
        explanation.append("本案没有可计费的损失标的，公估费 0.00")
    total = sum((row.fee for row in rows), ZERO)
    missing = any(row.missing_contract for row in rows)
    if len(rows) > 1:
        addends = " + ".join(fmt_money(row.fee) for row in rows)
        explanation.append(f"公估费合计 = {addends} = {fmt_money(total)}")
    else:
        explanation.append(f"公估费合计 = {fmt_money(total)}")
    delegation = whole_case_delegation(case)
    share = ZERO
    if delegation is not None:
        share = to_fen(mul(total, delegation.fee_share))
        explanation.append(
            f"委托异地：受托机构 {delegation.to_branch} 分成 {fmt_money(total)} × "
            f"{delegation.fee_share} = {fmt_money(share)}，委托机构留存 {fmt_money(total - share)}"
        )
    CaseFee.objects.filter(case=case).delete()  # a later computation replaces the earlier
    case_fee = CaseFee.objects.create(
        receiving_branch=delegation.to_branch if delegation else None,
        receiving_share=share,
        case=case,
        trigger=trigger,
        on_date=on_date,
        computed_total=total,
        explanation=explanation,
        missing_contract=missing,
        computed_by=actor,
        computed_at=timezone.now(),
    )
    for row in rows:
        row.case_fee = case_fee
    CaseFeeComponent.objects.bulk_create(rows)
    used = "、".join(
        f"{LINE_LABELS[FeeLine(row.line)]}"
        + (f"协议第 {row.contract_version} 版" if row.contract_version else NO_CONTRACT)
        for row in rows
    )
    flag = "；有险种线无收费协议，请补录协议" if missing else ""
    # The timeline shows every data key with its label: only the amount goes there; the
    # contracts, inputs and explanation are the CaseFee's.
    record_event(
        case,
        EventType.FEE_COMPUTED,
        actor,
        f"计算公估费（{FeeTrigger(trigger).label}，委托日 {on_date:%Y-%m-%d}"
        f"{'，' + used if used else ''}）：{fmt_money(total)} 元{flag}",
        amount=str(total),
    )
    return case_fee


def whole_case_delegation(case: Case):
    """The accepted delegation of the whole case to another region's branch (intake), whose
    fee_share of the fee is the receiving branch's; None when the case was not delegated."""
    return (
        Delegation.objects.filter(
            case=case, loss_item__isnull=True, status=DelegationStatus.ACCEPTED
        )
        .select_related("to_branch")
        .order_by("-pk")
        .first()
    )


def on_report_issued(sender, *, case, report, actor, **kwargs) -> None:
    compute_case_fee(case, trigger=FeeTrigger.REPORT_ISSUED, actor=actor)


def on_case_cancelled(sender, *, case, actor, **kwargs) -> None:
    compute_case_fee(case, trigger=FeeTrigger.CANCELLED, actor=actor)


def case_fee_for(case: Case, user) -> CaseFee:
    """The fee of `case` as `user` may see it, with its components and adjustments;
    NotFound before the fee is computed (or without the right to see fees: 403)."""
    if not user.has_perm("billing.view_casefee"):
        raise PermissionDenied("您的岗位没有查看公估费的权限。")
    fee = (
        CaseFee.objects.for_user(user)
        .filter(case=case)
        .select_related("computed_by", "receiving_branch")
        .prefetch_related(
            "components",
            "adjustments__requested_by",
            "adjustments__decided_by",
        )
        .first()
    )
    if fee is None:
        raise NotFound("本案尚未计算公估费（出具公估报告或注销时计算）。")
    return fee


def _locked_fee(case: Case, actor) -> CaseFee:
    fee = (
        CaseFee.objects.for_user(actor)
        .select_for_update(of=("self",))
        .select_related("case__branch")
        .filter(case=case)
        .first()
    )
    if fee is None:
        if CaseFee.objects.filter(case=case).exists():  # a case outside the actor's scope
            raise NotFound("案件不存在或不在您的数据范围内。")
        raise Conflict("本案尚未计算公估费，不能调整。")
    return fee


def _amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount == 0 or abs(amount) >= 10**12:
        message = "调整金额须为非零金额，正数调增、负数调减，精确到分。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={field: [message]})
    return amount


def _approved_total(fee: CaseFee) -> Decimal:
    approved = fee.adjustments.filter(status=AdjustmentStatus.APPROVED)
    return fee.computed_total + sum((a.amount for a in approved), ZERO)


@transaction.atomic
def do_request_fee_adjustment(case: Case, *, amount, reason: str, actor) -> FeeAdjustment:
    """Finance asks to change the fee of `case` by `amount` for `reason`; a manager decides.
    The fee after it may not fall below 0."""
    if not actor.has_perm(REQUEST_ADJUSTMENT):
        raise PermissionDenied("只有财务可以申请调整公估费。")
    fee = _locked_fee(case, actor)
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        message = "请填写调整原因。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"reason": [message]})
    if _approved_total(fee) + amount < 0:
        message = f"调整后公估费不能低于 0（当前 {fmt_money(_approved_total(fee))}）。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"amount": [message]})
    adjustment = FeeAdjustment.objects.create(
        case_fee=fee,
        amount=amount,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    record_event(
        fee.case,
        EventType.FEE_ADJUSTMENT_REQUESTED,
        actor,
        f"申请调整公估费 {amount:+.2f} 元：{reason}",
        amount=str(amount),
    )
    return adjustment


def adjustment_of(case: Case, pk: int) -> FeeAdjustment:
    adjustment = FeeAdjustment.objects.filter(pk=pk, case_fee__case=case).first()
    if adjustment is None:
        raise NotFound("公估费调整不存在。")
    return adjustment


@transaction.atomic
def do_decide_fee_adjustment(
    adjustment: FeeAdjustment, *, decision: str, note: str = "", actor
) -> FeeAdjustment:
    """A manager (the branch manager of the case's branch, or above it up to the head
    office) approves or refuses a pending adjustment; never the one who asked for it."""
    if not actor.has_perm(DECIDE_ADJUSTMENT):
        raise PermissionDenied("只有机构负责人可以审批公估费调整。")
    fee = _locked_fee(adjustment.case_fee.case, actor)
    if not covers_branch(actor, fee.case.branch):
        raise PermissionDenied("只有案件所属机构（或其上级、总部）的负责人可以审批。")
    adjustment = FeeAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.status != AdjustmentStatus.PENDING:
        raise Conflict(
            f"该调整已{AdjustmentStatus(adjustment.status).label}，不能再审批。",
            current_state=adjustment.status,
        )
    if adjustment.requested_by_id == actor.pk:
        raise SelfReview("申请人不能审批自己的调整申请。")
    if decision not in AdjustmentDecision.values:
        message = "请选择批准或驳回。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"decision": [message]})
    note = (note or "").strip()
    if decision == AdjustmentDecision.REFUSE and not note:
        message = "驳回须填写意见。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"note": [message]})
    approve = decision == AdjustmentDecision.APPROVE
    if approve and _approved_total(fee) + adjustment.amount < 0:
        message = f"批准后公估费将低于 0（当前 {fmt_money(_approved_total(fee))}）。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"decision": [message]})
    adjustment.status = AdjustmentStatus.APPROVED if approve else AdjustmentStatus.REFUSED
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.decision_note = note
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    total = _approved_total(fee)
    record_event(
        fee.case,
        EventType.FEE_ADJUSTMENT_APPROVED if approve else EventType.FEE_ADJUSTMENT_REFUSED,
        actor,
        (
            f"批准公估费调整 {adjustment.amount:+.2f} 元，公估费 {fmt_money(total)} 元"
            if approve
            else f"驳回公估费调整 {adjustment.amount:+.2f} 元：{note}"
        ),
        amount=str(adjustment.amount),
    )
    return adjustment

"""Commissions (佣金): the rules per role and the monthly run of a branch (issue 14 §5).

A case belongs to the month in which its fee was first computed (its 计费日, Beijing time)
and to the run of its own branch (`Case.branch`, fixed at intake). Everything a line needs
is read from the case events up to the month's end, never from the case as it is now:

* the fee basis: the amount of the last `fee_computed` event plus the `fee_adjustment_approved`
  amounts after it (a recomputation replaces the fee and its adjustments);
* who had which role, with their units of work: surveyor — whoever completed the survey
  (`survey_completed`; else whoever arrived, for a case cancelled on site), one per survey;
  assessor — whoever last saved each assessment document (`sheet_saved`, by its number), one
  per document; reviewer — whoever approved since the last return (`review_approved`), one
  per approval; dispatcher — whoever sent the last surveyor (`dispatched`, not automatic).

Events are append-only and their times are the database's, so re-running a past month gives
the same lines to the fen whatever happened since. Rules are append-only too, and a rule
version may not take effect inside an approved month (`month_locked`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from lossdesk.billing.choices import CommissionRoleChoices, CommissionRunStatus
from lossdesk.billing.error_codes import BillingErrorCode
from lossdesk.billing.models import (
    CommissionLine,
    CommissionRule,
    CommissionRun,
    CommissionSheet,
)
from lossdesk.billing.permissions import (
    ADD_COMMISSION_RULE,
    ADD_COMMISSION_RUN,
    APPROVE_COMMISSION_RUN,
)
from lossdesk.billing.services import check_terms, reaches_head_office
from lossdesk.claims.choices import EventType
from lossdesk.claims.models import CaseEvent
from lossdesk.core.errors import (
    Conflict,
    ErrorCode,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    SelfReview,
    ServiceError,
)
from lossdesk.core.excel import Column, Workbook
from lossdesk.core.scores import person_scores
from lossdesk.org.models import Branch
from lossdesk.org.scoping import covers_branch
from lossdesk.rules import months
from lossdesk.rules.commissions import (
    CommissionInput,
    CommissionRole,
    compute_commission,
    parse_terms,
)
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.money import fmt_money

ZERO = Decimal("0.00")
ONE = Decimal("1.0000")
NO_RULE = "无生效的提成规则，0.00"
EVENT_TYPES = (
    EventType.FEE_COMPUTED,
    EventType.FEE_ADJUSTMENT_APPROVED,
    EventType.SURVEY_COMPLETED,
    EventType.ARRIVED,
    EventType.SHEET_SAVED,
    EventType.REVIEW_APPROVED,
    EventType.REVIEW_RETURNED,
    EventType.DISPATCHED,
)


# ------------------------------------------------------------------------------ months


def parse_month(text: str, field_name: str = "month") -> date:
    """'2026-11' → date(2026, 11, 1); anything else is a 400 on the field."""
    try:
        return months.parse_month(text, field_name)
    except RuleInputError as exc:
        raise ServiceError(
            exc.message, fields={field_name: [exc.message]}, code=ErrorCode.INVALID
        ) from None


def month_window(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in Beijing time."""
    following = months.next_month(month)
    tz = timezone.get_default_timezone()
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    return start, datetime(following.year, following.month, 1, tzinfo=tz)


# ------------------------------------------------------------------------------- rules


def may_write_commission_rules(user) -> bool:
    """Holds the right and reaches the head office (rules bind every branch)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.has_perm(ADD_COMMISSION_RULE) and reaches_head_office(user)


def locked_until() -> date | None:
    """The last day of the latest approved month of any branch (rules are firm-wide)."""
    latest = CommissionRun.objects.filter(status=CommissionRunStatus.APPROVED).aggregate(
        m=Max("month")
    )["m"]
    return months.last_day(latest) if latest else None


def do_create_commission_rule(
    *,
    role: str,
    effective_from: date,
    terms,
    effective_to: date | None = None,
    note: str = "",
    previous_version: int | None = None,
    actor,
) -> CommissionRule:
    """A new version of `role`'s rule; `previous_version` (0: none) is the version the
    author saw, another made since is a conflict."""
    if not may_write_commission_rules(actor):
        raise PermissionDenied("只有总部财务（或系统管理员）可以录入提成规则。")
    if role not in CommissionRoleChoices.values:
        message = "角色须为 surveyor、assessor、reviewer、dispatcher 之一。"
        raise ServiceError(message, fields={"role": [message]}, code=ErrorCode.INVALID)
    checked = check_terms(terms, parse=parse_terms)
    if effective_to is not None and effective_to < effective_from:
        message = "失效日期不能早于生效日期。"
        raise ServiceError(message, fields={"effective_to": [message]}, code=ErrorCode.INVALID)
    try:
        with transaction.atomic():
            locked = locked_until()
            if locked is not None and effective_from <= locked:
                message = (
                    f"{locked:%Y-%m} 及以前的佣金已审批锁定，新规则最早自 "
                    f"{locked + timedelta(days=1):%Y-%m-%d} 起生效。"
                )
                raise Conflict(
                    message,
                    code=BillingErrorCode.MONTH_LOCKED,
                    fields={"effective_from": [message]},
                )
            current = CommissionRule.objects.filter(role=role).aggregate(n=Max("version"))["n"] or 0
            if previous_version is not None and previous_version != current:
                raise Conflict(
                    f"该角色的提成规则已有第 {current} 版，请在最新版本的基础上修改。",
                    current_version=current,
                )
            return CommissionRule.objects.create(
                role=role,
                version=current + 1,
                effective_from=effective_from,
                effective_to=effective_to,
                terms=checked.as_json(),
                note=note,
                created_by=actor,
            )
    except IntegrityError:  # a concurrent writer took the number
        raise Conflict("提成规则刚被他人修改，请刷新后重试。") from None


# ---------------------------------------------------------------------- reading a month


@dataclass
class LineData:
    """One line of a month as computed from the events (before it is stored)."""

    staff_id: int
    case_id: int
    case_no: str
    role: str
    fee_date: date
    fee_basis: Decimal
    units: int
    role_units: int
    rule: CommissionRule | None
    amount: Decimal
    multiplier: Decimal
    explanation: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        """What a re-run must reproduce to the fen."""
        return (
            self.staff_id,
            self.case_no,
            self.role,
            self.fee_date,
            self.fee_basis,
            self.units,
            self.role_units,
            self.rule.version if self.rule else None,
            self.amount,
        )


@dataclass
class _CaseWork:
    case_no: str = ""
    fee_date: date | None = None
    basis: Decimal = ZERO
    surveyors: dict[int, int] = field(default_factory=dict)
    arrived: dict[int, int] = field(default_factory=dict)
    sheets: dict[str, int] = field(default_factory=dict)  # document number → last saver
    reviewers: dict[int, int] = field(default_factory=dict)
    dispatcher: int | None = None

    def read(self, event: CaseEvent) -> None:
        kind, actor = event.type, event.actor_id
        if kind == EventType.FEE_COMPUTED:
            if self.fee_date is None:
                self.fee_date = timezone.localtime(event.created_at).date()
            self.basis = Decimal(event.data.get("amount", "0"))
        elif kind == EventType.FEE_ADJUSTMENT_APPROVED:
            self.basis += Decimal(event.data.get("amount", "0"))
        elif actor is None:
            return  # the system (automatic dispatch) earns no commission
        elif kind == EventType.SURVEY_COMPLETED:
            self.surveyors[actor] = self.surveyors.get(actor, 0) + 1
        elif kind == EventType.ARRIVED:
            self.arrived[actor] = 1
        elif kind == EventType.SHEET_SAVED and event.data.get("sheet"):
            self.sheets[event.data["sheet"]] = actor
        elif kind == EventType.REVIEW_RETURNED:
            self.reviewers = {}
        elif kind == EventType.REVIEW_APPROVED:
            self.reviewers[actor] = self.reviewers.get(actor, 0) + 1
        elif kind == EventType.DISPATCHED and not event.data.get("auto"):
            self.dispatcher = actor

    def roles(self) -> dict[str, dict[int, int]]:
        """Role → person → units."""
        assessors: dict[int, int] = defaultdict(int)
        for saver in self.sheets.values():
            assessors[saver] += 1
        found = {
            CommissionRole.surveyor.value: self.surveyors or self.arrived,
            CommissionRole.assessor.value: dict(assessors),
            CommissionRole.reviewer.value: self.reviewers,
            CommissionRole.dispatcher.value: {self.dispatcher: 1} if self.dispatcher else {},
        }
        return {role: people for role, people in found.items() if people}


def month_lines(branch: Branch, month: date) -> list[LineData]:
    """The lines of `branch`'s `month`, computed from the case events up to its end: what a
    run stores, and what any later re-run gives again."""
    start, end = month_window(month)
    case_ids = list(
        CaseEvent.objects.filter(case__branch=branch, type=EventType.FEE_COMPUTED)
        .values("case")
        .annotate(first=Min("created_at"))
        .filter(first__gte=start, first__lt=end)
        .values_list("case", flat=True)
    )
    events = (
        CaseEvent.objects.filter(case__in=case_ids, type__in=EVENT_TYPES, created_at__lt=end)
        .select_related("case")
        .only("type", "actor_id", "data", "created_at", "case__case_no")
        .order_by("case_id", "created_at", "id")
    )
    work: dict[int, _CaseWork] = {}
    for event in events:
        case_work = work.setdefault(event.case_id, _CaseWork(case_no=event.case.case_no))
        case_work.read(event)

    rules: dict[tuple[str, date], CommissionRule | None] = {}
    scores = person_scores(branch.pk, month) if work else {}
    lines: list[LineData] = []
    for case_id, case_work in work.items():
        assert case_work.fee_date is not None
        for role, people in case_work.roles().items():
            key = (role, case_work.fee_date)
            if key not in rules:
                rules[key] = CommissionRule.objects.in_force(role, case_work.fee_date)
            rule = rules[key]
            role_units = sum(people.values())
            for staff_id, units in sorted(people.items()):
                line = LineData(
                    staff_id=staff_id,
                    case_id=case_id,
                    case_no=case_work.case_no,
                    role=role,
                    fee_date=case_work.fee_date,
                    fee_basis=case_work.basis,
                    units=units,
                    role_units=role_units,
                    rule=rule,
                    amount=ZERO,
                    multiplier=ONE,
                    explanation=[NO_RULE],
                )
                if rule is not None:
                    # The person's KPI score of the month, turned into a multiplier by the
                    # rule's score bands (none: 1).
                    result = compute_commission(
                        rule.terms,
                        CommissionInput(
                            role, case_work.basis, units, role_units, score=scores.get(staff_id)
                        ),
                    )
                    line.amount, line.multiplier = result.amount, result.multiplier
                    line.explanation = [
                        f"{CommissionRoleChoices(role).label}提成规则第 {rule.version} 版",
                        *result.explanation,
                    ]
                lines.append(line)
    lines.sort(key=lambda x: (x.staff_id, x.fee_date, x.case_no, x.role))
    return lines


# ---------------------------------------------------------------------------- the run


@transaction.atomic
def do_run_commissions(*, branch: Branch, month: date, actor) -> CommissionRun:
    """Computes `branch`'s `month` into a fresh run (a draft); an earlier draft of the month
    is superseded, an approved month is locked (409). Only a month that has ended."""
    if not actor.has_perm(ADD_COMMISSION_RUN):
        raise PermissionDenied("只有财务可以计算月度佣金。")
    if not covers_branch(actor, branch):
        raise NotFound("机构不存在或不在您的数据范围内。")
    if month_window(month)[1] > timezone.now():
        message = f"{month:%Y-%m} 尚未结束，月末之后才能计算该月佣金。"
        raise ServiceError(message, fields={"month": [message]}, code=ErrorCode.INVALID)
    Branch.objects.select_for_update().filter(pk=branch.pk).first()  # one run at a time
    live = (
        CommissionRun.objects.select_for_update()
        .filter(branch=branch, month=month)
        .exclude(status=CommissionRunStatus.SUPERSEDED)
        .first()
    )
    if live is not None and live.status == CommissionRunStatus.APPROVED:
        raise Conflict(
            f"{branch} {month:%Y-%m} 的佣金已审批锁定，不能重算。",
            code=BillingErrorCode.MONTH_LOCKED,
            current_state=live.status,
        )
    if live is not None:
        live.status = CommissionRunStatus.SUPERSEDED
        live.save(update_fields=["status"])
    lines = month_lines(branch, month)
    run = CommissionRun.objects.create(
        branch=branch,
        month=month,
        total=sum((x.amount for x in lines), ZERO),
        case_count=len({x.case_id for x in lines}),
        run_by=actor,
        run_at=timezone.now(),
    )
    by_staff: dict[int, list[LineData]] = defaultdict(list)
    for line in lines:
        by_staff[line.staff_id].append(line)
    sheets = CommissionSheet.objects.bulk_create(
        CommissionSheet(
            run=run,
            staff_id=staff_id,
            total=sum((x.amount for x in of), ZERO),
            line_count=len(of),
        )
        for staff_id, of in by_staff.items()
    )
    sheet_of = {sheet.staff_id: sheet for sheet in sheets}
    CommissionLine.objects.bulk_create(
        CommissionLine(
            sheet=sheet_of[x.staff_id],
            case_id=x.case_id,
            role=x.role,
            fee_date=x.fee_date,
            fee_basis=x.fee_basis,
            units=x.units,
            role_units=x.role_units,
            rule=x.rule,
            rule_version=x.rule.version if x.rule else None,
            terms=x.rule.terms if x.rule else None,
            multiplier=x.multiplier,
            amount=x.amount,
            explanation=x.explanation,
        )
        for x in lines
    )
    return run


def stored_lines(run: CommissionRun) -> list[tuple]:
    """A stored run's lines as `LineData.key()` gives them, in the same order."""
    rows = (
        CommissionLine.objects.filter(sheet__run=run)
        .select_related("case", "sheet")
        .order_by("sheet__staff_id", "fee_date", "case__case_no", "role")
    )
    return [
        (
            row.sheet.staff_id,
            row.case.case_no,
            row.role,
            row.fee_date,
            row.fee_basis,
            row.units,
            row.role_units,
            row.rule_version,
            row.amount,
        )
        for row in rows
    ]


@transaction.atomic
def do_approve_commission_run(run: CommissionRun, *, actor) -> CommissionRun:
    """The branch manager (of the run's branch, or above it) approves a draft run, which locks
    its month (佣金审批); never the one who ran it."""
    if not actor.has_perm(APPROVE_COMMISSION_RUN):
        raise PermissionDenied("只有机构负责人可以审批月度佣金。")
    locked = (
        CommissionRun.objects.for_user(actor, "approve")
        .select_for_update()
        .filter(pk=run.pk)
        .first()
    )
    if locked is None:
        raise NotFound("月度佣金不存在或不在您的数据范围内。")
    if locked.status != CommissionRunStatus.DRAFT:
        raise IllegalTransition(
            f"该月度佣金{CommissionRunStatus(locked.status).label}，不能审批。",
            current_state=locked.status,
        )
    if locked.run_by_id == actor.pk:
        raise SelfReview("计算人不能审批自己计算的月度佣金。")
    locked.status = CommissionRunStatus.APPROVED
    locked.approved_by, locked.approved_at = actor, timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


def run_for(user, pk) -> CommissionRun:
    """A run `user` may see, with its sheets and lines; NotFound otherwise."""
    run = (
        CommissionRun.objects.for_user(user)
        .select_related("branch", "run_by", "approved_by")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise NotFound("月度佣金不存在或不在您的数据范围内。")
    return run


def sheets_of(run: CommissionRun):
    return run.sheets.select_related("staff").prefetch_related("lines__case")


def summary(run: CommissionRun) -> str:
    return (
        f"{run.branch} {run.month:%Y-%m}：{run.case_count} 案，佣金合计 {fmt_money(run.total)} 元"
    )


# ----------------------------------------------------------------------------- export


def commission_workbook(run: CommissionRun) -> bytes:
    """A month's sheets as Excel: a summary sheet (a row per person) and a sheet per person
    with every case line; amounts are numbers with two decimals."""
    money = Column("佣金", width=14, number_format="#,##0.00")
    basis = Column("公估费基数", width=14, number_format="#,##0.00")
    sheets = list(sheets_of(run))
    book = Workbook()
    status = CommissionRunStatus(run.status).label
    book.add_sheet(
        f"{run.month:%Y-%m} 汇总",
        [Column("人员", width=16), Column("明细条数"), money],
        [(s.staff.full_name or s.staff.username, s.line_count, s.total) for s in sheets],
        footer=(f"合计（{run.branch}，{status}）", sum(s.line_count for s in sheets), run.total),
    )
    for sheet in sheets:
        book.add_sheet(
            sheet.staff.full_name or sheet.staff.username,
            [
                Column("案件号", width=20),
                Column("角色"),
                Column("计费日", width=12, number_format="yyyy-mm-dd"),
                basis,
                Column("本人件数"),
                Column("本角色总件数"),
                Column("规则版本"),
                money,
                Column("计算说明", width=60),
            ],
            [
                (
                    line.case.case_no,
                    line.get_role_display(),
                    line.fee_date,
                    line.fee_basis,
                    line.units,
                    line.role_units,
                    line.rule_version,
                    line.amount,
                    "；".join(line.explanation),
                )
                for line in sheet.lines.all()
            ],
            footer=("合计", "", "", "", "", "", "", sheet.total, ""),
        )
    return book.content()

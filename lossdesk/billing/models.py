"""Fee contracts (收费协议): what a client pays for each case of a line, dated and versioned.

A contract row is never changed: a change of terms is a new version of the client's line
(services.do_create_fee_contract). On a date the contract in force is the highest version
whose dates cover it, so a new version supersedes the older ones from its effective date,
and the older ones still apply to the dates only they cover (docs/billing.md)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from lossdesk.billing.choices import (
    AdjustmentStatus,
    CommissionRoleChoices,
    CommissionRunStatus,
    FeeLineChoices,
    FeeModeChoices,
    FeeTrigger,
    ReconciliationCategory,
    StatementStatus,
)
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
from lossdesk.org.scoping import ScopedQuerySet
from lossdesk.rules.commissions import parse_terms as parse_commission_terms
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import FeeCase, FeeTerms, parse_terms


class FeeContractQuerySet(AppendOnlyQuerySet):
    def for_user(self, user, action: str = "view"):
        """Contracts are the firm's terms with its clients, the same for every branch: a user
        sees them all with the right to (`billing.view_feecontract`), else none."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self if user.has_perm(f"billing.{action}_feecontract") else self.none()

    def with_latest(self):
        """Annotates `latest`: no higher version of the same client and line exists."""
        newer = FeeContract.objects.filter(
            client=OuterRef("client"), line=OuterRef("line"), version__gt=OuterRef("version")
        )
        return self.annotate(latest=~Exists(newer))

    def covering(self, on_date):
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on_date),
            effective_from__lte=on_date,
        )

    def in_force(self, client, line: str, on_date):
        """The contract of `client` and `line` in force on `on_date`, or None."""
        return self.filter(client=client, line=line).covering(on_date).order_by("-version").first()


class FeeContract(AppendOnlyModel):
    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="fee_contracts", verbose_name="委托方"
    )
    line = models.CharField("险种线", max_length=10, choices=FeeLineChoices.choices)
    version = models.PositiveIntegerField("版本", help_text="同一委托方、同一险种线内从 1 起。")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "失效日期", null=True, blank=True, help_text="含当日；不填为长期有效。"
    )
    terms = models.JSONField("收费条款", help_text="收费方式与各项金额、费率（docs/billing.md）。")
    note = models.CharField("备注", max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = FeeContractQuerySet.as_manager()

    class Meta:
        verbose_name = "收费协议"
        verbose_name_plural = "收费协议"
        ordering = ["client", "line", "-version"]
        default_permissions = ("view", "add")  # a change is a new version; nothing is deleted
        constraints = [
            models.UniqueConstraint(
                fields=["client", "line", "version"], name="uniq_fee_contract_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="fee_contract_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["client", "line", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.client} {self.get_line_display()} 第 {self.version} 版"

    @property
    def mode(self) -> str:
        return self.terms.get("mode", "") if isinstance(self.terms, dict) else ""

    def get_mode_display(self) -> str:
        return FeeModeChoices(self.mode).label if self.mode in FeeModeChoices.values else ""

    @property
    def fee_terms(self) -> FeeTerms:
        return parse_terms(self.terms)

    def save(self, *args, **kwargs) -> None:
        """Stores the terms as the rules read them (canonical); terms the rules refuse are a
        ValidationError on `terms` naming the key, whoever saves."""
        try:
            self.terms = parse_terms(self.terms).as_json()
        except RuleInputError as exc:
            found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
            raise ValidationError({"terms": [f"{e.field}：{e.message}" for e in found]}) from None
        super().save(*args, **kwargs)


# ------------------------------------------------------------------------- case fees


def _money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class CaseFeeQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view"):
        """The fees of the cases `user` sees, with the right to see fees
        (`billing.view_casefee`); none otherwise."""
        from lossdesk.claims.models import Case

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if not user.has_perm("billing.view_casefee"):
            return self.none()
        return self.filter(case__in=Case.objects.for_user(user).values("pk"))


class CaseFee(models.Model):
    """The fee (公估费) of one case: a component per loss line present on the case, each by
    the line's contract in force on the case's 委托日 (the report's date), with the inputs
    given to the fee rules and their explanation. Computed when the adjusting report is
    issued or the case cancelled (a later computation replaces it; the timeline keeps each).
    Adjustments (FeeAdjustment) change the fee once a manager approves them."""

    case = models.OneToOneField(
        "claims.Case", models.CASCADE, related_name="fee", verbose_name="案件"
    )
    trigger = models.CharField("计算时点", max_length=20, choices=FeeTrigger.choices)
    on_date = models.DateField("委托日", help_text="报案时间的北京时间日期，据此选用收费协议。")
    computed_total = _money_field("计算公估费")
    explanation = models.JSONField("计算说明", default=list)
    missing_contract = models.BooleanField("有险种线无收费协议", default=False)
    computed_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="计算时操作人"
    )
    computed_at = models.DateTimeField("计算时间")
    # A case delegated whole to another region's branch (intake.Delegation, accepted when the
    # fee was computed): that branch's share of the computed fee, by the delegation's fee_share.
    receiving_branch = models.ForeignKey(
        "org.Branch",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="受托机构",
    )
    receiving_share = _money_field("受托机构分成", default=Decimal("0.00"))

    objects = CaseFeeQuerySet.as_manager()

    class Meta:
        verbose_name = "公估费"
        verbose_name_plural = "公估费"
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.case} 公估费"

    @property
    def adjusted_total(self) -> Decimal:
        """The computed fee plus every approved adjustment (needs `adjustments` loaded)."""
        approved = [
            a.amount for a in self.adjustments.all() if a.status == AdjustmentStatus.APPROVED
        ]
        return self.computed_total + sum(approved, Decimal("0.00"))

    @property
    def pending_total(self) -> Decimal:
        return sum((a.amount for a in self.pending_adjustments), Decimal("0.00"))

    @property
    def pending_adjustments(self) -> list["FeeAdjustment"]:
        return [a for a in self.adjustments.all() if a.status == AdjustmentStatus.PENDING]


class CaseFeeComponent(models.Model):
    """One loss line's part of a case fee: the contract version used (and a copy of its
    terms), the `case` body given to the fee rules, the rules' result and explanation. A line
    without a contract in force has no contract, fee 0 and `missing_contract`."""

    case_fee = models.ForeignKey(
        CaseFee, models.CASCADE, related_name="components", verbose_name="公估费"
    )
    line = models.CharField("险种线", max_length=10, choices=FeeLineChoices.choices)
    contract = models.ForeignKey(
        FeeContract,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="收费协议",
    )
    contract_version = models.PositiveIntegerField("协议版本", null=True, blank=True)
    terms = models.JSONField("收费条款（快照）", null=True, blank=True)
    inputs = models.JSONField("计算输入", help_text="与 /calc/fee 的 case 相同。")
    fee = _money_field("公估费")
    components = models.JSONField("费用构成", default=list)
    explanation = models.JSONField("计算说明", default=list)
    missing_contract = models.BooleanField("无收费协议", default=False)

    class Meta:
        verbose_name = "公估费构成"
        verbose_name_plural = "公估费构成"
        ordering = ["case_fee", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["case_fee", "line"], name="uniq_case_fee_line")
        ]

    def __str__(self) -> str:
        return f"{self.case_fee} {self.get_line_display()}"

    def inputs_case(self) -> FeeCase:
        """The stored inputs as the fee rules' case (the same fee comes out again)."""
        return FeeCase(**self.inputs)


class FeeAdjustment(models.Model):
    """An adjustment (调整) of a case's fee: an amount (negative lowers the fee) with a
    reason, requested by finance, approved or refused by a manager who is not the
    requester. Until approved the fee is the computed one, the adjustment shown beside."""

    case_fee = models.ForeignKey(
        CaseFee, models.CASCADE, related_name="adjustments", verbose_name="公估费"
    )
    amount = _money_field("调整金额", help_text="正数调增，负数调减。")
    reason = models.CharField("调整原因", max_length=NOTE_MAX)
    status = models.CharField(
        "状态", max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.PENDING
    )
    requested_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        "org.Staff",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=NOTE_MAX, blank=True)

    class Meta:
        verbose_name = "公估费调整"
        verbose_name_plural = "公估费调整"
        ordering = ["case_fee", "requested_at", "id"]
        default_permissions = ("view", "add")
        permissions = [("decide_feeadjustment", "审批公估费调整")]

    def __str__(self) -> str:
        return f"{self.case_fee} 调整 {self.amount}"


# ------------------------------------------------------- statements, payments, reconciliation


class BranchScopedQuerySet(ScopedQuerySet):
    """Statements, payments and reconciliations belong to the branch whose finance made them
    and are seen within the user's data scope, like that branch's cases."""

    scope_branch = "branch"


class StatementQuerySet(BranchScopedQuerySet):
    scope_permissions = {"view": "billing.view_statement", "change": "billing.change_statement"}


class Statement(models.Model):
    """A statement (对账单) to a client (or one of its branches) for a period: the cases whose
    billing date (账期日: the report's issue date, a cancelled case's cancellation date, in
    Beijing time) falls in it, with their approved amounts and fees frozen on its lines.
    draft → sent → confirmed | disputed; a draft or disputed one may be voided, which frees
    its cases for another statement."""

    statement_no = models.CharField("对账单号", max_length=24, unique=True)
    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="statements", verbose_name="委托方"
    )
    client_branch = models.ForeignKey(
        "org.ClientBranch",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name="委托方分支机构",
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="statements", verbose_name="出具机构"
    )
    period_start = models.DateField("账期起")
    period_end = models.DateField("账期止")
    status = models.CharField(
        "状态", max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    total_approved = _money_field("核定金额合计", default=Decimal("0.00"))
    total_fee = _money_field("公估费合计", default=Decimal("0.00"))
    note = models.CharField("备注", max_length=NOTE_MAX, blank=True)
    status_note = models.CharField("状态说明", max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="制单人"
    )
    created_at = models.DateTimeField("制单时间")
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = "对账单"
        verbose_name_plural = "对账单"
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "add", "change")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="statement_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["client", "-period_end"])]

    def __str__(self) -> str:
        return self.statement_no


class StatementLine(models.Model):
    """One case on a statement, its figures as they were when the statement was made.
    `voided` mirrors the statement's status so the database keeps a case on at most one
    statement that is not voided."""

    statement = models.ForeignKey(
        Statement, models.CASCADE, related_name="lines", verbose_name="对账单"
    )
    case = models.ForeignKey(
        "claims.Case", models.PROTECT, related_name="statement_lines", verbose_name="案件"
    )
    client_claim_no = models.CharField("委托方赔案号", max_length=50)
    billing_date = models.DateField("账期日")
    approved_amount = _money_field("核定金额")
    fee = _money_field("公估费")
    components = models.JSONField("费用构成", default=list)
    voided = models.BooleanField("已作废", default=False)

    class Meta:
        verbose_name = "对账单明细"
        verbose_name_plural = "对账单明细"
        ordering = ["statement", "billing_date", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(voided=False),
                name="uniq_case_on_live_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} {self.case}"


class StatementEvent(AppendOnlyModel):
    """A statement's history: its making and each status change, by whom, when, why."""

    statement = models.ForeignKey(
        Statement, models.CASCADE, related_name="events", verbose_name="对账单"
    )
    status = models.CharField("变更后状态", max_length=10, choices=StatementStatus.choices)
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)
    actor = models.ForeignKey("org.Staff", models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "对账单记录"
        verbose_name_plural = "对账单记录"
        ordering = ["statement", "at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.statement} {self.get_status_display()}"


class PaymentQuerySet(BranchScopedQuerySet):
    scope_permissions = {"view": "billing.view_payment", "change": "billing.add_payment"}


class Payment(models.Model):
    """A payment received from a client (回款): date, amount and the client's reference,
    allocated to cases (PaymentAllocation) up to its amount."""

    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="payments", verbose_name="委托方"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="payments", verbose_name="入账机构"
    )
    paid_on = models.DateField("到账日期")
    amount = _money_field("金额")
    reference = models.CharField("付款凭证号", max_length=60)
    note = models.CharField("备注", max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "回款"
        verbose_name_plural = "回款"
        ordering = ["-paid_on", "-id"]
        default_permissions = ("view", "add")
        constraints = [
            models.UniqueConstraint(fields=["client", "reference"], name="uniq_payment_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.reference}"


class PaymentAllocation(models.Model):
    """Part of a payment applied to one case's fee."""

    payment = models.ForeignKey(
        Payment, models.CASCADE, related_name="allocations", verbose_name="回款"
    )
    case = models.ForeignKey(
        "claims.Case", models.PROTECT, related_name="payment_allocations", verbose_name="案件"
    )
    amount = _money_field("核销金额")
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="核销人"
    )
    created_at = models.DateTimeField("核销时间")

    class Meta:
        verbose_name = "回款核销"
        verbose_name_plural = "回款核销"
        ordering = ["payment", "id"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]
        indexes = [models.Index(fields=["case"])]

    def __str__(self) -> str:
        return f"{self.payment} → {self.case} {self.amount}"


class ClientSheetMapping(models.Model):
    """How to read one client's settlement sheet (结算清单): for each field the
    reconciliation reads, the headers the client's sheet uses for it. Data, not code: a
    client that renames a column needs a new mapping, not a release."""

    client = models.OneToOneField(
        "org.Client", models.CASCADE, related_name="sheet_mapping", verbose_name="委托方"
    )
    columns = models.JSONField(
        "列对应",
        help_text='字段 → 表头列表，如 {"client_claim_no": ["赔案号"], "amount": ["公估费"]}。',
    )
    sheet_name = models.CharField("工作表名称", max_length=60, blank=True)
    updated_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="维护人"
    )
    updated_at = models.DateTimeField("维护时间")

    class Meta:
        verbose_name = "委托方结算清单格式"
        verbose_name_plural = "委托方结算清单格式"
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return f"{self.client} 结算清单格式"


class ReconciliationQuerySet(BranchScopedQuerySet):
    scope_permissions = {"view": "billing.view_reconciliation"}


class Reconciliation(models.Model):
    """One comparison (财务对账) of a client's settlement sheet with a statement, line by
    line by the client's claim number, to the fen. The lines are the result; rows of the
    sheet that could not be read are kept in `row_errors`."""

    statement = models.ForeignKey(
        Statement, models.PROTECT, related_name="reconciliations", verbose_name="对账单"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="reconciliations", verbose_name="对账机构"
    )
    file_name = models.CharField("文件名", max_length=200)
    sheet_rows = models.PositiveIntegerField("清单行数")
    row_errors = models.JSONField("无法读取的行", default=list)
    ours_total = _money_field("我方金额合计")
    theirs_total = _money_field("委托方金额合计")
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="对账人"
    )
    created_at = models.DateTimeField("对账时间")

    objects = ReconciliationQuerySet.as_manager()

    class Meta:
        verbose_name = "财务对账"
        verbose_name_plural = "财务对账"
        ordering = ["-created_at", "-id"]
        default_permissions = ("view", "add")

    def __str__(self) -> str:
        return f"{self.statement} 对账 {self.created_at:%Y-%m-%d %H:%M}"


class ReconciliationLine(models.Model):
    """One line of the 财务对账明细表: a claim number with our fee, theirs, or both. A claim
    number of theirs that is no case of ours has no `case` (listed, not dropped)."""

    reconciliation = models.ForeignKey(
        Reconciliation, models.CASCADE, related_name="lines", verbose_name="财务对账"
    )
    category = models.CharField("结果", max_length=20, choices=ReconciliationCategory.choices)
    client_claim_no = models.CharField("委托方赔案号", max_length=50)
    case = models.ForeignKey(
        "claims.Case",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="案件",
    )
    sheet_line_no = models.PositiveIntegerField("清单行号", null=True, blank=True)
    ours = _money_field("我方金额", null=True, blank=True)
    theirs = _money_field("委托方金额", null=True, blank=True)

    class Meta:
        verbose_name = "财务对账明细"
        verbose_name_plural = "财务对账明细"
        ordering = ["reconciliation", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.client_claim_no} {self.get_category_display()}"

    @property
    def difference(self):
        """Theirs minus ours, where both are there."""
        if self.ours is None or self.theirs is None:
            return None
        return self.theirs - self.ours


# ------------------------------------------------------------------------- commissions


class CommissionRuleQuerySet(AppendOnlyQuerySet):
    def for_user(self, user, action: str = "view"):
        """The rules are the firm's, the same for every branch: a user sees them all with the
        right to (`billing.view_commissionrule`), else none."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self if user.has_perm(f"billing.{action}_commissionrule") else self.none()

    def with_latest(self):
        newer = CommissionRule.objects.filter(
            role=OuterRef("role"), version__gt=OuterRef("version")
        )
        return self.annotate(latest=~Exists(newer))

    def in_force(self, role: str, on_date):
        """The rule of `role` in force on `on_date` (the highest version covering it), or None."""
        return (
            self.filter(role=role, effective_from__lte=on_date)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on_date))
            .order_by("-version")
            .first()
        )


class CommissionRule(AppendOnlyModel):
    """A commission rule (提成规则) for a role on a case, dated and versioned like a fee
    contract: never changed, a change is a new version; on a date the highest version whose
    dates cover it is in force. Its terms are the rules' (lossdesk/rules/commissions.py)."""

    role = models.CharField("角色", max_length=12, choices=CommissionRoleChoices.choices)
    version = models.PositiveIntegerField("版本", help_text="同一角色内从 1 起。")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "失效日期", null=True, blank=True, help_text="含当日；不填为长期有效。"
    )
    terms = models.JSONField("提成条款", help_text="rate、per_case、per_unit（docs/billing.md）。")
    note = models.CharField("备注", max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(
        "org.Staff", models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = CommissionRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "提成规则"
        verbose_name_plural = "提成规则"
        ordering = ["role", "-version"]
        default_permissions = ("view", "add")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "version"], name="uniq_commission_rule_version"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="commission_rule_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}提成规则第 {self.version} 版"

    def save(self, *args, **kwargs) -> None:
        try:
            self.terms = parse_commission_terms(self.terms).as_json()
        except RuleInputError as exc:
            found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
            raise ValidationError({"terms": [f"{e.field}：{e.message}" for e in found]}) from None
        super().save(*args, **kwargs)


class CommissionRunQuerySet(ScopedQuerySet):
    """A run belongs to its branch and is seen within the user's data scope."""

    scope_branch = "branch"
    scope_permissions = {
        "view": "billing.view_commissionrun",
        "add": "billing.add_commissionrun",
        "approve": "billing.approve_commissionrun",
    }


class CommissionRun(models.Model):
    """A month's commissions (佣金) of a branch: a sheet per person with a line per case and
    role, computed from the case events up to the month's end. draft → approved by the branch
    manager (not who ran it), which locks the month; a draft run again is superseded by the
    fresh run (kept, so both can be compared)."""

    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="commission_runs", verbose_name="机构"
    )
    month = models.DateField("月份", help_text="该月 1 日。")
    status = models.CharField(
        "状态",
        max_length=12,
        choices=CommissionRunStatus.choices,
        default=CommissionRunStatus.DRAFT,
    )
    total = _money_field("佣金合计")
    case_count = models.PositiveIntegerField("案件数")
    run_by = models.ForeignKey("org.Staff", models.PROTECT, related_name="+", verbose_name="计算人")
    run_at = models.DateTimeField("计算时间")
    approved_by = models.ForeignKey(
        "org.Staff", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审批人"
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)

    objects = CommissionRunQuerySet.as_manager()

    class Meta:
        verbose_name = "月度佣金"
        verbose_name_plural = "月度佣金"
        ordering = ["-month", "branch", "-run_at", "-id"]
        default_permissions = ("view", "add")
        permissions = [("approve_commissionrun", "审批月度佣金")]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "month"],
                condition=~Q(status="superseded"),
                name="uniq_live_commission_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.month:%Y-%m} 佣金"


class CommissionSheet(models.Model):
    """One person's commissions in a run (佣金明细表): the sum of their lines."""

    run = models.ForeignKey(
        CommissionRun, models.CASCADE, related_name="sheets", verbose_name="月度佣金"
    )
    staff = models.ForeignKey("org.Staff", models.PROTECT, related_name="+", verbose_name="人员")
    total = _money_field("佣金合计")
    line_count = models.PositiveIntegerField("明细条数")

    class Meta:
        verbose_name = "个人佣金表"
        verbose_name_plural = "个人佣金表"
        ordering = ["run", "staff__username", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["run", "staff"], name="uniq_commission_sheet")
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.staff}"


class CommissionLine(models.Model):
    """One case and role on a person's sheet: the fee basis and units read from the case
    events, the rule version used (a copy of its terms), the amount and its explanation. A
    role without a rule in force has no rule and amount 0."""

    sheet = models.ForeignKey(
        CommissionSheet, models.CASCADE, related_name="lines", verbose_name="个人佣金表"
    )
    case = models.ForeignKey("claims.Case", models.PROTECT, related_name="+", verbose_name="案件")
    role = models.CharField("角色", max_length=12, choices=CommissionRoleChoices.choices)
    fee_date = models.DateField("计费日", help_text="首次计算公估费的北京时间日期。")
    fee_basis = _money_field("公估费基数")
    units = models.PositiveIntegerField("本人件数")
    role_units = models.PositiveIntegerField("本角色总件数")
    rule = models.ForeignKey(
        CommissionRule,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提成规则",
    )
    rule_version = models.PositiveIntegerField("规则版本", null=True, blank=True)
    terms = models.JSONField("提成条款（快照）", null=True, blank=True)
    multiplier = models.DecimalField("考核系数", max_digits=6, decimal_places=4)
    amount = _money_field("佣金")
    explanation = models.JSONField("计算说明", default=list)

    class Meta:
        verbose_name = "佣金明细"
        verbose_name_plural = "佣金明细"
        ordering = ["sheet", "fee_date", "case_id", "role"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["sheet", "case", "role"], name="uniq_commission_line")
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.case_id} {self.get_role_display()}"

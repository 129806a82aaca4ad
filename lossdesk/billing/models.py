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
    FeeLineChoices,
    FeeModeChoices,
    FeeTrigger,
)
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
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

"""Financial risk alerts (财务风险预警, issue 14 §6): rules of quality's registry that look at a
case's fee. Quality never imports billing (the feature apps share a layer, and quality reads
no app's money); billing adds its rules to quality's registry from BillingConfig.ready()
(`register`). Each names its rule, version and inputs like every rule (docs/quality.md)."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from lossdesk.billing.choices import AdjustmentStatus
from lossdesk.billing.models import CaseFee, FeeAdjustment, PaymentAllocation
from lossdesk.claims.models import Case
from lossdesk.quality.alert_rules import RULES, Hit, Param, Rule
from lossdesk.rules.money import fmt_money

ZERO = Decimal("0.00")


def _fee(case) -> CaseFee | None:
    return (
        CaseFee.objects.filter(case=case)
        .prefetch_related("components", "adjustments")
        .select_related("case__adjusting_report")
        .first()
    )


class FeeUnpaid(Rule):
    """The fee (with approved adjustments) not fully received `days` after it was billed (the
    report's issue, or the fee's computation for a cancelled case)."""

    code = "fee_unpaid"
    title = "公估费逾期未收"
    params = (Param("days", "账龄天数", 90, 1, 730),)

    def closed_cases(self):
        """A closed case's fee is owed until it is paid: the cases whose fee (with approved
        adjustments) is not covered by the payments allocated to them stay in view."""

        def total(rows, case_path):  # the rows' amounts summed per case
            sums = rows.filter(**{case_path: OuterRef("pk")}).order_by().values(case_path)
            return Coalesce(
                Subquery(sums.annotate(s=Sum("amount")).values("s")),
                ZERO,
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )

        adjusted = FeeAdjustment.objects.filter(status=AdjustmentStatus.APPROVED)
        return (
            Case.objects.filter(fee__isnull=False)
            .annotate(
                adjusted=total(adjusted, "case_fee__case"),
                paid=total(PaymentAllocation.objects, "case"),
            )
            .filter(paid__lt=F("fee__computed_total") + F("adjusted"))
        )

    def evaluate(self, case, params):
        fee = _fee(case)
        if fee is None:
            return None
        total = fee.adjusted_total
        paid = PaymentAllocation.objects.filter(case=case).aggregate(s=Sum("amount"))["s"] or ZERO
        report = getattr(fee.case, "adjusting_report", None)
        billed_at = report.issued_at if report is not None else fee.computed_at
        days = (timezone.now() - billed_at) // timedelta(days=1)
        if total - paid <= 0 or days <= params["days"]:
            return None
        billed_on = timezone.localtime(billed_at).date()
        return Hit(
            {
                "fee": str(total),
                "paid": str(paid),
                "outstanding": str(total - paid),
                "billed_on": billed_on.isoformat(),
                "days": days,
            },
            f"公估费 {fmt_money(total)} 元，已收 {fmt_money(paid)} 元，"
            f"自 {billed_on:%Y-%m-%d} 起 {days} 天仍欠 {fmt_money(total - paid)} 元，"
            f"超过 {params['days']} 天。",
        )


class FeeBelowMinimum(Rule):
    """The fee after approved adjustments below the sum of the minimums of the contracts its
    lines were priced by (a line's own fee never is: the rules raise it to the minimum)."""

    code = "fee_below_minimum"
    title = "公估费低于协议最低收费"

    def evaluate(self, case, params):
        fee = _fee(case)
        if fee is None:
            return None
        minimums = {
            c.line: Decimal(c.terms["minimum"])
            for c in fee.components.all()
            if c.terms and c.terms.get("minimum") and not c.inputs.get("cancelled")
        }
        floor = sum(minimums.values(), ZERO)
        total = fee.adjusted_total
        if not minimums or total >= floor:
            return None
        return Hit(
            {
                "fee": str(total),
                "minimum": str(floor),
                "lines": {line: str(m) for line, m in sorted(minimums.items())},
                "contract_versions": {
                    c.line: c.contract_version for c in fee.components.all() if c.line in minimums
                },
            },
            f"公估费 {fmt_money(total)} 元（含已批准的调整）低于收费协议最低收费合计 "
            f"{fmt_money(floor)} 元。",
        )


class AdjustmentPending(Rule):
    """A fee adjustment requested `days` ago or more and still not decided by a manager."""

    code = "fee_adjustment_pending"
    title = "公估费调整未审批"
    params = (Param("days", "待审批天数", 3, 0, 90),)

    def evaluate(self, case, params):
        fee = _fee(case)
        if fee is None:
            return None
        cutoff = timezone.now() - timedelta(days=params["days"])
        pending = [
            a
            for a in fee.adjustments.all()
            if a.status == AdjustmentStatus.PENDING and a.requested_at <= cutoff
        ]
        if not pending:
            return None
        oldest = min(a.requested_at for a in pending)
        return Hit(
            {
                "adjustments": [a.pk for a in pending],
                "amounts": [str(a.amount) for a in pending],
                "oldest_requested_at": timezone.localtime(oldest).isoformat(),
                "days": params["days"],
            },
            f"{len(pending)} 笔公估费调整（{'、'.join(f'{a.amount:+.2f}' for a in pending)} 元）"
            f"申请已超过 {params['days']} 天仍未审批。",
        )


class FeeWithoutContract(Rule):
    """A fee with a line that had no contract in force on the 委托日 (fee 0 for that line)."""

    code = "fee_missing_contract"
    title = "险种线无收费协议"

    def evaluate(self, case, params):
        fee = _fee(case)
        if fee is None or not fee.missing_contract:
            return None
        lines = sorted(c.line for c in fee.components.all() if c.missing_contract)
        return Hit(
            {"lines": lines, "on_date": fee.on_date.isoformat()},
            f"委托日 {fee.on_date:%Y-%m-%d} 没有生效的收费协议：{'、'.join(lines)}，"
            "该部分公估费按 0 计算，请补录协议后重新核对。",
        )


FINANCIAL_RULES: tuple[Rule, ...] = (
    FeeUnpaid(),
    FeeBelowMinimum(),
    AdjustmentPending(),
    FeeWithoutContract(),
)


def register() -> None:
    """Adds the financial rules to quality's registry (once; a code taken by another rule is
    a mistake, not a silent override)."""
    for rule in FINANCIAL_RULES:
        existing = RULES.setdefault(rule.code, rule)
        if existing is not rule:
            raise ImproperlyConfigured(f"risk-alert rule {rule.code} is already registered")

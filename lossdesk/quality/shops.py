"""Repair-shop statistics (车商/4S店统计): per shop, over the vehicles assessed for repair
there (motor sheets naming the shop) of the cases opened in a period, within the user's
case scope. Read from claims, motor and parts through the ORM; nothing here changes them.

- cases, vehicles assessed (sheets), referrals (送修量: vehicles whose assessment was
  approved, i.e. sent to be repaired at the agreed figure), total and average approved amount;
- cycle: from the case's opening to its first approving review, averaged over the cases;
- price deviation: the shop's parts lines priced from a price query, their amount against
  the catalogue price frozen on the query line (Σ qty × unit price ÷ Σ qty × catalogue − 1);
- return rate: the share of its cases returned at review at least once;
- alerts: risk alerts on its cases (open, confirmed)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from lossdesk.claims.choices import LossItemStatus, ReviewDecision
from lossdesk.claims.models import Case, Review
from lossdesk.org.models import RepairShop
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass
class ShopStatistic:
    shop: RepairShop
    cases: int = 0
    vehicles: int = 0
    referrals: int = 0
    approved_total: Decimal = ZERO
    returned_cases: int = 0
    catalogue_amount: Decimal = ZERO
    priced_amount: Decimal = ZERO
    open_alerts: int = 0
    confirmed_alerts: int = 0
    cycles: list[timedelta] = field(default_factory=list, repr=False)

    @property
    def approved_average(self) -> Decimal | None:
        if not self.referrals:
            return None
        return (self.approved_total / self.referrals).quantize(Decimal("0.01"))

    @property
    def cycle_hours(self) -> Decimal | None:
        if not self.cycles:
            return None
        seconds = sum(c.total_seconds() for c in self.cycles) / len(self.cycles)
        return Decimal(seconds / 3600).quantize(Decimal("0.1"))

    @property
    def return_rate(self) -> Decimal | None:
        if not self.cases:
            return None
        return (Decimal(self.returned_cases) / self.cases).quantize(Decimal("0.0001"))

    @property
    def price_deviation(self) -> Decimal | None:
        if not self.catalogue_amount:
            return None
        return (self.priced_amount / self.catalogue_amount - 1).quantize(Decimal("0.0001"))


def _sheets(user, date_from: date, date_to: date, shop: RepairShop | None):
    Sheet = apps.get_model("motor", "AssessmentSheet")
    sheets = (
        Sheet.objects.filter(
            repair_shop__isnull=False,
            loss_item__case__in=Case.objects.for_user(user).values("pk"),
            loss_item__case__opened_at__date__gte=date_from,
            loss_item__case__opened_at__date__lte=date_to,
        )
        .exclude(loss_item__status=LossItemStatus.CANCELLED)
        .order_by()
    )
    return sheets if shop is None else sheets.filter(repair_shop=shop)


def shop_statistics(
    user, date_from: date, date_to: date, shop: RepairShop | None = None
) -> list[ShopStatistic]:
    """One row per shop with assessed vehicles in the period, most referrals first."""
    sheets = _sheets(user, date_from, date_to, shop)
    returned = Review.objects.filter(
        case=OuterRef("loss_item__case"), decision=ReviewDecision.RETURNED
    )
    approved = Q(loss_item__status=LossItemStatus.APPROVED)
    rows = (
        sheets.alias(returned=Exists(returned))
        .values("repair_shop")
        .annotate(
            cases=Count("loss_item__case", distinct=True),
            vehicles=Count("pk"),
            referrals=Count("pk", filter=approved),
            approved_total=Coalesce(Sum("total", filter=approved), ZERO, output_field=MONEY),
            returned_cases=Count("loss_item__case", distinct=True, filter=Q(returned=True)),
        )
    )
    # With its branch: the ranking shows it, one statement per shop otherwise.
    shops = RepairShop.objects.select_related("branch").in_bulk([r["repair_shop"] for r in rows])
    out = {r["repair_shop"]: ShopStatistic(shop=shops[r["repair_shop"]]) for r in rows}
    for r in rows:
        stat = out[r["repair_shop"]]
        for name in ("cases", "vehicles", "referrals", "approved_total", "returned_cases"):
            setattr(stat, name, r[name])

    Line = apps.get_model("motor", "AssessmentLine")
    priced = (
        Line.objects.filter(sheet__in=sheets.values("pk"), price_query_line__catalogue_price__gt=0)
        .order_by()
        .values("sheet__repair_shop")
        .annotate(
            priced=Sum(F("quantity") * F("unit_price"), output_field=MONEY),
            catalogue=Sum(
                F("quantity") * F("price_query_line__catalogue_price"), output_field=MONEY
            ),
        )
    )
    for r in priced:
        stat = out[r["sheet__repair_shop"]]
        stat.priced_amount, stat.catalogue_amount = r["priced"], r["catalogue"]

    shop_case_ids = sheets.values("loss_item__case")
    case_shops = defaultdict(set)
    for case_id, shop_id in sheets.values_list("loss_item__case", "repair_shop"):
        case_shops[case_id].add(shop_id)
    first_approval = {}
    for case_id, opened, at in (
        Review.objects.filter(case__in=shop_case_ids, decision=ReviewDecision.APPROVED)
        .order_by("case", "created_at")
        .values_list("case", "case__opened_at", "created_at")
    ):
        first_approval.setdefault(case_id, at - opened)
    for case_id, cycle in first_approval.items():
        for shop_id in case_shops[case_id]:
            out[shop_id].cycles.append(cycle)
    alerts = Alert.objects.filter(case__in=shop_case_ids).values_list("case", "status").order_by()
    for case_id, status in alerts:
        for shop_id in case_shops[case_id]:
            if status == AlertStatus.OPEN:
                out[shop_id].open_alerts += 1
            elif status == AlertStatus.CONFIRMED:
                out[shop_id].confirmed_alerts += 1
    return sorted(out.values(), key=lambda s: (-s.referrals, -s.vehicles, s.shop.name))


def shop_cases(user, date_from: date, date_to: date, shop: RepairShop):
    """The shop's cases in the period, newest first (the profile page's list)."""
    ids = _sheets(user, date_from, date_to, shop).values("loss_item__case")
    return Case.objects.filter(pk__in=ids).select_related("report").order_by("-opened_at")

"""Repair-shop statistics pages (车商/4S店统计): the ranking with its Excel export and a shop's
profile, within the user's case scope, for positions with the statistics right."""

from datetime import timedelta

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from lossdesk.core.charts import bar_chart
from lossdesk.core.excel import Column, Workbook
from lossdesk.org.models import RepairShop
from lossdesk.quality.permissions import VIEW_STATISTICS
from lossdesk.quality.shops import shop_cases, shop_statistics

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 2
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    date_from = forms.DateField(label="立案日期起", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="立案日期止", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data):
        today = timezone.localdate()
        defaults = {
            "date_from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "date_to": today.isoformat(),
        }
        super().__init__({**defaults, **{k: v for k, v in data.items() if v}})

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        if start and end and (end - start).days > MAX_DAYS:
            raise forms.ValidationError(f"统计期间最长 {MAX_DAYS} 天。")
        return data


def period(request) -> tuple[PeriodForm, tuple | None]:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, (form.cleaned_data["date_from"], form.cleaned_data["date_to"])


COLUMNS = [
    Column("修理厂", 28),
    Column("类型"),
    Column("所在机构", 16),
    Column("案件数"),
    Column("定损车辆"),
    Column("送修量"),
    Column("核定金额合计", 16, "#,##0.00"),
    Column("平均核定金额", 16, "#,##0.00"),
    Column("平均周期（小时）", 16, "0.0"),
    Column("配件价格偏离", 14, "0.00%"),
    Column("退回率", 12, "0.00%"),
    Column("待处理预警"),
    Column("已确认预警"),
]


def ranking_rows(stats) -> list[list]:
    return [
        [
            s.shop.name,
            s.shop.get_kind_display(),
            str(s.shop.branch),
            s.cases,
            s.vehicles,
            s.referrals,
            s.approved_total,
            s.approved_average,
            s.cycle_hours,
            s.price_deviation,
            s.return_rate,
            s.open_alerts,
            s.confirmed_alerts,
        ]
        for s in stats
    ]


class ShopRankingView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = VIEW_STATISTICS

    def get(self, request):
        form, dates = period(request)
        stats = shop_statistics(request.user, *dates) if dates else []
        if dates and request.GET.get("format") == "xlsx":
            book = Workbook()
            book.add_sheet(f"修理厂排名 {dates[0]}至{dates[1]}", COLUMNS, ranking_rows(stats))
            response = HttpResponse(book.content(), content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="repair-shops-{dates[0]:%Y%m%d}-{dates[1]:%Y%m%d}.xlsx"'
            )
            return response
        # The ranking's own order: most referrals (送修量) first.
        chart = bar_chart(
            "送修量（按修理厂）", ((s.shop.name, s.referrals, f"{s.referrals:,}") for s in stats)
        )
        context = {
            "nav": "shops",
            "form": form,
            "stats": stats,
            "chart": chart,
            "query": request.GET.urlencode(),
        }
        return render(request, "quality/shop_ranking.html", context, status=200 if dates else 400)


class ShopDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = VIEW_STATISTICS

    def get(self, request, pk):
        shop = get_object_or_404(RepairShop.objects.select_related("branch"), pk=pk)
        form, dates = period(request)
        stat = next(iter(shop_statistics(request.user, *dates, shop=shop)), None) if dates else None
        cases = shop_cases(request.user, *dates, shop)[:50] if dates else []
        context = {"nav": "shops", "shop": shop, "form": form, "stat": stat, "cases": cases}
        return render(request, "quality/shop_detail.html", context, status=200 if dates else 400)

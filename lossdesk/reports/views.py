"""Statistics pages (/stats/): the index, one page per table with its filter form, bar chart
and table, and the Excel exports. Needs reports.view_statistics; what is counted is limited
to `Case.objects.for_user` inside each statistic."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from lossdesk.reports import kpis
from lossdesk.reports.charts import bar_chart
from lossdesk.reports.excel import workbook
from lossdesk.reports.forms import KpiForm, StatisticsFilterForm
from lossdesk.reports.permissions import VIEW_STATISTICS
from lossdesk.reports.statistics import STATISTICS, available_statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = VIEW_STATISTICS
    raise_exception = True

    def statistic(self, slug: str):
        statistic = STATISTICS.get(slug)
        if statistic is None or not statistic.available():
            raise Http404("没有这张统计表。")
        return statistic


def _xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


class IndexView(StatisticsMixin, View):
    def get(self, request):
        form = StatisticsFilterForm(request.GET, user=request.user)
        cards = []
        if form.is_valid():
            filters = form.filters()
            for statistic in available_statistics():
                total = statistic.totals(request.user, filters)
                columns = statistic.columns()[:4]
                cards.append({"statistic": statistic, "total": total, "columns": columns})
        return render(
            request,
            "reports/index.html",
            {
                "nav": "stats",
                "form": form,
                "cards": cards,
                "missing": [s for s in STATISTICS.values() if not s.available()],
            },
        )


class StatisticView(StatisticsMixin, View):
    def get(self, request, slug: str):
        statistic = self.statistic(slug)
        form = StatisticsFilterForm(request.GET, user=request.user, statistic=statistic)
        table = chart = None
        if form.is_valid():
            table = statistic.compute(request.user, form.filters())
            chart = bar_chart(table)
        return render(
            request,
            "reports/statistic.html",
            {
                "nav": "stats",
                "statistic": statistic,
                "statistics": available_statistics(),
                "form": form,
                "table": table,
                "chart": chart,
                "subtables": [(t, bar_chart(t)) for t in table.subtables] if table else [],
            },
            status=200 if form.is_valid() else 400,
        )


class ExportView(StatisticsMixin, View):
    def get(self, request, slug: str):
        statistic = self.statistic(slug)
        form = StatisticsFilterForm(request.GET, user=request.user, statistic=statistic)
        if not form.is_valid():
            return render(
                request,
                "reports/statistic.html",
                {"nav": "stats", "statistic": statistic, "form": form},
                status=400,
            )
        table = statistic.compute(request.user, form.filters())
        content = workbook([table], form.describe(), request.user)
        return _xlsx_response(content, statistic.slug)


class ExportAllView(StatisticsMixin, View):
    """Every table in one workbook, a sheet each, with the same filters (each table uses
    the chosen grouping where it has it, its own default otherwise)."""

    def get(self, request):
        form = StatisticsFilterForm(request.GET, user=request.user)
        if not form.is_valid():
            return render(request, "reports/index.html", {"nav": "stats", "form": form}, status=400)
        filters = form.filters()
        tables = [s.compute(request.user, filters) for s in available_statistics()]
        return _xlsx_response(workbook(tables, form.describe(), request.user), "statistics")


class KpiView(StatisticsMixin, View):
    """考核指标: one month's KPIs by person or branch, with the score against the targets."""

    def get(self, request):
        form = KpiForm(request.GET)
        table = chart = None
        targets = []
        if form.is_valid():
            month, group_by = form.cleaned_data["month"], form.cleaned_data["group_by"]
            table = kpis.compute(request.user, month, group_by)
            chart = bar_chart(table)
            in_force = kpis.targets_in_force(month)
            targets = sorted(in_force.values(), key=lambda t: (t.indicator, t.branch_id or 0))
        return render(
            request,
            "reports/kpis.html",
            {
                "nav": "stats",
                "form": form,
                "table": table,
                "chart": chart,
                "targets": targets,
                "statistics": available_statistics(),
            },
            status=200 if form.is_valid() else 400,
        )


class KpiExportView(StatisticsMixin, View):
    def get(self, request):
        form = KpiForm(request.GET)
        if not form.is_valid():
            return render(request, "reports/kpis.html", {"nav": "stats", "form": form}, status=400)
        month, group_by = form.cleaned_data["month"], form.cleaned_data["group_by"]
        table = kpis.compute(request.user, month, group_by)
        notes = [("月份", f"{month:%Y-%m}"), ("分组", kpis.GROUPINGS[group_by])]
        return _xlsx_response(workbook([table], notes, request.user), f"kpis-{month:%Y-%m}")

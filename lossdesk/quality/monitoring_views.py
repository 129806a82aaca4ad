"""The monitoring pages (案件监控): the board of open deadlines by branch, stage and person
with the time-to-stage statistics, the drill-down to the cases behind a count, and the
user's deadline notices. All within the user's case scope (quality.monitoring)."""

from datetime import timedelta

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from lossdesk.quality import monitoring
from lossdesk.quality.api.monitoring import period
from lossdesk.quality.choices import DeadlineStage
from lossdesk.quality.deadlines import notices_for
from lossdesk.quality.permissions import VIEW_DEADLINE

STATISTICS_DAYS = 30


class BoardView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = VIEW_DEADLINE

    def get(self, request):
        now = timezone.now()
        cells = monitoring.open_counts(request.user, now)
        boards = [
            (group_by, monitoring.GROUP_LABELS[group_by], monitoring.board(cells, group_by))
            for group_by in monitoring.GroupBy
        ]
        today = timezone.localdate()
        since, until = period(today - timedelta(days=STATISTICS_DAYS - 1), today)
        context = {
            "nav": "monitoring",
            "now": now,
            "totals": monitoring.totals(cells),
            "boards": boards,
            "statistics": monitoring.statistics(request.user, since, until, now),
            "statistics_days": STATISTICS_DAYS,
            "unread": notices_for(request.user).filter(read_at__isnull=True).count(),
        }
        return render(request, "quality/monitoring.html", context)


def whole_number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


class DrillDownView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The open deadlines behind one count: ?status=&stage=&branch=&person= (person=none
    for those without a person). Unknown values are ignored, never an error page."""

    permission_required = VIEW_DEADLINE

    def get(self, request):
        now = timezone.now()
        status = request.GET.get("status", "")
        status = status if status in {s.value for s in monitoring.OpenStatus} else ""
        stage = request.GET.get("stage", "")
        stage = stage if stage in DeadlineStage.values else ""
        person = request.GET.get("person", "")
        rows = monitoring.drill_down(
            request.user,
            now,
            status=status,
            stage=stage,
            branch=whole_number(request.GET.get("branch", "")),
            person=whole_number(person),
            no_person=person == "none",
        )
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        context = {
            "nav": "monitoring",
            "now": now,
            "page_obj": page,
            "deadlines": [(d, d.status_at(now)) for d in page.object_list],
            "status_label": monitoring.OPEN_STATUS_LABELS.get(status, "全部未完成"),
            "stage_label": DeadlineStage(stage).label if stage else "",
        }
        return render(request, "quality/monitoring_cases.html", context)


class NoticeListView(LoginRequiredMixin, View):
    """My reminders and escalations; opening the page marks them read."""

    def get(self, request):
        notices = notices_for(request.user)
        page = Paginator(notices, 50).get_page(request.GET.get("page"))
        items = list(page.object_list)
        unread = [n.pk for n in items if n.read_at is None]
        if unread:
            notices.filter(pk__in=unread).update(read_at=timezone.now())
        context = {"nav": "monitoring", "page_obj": page, "notices": items, "unread": set(unread)}
        return render(request, "quality/monitoring_notices.html", context)

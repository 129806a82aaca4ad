from django.urls import path

from lossdesk.quality.api import monitoring, shops, views
from lossdesk.quality.staff import api as staff_api

urlpatterns = [
    path("alerts", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/statistics", views.AlertStatisticsView.as_view(), name="alert-statistics"),
    path("alerts/<int:pk>", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/resolve", views.AlertResolveView.as_view(), name="alert-resolve"),
    path("repair-shop-statistics", shops.ShopRankingView.as_view(), name="shop-ranking"),
    path(
        "repair-shops/<int:pk>/statistics",
        shops.ShopStatisticView.as_view(),
        name="repair-shop-statistics",
    ),
    path("monitoring/board", monitoring.BoardView.as_view(), name="monitoring-board"),
    path("monitoring/deadlines", monitoring.OpenDeadlineListView.as_view(), name="monitoring-list"),
    path("monitoring/overdue", monitoring.OverdueListView.as_view(), name="monitoring-overdue"),
    path(
        "monitoring/statistics", monitoring.StatisticsView.as_view(), name="monitoring-statistics"
    ),
]

# Staff quality (品质管理): quality/staff/api.py.
urlpatterns += [
    path("quality/misconduct", staff_api.MisconductListView.as_view(), name="misconduct-list"),
    path(
        "quality/misconduct/<int:pk>",
        staff_api.MisconductDetailView.as_view(),
        name="misconduct-detail",
    ),
    path(
        "quality/misconduct/<int:pk>/reply", staff_api.ReplyView.as_view(), name="misconduct-reply"
    ),
    path(
        "quality/misconduct/<int:pk>/appeal",
        staff_api.AppealView.as_view(),
        name="misconduct-appeal",
    ),
    path(
        "quality/misconduct/<int:pk>/decision",
        staff_api.DecisionView.as_view(),
        name="misconduct-decision",
    ),
    path(
        "quality/misconduct/<int:pk>/finalize",
        staff_api.FinalizeView.as_view(),
        name="misconduct-finalize",
    ),
    path(
        "quality/misconduct/<int:pk>/evidence",
        staff_api.EvidenceView.as_view(),
        name="misconduct-evidence",
    ),
    path("quality/misconduct-items", staff_api.ItemListView.as_view(), name="misconduct-items"),
    path("quality/people/<int:pk>", staff_api.PersonView.as_view(), name="quality-person"),
    path(
        "quality/people/<int:pk>/evaluations",
        staff_api.EvaluationView.as_view(),
        name="quality-person-evaluations",
    ),
    path(
        "quality/people/<int:pk>/awards",
        staff_api.AwardView.as_view(),
        name="quality-person-awards",
    ),
    path("quality/complaints", staff_api.ComplaintListView.as_view(), name="complaint-list"),
    path(
        "quality/complaints/<int:pk>",
        staff_api.ComplaintDetailView.as_view(),
        name="complaint-detail",
    ),
    path(
        "quality/complaints/<int:pk>/conclude",
        staff_api.ConcludeView.as_view(),
        name="complaint-conclude",
    ),
    path(
        "quality/whistleblower-reports",
        staff_api.ReportListView.as_view(),
        name="whistleblower-report-list",
    ),
    path(
        "quality/whistleblower-reports/<int:pk>",
        staff_api.ReportDetailView.as_view(),
        name="whistleblower-report-detail",
    ),
    path(
        "quality/whistleblower-reports/<int:pk>/decide",
        staff_api.ReportDecideView.as_view(),
        name="whistleblower-report-decide",
    ),
]

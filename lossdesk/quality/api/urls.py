from django.urls import path

from lossdesk.quality.api import monitoring, shops, views

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

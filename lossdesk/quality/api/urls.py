from django.urls import path

from lossdesk.quality.api import views

urlpatterns = [
    path("alerts", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/statistics", views.AlertStatisticsView.as_view(), name="alert-statistics"),
    path("alerts/<int:pk>", views.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/resolve", views.AlertResolveView.as_view(), name="alert-resolve"),
]

from django.urls import path

from lossdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("export.xlsx", views.ExportAllView.as_view(), name="export-all"),
    path("kpis/", views.KpiView.as_view(), name="kpis"),
    path("kpis/export.xlsx", views.KpiExportView.as_view(), name="kpis-export"),
    path("<slug:slug>/", views.StatisticView.as_view(), name="statistic"),
    path("<slug:slug>/export.xlsx", views.ExportView.as_view(), name="export"),
]

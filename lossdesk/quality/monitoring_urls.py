from django.urls import path

from lossdesk.quality import monitoring_views as views

app_name = "monitoring"
urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("cases/", views.DrillDownView.as_view(), name="cases"),
    path("notices/", views.NoticeListView.as_view(), name="notices"),
]

"""Field endpoints, included by lossdesk/api_urls.py under /api/v1/ (namespace "api")."""

from django.urls import path

from lossdesk.field.api import views

urlpatterns = [
    path("cases/<str:case_no>/rescues", views.RescuesView.as_view(), name="case-rescues"),
]

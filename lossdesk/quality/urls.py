from django.urls import path

from lossdesk.quality import views

app_name = "quality"
urlpatterns = [
    path("alerts/", views.AlertBoardView.as_view(), name="alert-board"),
    path("alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert-resolve"),
]

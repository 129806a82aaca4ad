"""SMS endpoints, included at /api/v1/ before the main API (whose catch-all 404 is last)."""

from django.urls import path

from lossdesk.notify.api import views

app_name = "notify-api"

urlpatterns = [
    path("sms", views.SmsMessageListView.as_view(), name="sms-list"),
    path("sms/<int:pk>", views.SmsMessageDetailView.as_view(), name="sms-detail"),
]

from django.urls import path

from lossdesk.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.OutboxView.as_view(), name="outbox"),
    path("<int:pk>/", views.MessageDetailView.as_view(), name="message-detail"),
    path("<int:pk>/resend/", views.ResendView.as_view(), name="message-resend"),
]

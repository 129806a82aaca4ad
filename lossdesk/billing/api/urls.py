"""Billing endpoints, included by lossdesk/api_urls.py under /api/v1/ (namespace "api")."""

from django.urls import path

from lossdesk.billing.api import views

urlpatterns = [
    path("calc/fee", views.FeeCalcView.as_view(), name="calc-fee"),
]

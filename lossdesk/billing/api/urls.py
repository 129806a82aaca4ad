"""Billing endpoints, included by lossdesk/api_urls.py under /api/v1/ (namespace "api")."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from lossdesk.billing.api import views

router = SimpleRouter(trailing_slash=False)
router.register("fee-contracts", views.FeeContractViewSet, basename="fee-contract")

urlpatterns = [
    path("calc/fee", views.FeeCalcView.as_view(), name="calc-fee"),
    path("cases/<str:case_no>/fee", views.CaseFeeView.as_view(), name="case-fee"),
    *router.urls,
]

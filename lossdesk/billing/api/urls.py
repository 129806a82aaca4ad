"""Billing endpoints, included by lossdesk/api_urls.py under /api/v1/ (namespace "api")."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from lossdesk.billing.api import commissions, receivables, views

router = SimpleRouter(trailing_slash=False)
router.register("fee-contracts", views.FeeContractViewSet, basename="fee-contract")

urlpatterns = [
    path("calc/fee", views.FeeCalcView.as_view(), name="calc-fee"),
    path("cases/<str:case_no>/fee", views.CaseFeeView.as_view(), name="case-fee"),
    *router.urls,
    path("statements", receivables.StatementListView.as_view(), name="statement-list"),
    path("statements/<int:pk>", receivables.StatementDetailView.as_view(), name="statement-detail"),
    path(
        "statements/<int:pk>/export",
        receivables.StatementExportView.as_view(),
        name="statement-export",
    ),
    path(
        "statements/<int:pk>/<str:action>",
        receivables.StatementActionView.as_view(),
        name="statement-action",
    ),
    path("payments", receivables.PaymentListView.as_view(), name="payment-list"),
    path("payments/<int:pk>", receivables.PaymentDetailView.as_view(), name="payment-detail"),
    path(
        "payments/<int:pk>/allocations",
        receivables.PaymentAllocationsView.as_view(),
        name="payment-allocations",
    ),
    path(
        "reconciliations", receivables.ReconciliationListView.as_view(), name="reconciliation-list"
    ),
    path(
        "reconciliations/<int:pk>",
        receivables.ReconciliationDetailView.as_view(),
        name="reconciliation-detail",
    ),
    path(
        "reconciliations/<int:pk>/export",
        receivables.ReconciliationExportView.as_view(),
        name="reconciliation-export",
    ),
    path("receivables/ageing", receivables.AgeingView.as_view(), name="receivables-ageing"),
    path(
        "clients/<int:client_id>/sheet-mapping",
        receivables.SheetMappingView.as_view(),
        name="client-sheet-mapping",
    ),
]

# Commissions (billing.api.commissions): rules per role and the monthly runs.
commission_router = SimpleRouter(trailing_slash=False)
commission_router.register(
    "commission-rules", commissions.CommissionRuleViewSet, basename="commission-rule"
)
commission_router.register(
    "commission-runs", commissions.CommissionRunViewSet, basename="commission-run"
)
urlpatterns += [
    *commission_router.urls,
    path(
        "commission-runs/<int:pk>/export",
        commissions.CommissionRunViewSet.as_view({"get": "export"}),
        name="commission-run-export",
    ),
]

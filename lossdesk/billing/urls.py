from django.urls import path

from lossdesk.billing import commission_views, views
from lossdesk.claims.views import page_urls

app_name = "billing"
# The declared fee-adjustment actions (billing.actions) under cases/<case_no>/fee/….
urlpatterns = [
    *page_urls("billing"),
    path("billing/contracts/", views.contract_list, name="contract-list"),
    path("billing/statements/", views.statement_list, name="statement-list"),
    path("billing/statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("billing/statements/<int:pk>/export/", views.statement_export, name="statement-export"),
    path(
        "billing/statements/<int:pk>/reconcile/",
        views.statement_reconcile,
        name="statement-reconcile",
    ),
    path(
        "billing/statements/<int:pk>/<str:action>/",
        views.statement_action,
        name="statement-action",
    ),
    path(
        "billing/reconciliations/<int:pk>/",
        views.reconciliation_detail,
        name="reconciliation-detail",
    ),
    path(
        "billing/reconciliations/<int:pk>/export/",
        views.reconciliation_export,
        name="reconciliation-export",
    ),
    path("billing/payments/", views.payment_list, name="payment-list"),
    path("billing/payments/<int:pk>/", views.payment_detail, name="payment-detail"),
    path("billing/receivables/", views.ageing, name="ageing"),
    path("billing/sheet-mappings/", views.sheet_mapping_list, name="sheet-mapping-list"),
    path(
        "billing/sheet-mappings/<int:client_id>/",
        views.sheet_mapping_edit,
        name="sheet-mapping-edit",
    ),
]

# Commissions (billing.commission_views): the rules, the months, a month's sheets.
urlpatterns += [
    path("billing/commissions/", commission_views.run_list, name="commission-run-list"),
    path("billing/commissions/rules/", commission_views.rule_list, name="commission-rule-list"),
    path(
        "billing/commissions/<int:pk>/",
        commission_views.run_detail,
        name="commission-run-detail",
    ),
    path(
        "billing/commissions/<int:pk>/sheets/<int:staff_id>/",
        commission_views.sheet_detail,
        name="commission-sheet",
    ),
    path(
        "billing/commissions/<int:pk>/approve/",
        commission_views.run_approve,
        name="commission-run-approve",
    ),
    path(
        "billing/commissions/<int:pk>/export/",
        commission_views.run_export,
        name="commission-run-export",
    ),
]

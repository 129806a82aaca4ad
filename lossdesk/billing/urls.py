from django.urls import path

from lossdesk.billing import views
from lossdesk.claims.views import page_urls

app_name = "billing"
# The declared fee-adjustment actions (billing.actions) under cases/<case_no>/fee/….
urlpatterns = [
    *page_urls("billing"),
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
]


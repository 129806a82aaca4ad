from django.urls import path

from lossdesk.claims.views import page_urls
from lossdesk.intake import views

app_name = "intake"
case = "cases/<str:case_no>/"
urlpatterns = [
    path("reports/new/", views.ReportCreateView.as_view(), name="report-new"),
    path(
        "reports/client-branches/",
        views.ClientBranchOptionsView.as_view(),
        name="client-branches",
    ),
    path("reports/import/", views.ImportView.as_view(), name="import"),
    path("reports/import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("reports/import/<int:pk>/run/", views.ImportRunView.as_view(), name="import-run"),
    path(
        "reports/import/mappings/<int:client_id>/",
        views.ImportMappingView.as_view(),
        name="import-mapping",
    ),
    path(
        "reports/import/mappings/<int:client_id>/template.xlsx",
        views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    *page_urls(app_name),
    path("callbacks/", views.CallbackListView.as_view(), name="callback-list"),
    path("callbacks/<int:pk>/", views.CallbackDetailView.as_view(), name="callback-detail"),
    path("callback/<str:token>/", views.PublicCallbackView.as_view(), name="callback-public"),
    path("roster/", views.RosterView.as_view(), name="roster"),
]

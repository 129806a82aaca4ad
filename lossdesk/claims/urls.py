from django.urls import path

from lossdesk.claims import views

app_name = "claims"

case = "cases/<str:case_no>/"
urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path(case, views.CaseDetailView.as_view(), name="case-detail"),
    path(f"{case}attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    *(
        path(
            f"{case}attachments/<int:pk>/{variant}/",
            views.AttachmentView.as_view(variant=variant),
            name=f"attachment-{variant}",
        )
        for variant in ("display", "thumbnail")
    ),
    path(f"{case}report.pdf", views.ReportPdfView.as_view(), name="report-pdf"),
    *views.page_urls(app_name),
]

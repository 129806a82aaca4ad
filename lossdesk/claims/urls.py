from django.urls import path

from lossdesk.claims import views

app_name = "claims"

case = "cases/<str:case_no>/"
urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path(case, views.CaseDetailView.as_view(), name="case-detail"),
    path(f"{case}attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path(f"{case}report.pdf", views.ReportPdfView.as_view(), name="report-pdf"),
    path(f"{case}survey/", views.SurveyView.as_view(), name="case-survey"),
    path(
        f"{case}survey/complete/",
        views.CompleteSurveyView.as_view(),
        name="case-complete-survey",
    ),
    path(f"{case}attachments/new/", views.UploadView.as_view(), name="case-upload"),
    path(f"{case}submit/", views.SubmitForReviewView.as_view(), name="case-submit"),
    path(f"{case}review/", views.ReviewView.as_view(), name="case-review"),
    path(
        f"{case}document-requests/new/",
        views.RequestDocumentsView.as_view(),
        name="case-request-documents",
    ),
    path(
        f"{case}document-requests/<int:pk>/fulfil/",
        views.FulfilDocumentsView.as_view(),
        name="case-fulfil-documents",
    ),
    path(f"{case}issue/", views.IssueReportView.as_view(), name="case-issue"),
    path(f"{case}close/", views.CloseView.as_view(), name="case-close"),
    path(f"{case}cancel/", views.CancelView.as_view(), name="case-cancel"),
]

from django.urls import path

from lossdesk.intake import views

app_name = "intake"
urlpatterns = [
    path("reports/new/", views.ReportCreateView.as_view(), name="report-new"),
    path(
        "reports/client-branches/",
        views.ClientBranchOptionsView.as_view(),
        name="client-branches",
    ),
    path("cases/<str:case_no>/dispatch/", views.DispatchView.as_view(), name="case-dispatch"),
    path("cases/<str:case_no>/accept/", views.AcceptView.as_view(), name="case-accept"),
    path("cases/<str:case_no>/arrival/", views.ArrivalView.as_view(), name="case-arrival"),
]

from django.urls import path

from lossdesk.quality import shop_views, views
from lossdesk.quality.staff import views as staff_views

app_name = "quality"
urlpatterns = [
    path("alerts/", views.AlertBoardView.as_view(), name="alert-board"),
    path("alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert-resolve"),
    path("repair-shops/", shop_views.ShopRankingView.as_view(), name="shop-ranking"),
    path("repair-shops/<int:pk>/", shop_views.ShopDetailView.as_view(), name="shop-detail"),
    # Staff quality (品质管理).
    path("misconduct/", staff_views.RegisterView.as_view(), name="misconduct-register"),
    path("misconduct/new/", staff_views.RegisterNewView.as_view(), name="misconduct-new"),
    path("misconduct/<int:pk>/", staff_views.RecordView.as_view(), name="misconduct-detail"),
    path(
        "misconduct/<int:pk>/evidence/<int:evidence_pk>/",
        staff_views.EvidenceFileView.as_view(),
        name="misconduct-evidence",
    ),
    path("my-record/", staff_views.PersonView.as_view(), name="my-record"),
    path("people/<int:pk>/", staff_views.PersonView.as_view(), name="person"),
    path("complaints/", staff_views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/<int:pk>/", staff_views.ComplaintView.as_view(), name="complaint-detail"),
    path(
        "whistleblower-reports/",
        staff_views.ReportListView.as_view(),
        name="whistleblower-report-list",
    ),
    path(
        "whistleblower-reports/<int:pk>/",
        staff_views.ReportView.as_view(),
        name="whistleblower-report",
    ),
]

"""REST API v1, included at /api/v1/ (namespace "api"). Paths have no trailing slash.
The OpenAPI schema is at /api/v1/openapi.json."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from lossdesk.audit.api import views as audit
from lossdesk.claims.api import views as claims
from lossdesk.core.api import not_found
from lossdesk.intake.api import views as intake
from lossdesk.org.api import views as org
from lossdesk.reports import api as reports

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("branches", org.BranchViewSet, basename="branch")
router.register("staff", org.StaffViewSet, basename="staff")
router.register("positions", org.PositionViewSet, basename="position")
router.register("clients", org.ClientViewSet, basename="client")
router.register("client-branches", org.ClientBranchViewSet, basename="client-branch")
router.register("client-contacts", org.ClientContactViewSet, basename="client-contact")
router.register("repair-shops", org.RepairShopViewSet, basename="repair-shop")

CASE = "cases/<str:case_no>"

urlpatterns = [
    path("auth/token", org.TokenView.as_view(), name="auth-token"),
    path("auth/tokens", org.TokenListView.as_view(), name="auth-tokens"),
    path("auth/tokens/<uuid:token_id>", org.TokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/password", org.PasswordView.as_view(), name="auth-password"),
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    path("reports", intake.ReportCreateView.as_view(), name="report-create"),
    path("me/position", intake.PositionView.as_view(), name="my-position"),
    path("audit/pii-access", audit.PiiAccessListView.as_view(), name="audit-pii-access"),
    path("statistics", reports.StatisticListView.as_view(), name="statistics"),
    path("statistics/<slug:slug>", reports.StatisticView.as_view(), name="statistic"),
    path("kpis", reports.KpiView.as_view(), name="kpis"),
    path("cases", claims.CaseListView.as_view(), name="case-list"),
    path(CASE, claims.CaseDetailView.as_view(), name="case-detail"),
    path(f"{CASE}/events", claims.CaseEventsView.as_view(), name="case-events"),
    path(f"{CASE}/surveyors", intake.SurveyorsView.as_view(), name="case-surveyors"),
    path(
        f"{CASE}/recommendations",
        intake.RecommendationsView.as_view(),
        name="case-recommendations",
    ),
    path(f"{CASE}/delegations", intake.DelegationsView.as_view(), name="case-delegations"),
    path(
        f"{CASE}/delegations/<int:pk>/<str:verb>",
        intake.DelegationActionView.as_view(),
        name="case-delegation-action",
    ),
    path(
        f"{CASE}/attachments/<int:pk>/file",
        claims.AttachmentFileView.as_view(),
        name="case-attachment-file",
    ),
    path(
        f"{CASE}/attachments/<int:pk>/display",
        claims.attachment_variant_view("display", "附件展示图（带水印，长边 1600 px）").as_view(),
        name="case-attachment-display",
    ),
    path(
        f"{CASE}/attachments/<int:pk>/thumbnail",
        claims.attachment_variant_view("thumbnail", "附件缩略图（带水印，长边 320 px）").as_view(),
        name="case-attachment-thumbnail",
    ),
    path(
        f"{CASE}/loss-items/<int:seq>/sheet",
        claims.sheet_endpoint().as_view(),
        name="case-sheet",
    ),
    path(f"{CASE}/report.pdf", claims.ReportPdfView.as_view(), name="case-report-pdf"),
    # Every declared case action (claims.actions, and those the apps contribute).
    *claims.action_urls(),
    *router.urls,
    path("", include("lossdesk.billing.api.urls")),
    path("", include("lossdesk.quality.api.urls")),
    path("", include("lossdesk.field.api.urls")),
    # Any character, a newline too (a fuzzed path): every unknown path gets the JSON 404.
    re_path(r"^[\s\S]*$", not_found),
]

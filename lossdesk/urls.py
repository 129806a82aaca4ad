from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from lossdesk.org.views import PasswordChangeView

admin.site.site_header = "LossDesk 管理后台"
admin.site.site_title = "LossDesk"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="claims:case-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lossdesk.intake.urls")),
    path("", include("lossdesk.claims.urls")),
    path("", include("lossdesk.motor.urls")),
    path("", include("lossdesk.property.urls")),
    path("", include("lossdesk.injury.urls")),
    path("", include("lossdesk.billing.urls")),
    path("", include("lossdesk.field.urls")),
    path("calc/", include("lossdesk.calc.urls")),
    path("api/v1/", include("lossdesk.calc.api_urls")),
    path("parts/", include("lossdesk.parts.urls")),
    path("api/v1/", include("lossdesk.parts.api_urls")),
    path("sms/", include("lossdesk.notify.urls")),
    path("stats/", include("lossdesk.reports.urls")),
    path("quality/", include("lossdesk.quality.urls")),
    path("monitoring/", include("lossdesk.quality.monitoring_urls")),
    path("api/v1/", include("lossdesk.notify.api_urls")),
    path("api/v1/", include("lossdesk.api_urls")),
    path("admin/", admin.site.urls),
]

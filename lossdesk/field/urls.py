from django.urls import path

from lossdesk.claims.views import page_urls
from lossdesk.field import views

app_name = "field"

CASE = "m/cases/<str:case_no>/"

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("m/", views.InboxView.as_view(), name="inbox"),
    path("m/offline/", views.offline, name="offline"),
    path(CASE, views.PhoneCaseView.as_view(), name="case"),
    path(f"{CASE}photos/", views.PhotosView.as_view(), name="photos"),
    path(f"{CASE}assessment/", views.AssessmentView.as_view(), name="assessment"),
    # The rescue action's desktop page (cases/<case_no>/rescues/new/), built by claims.
    *page_urls("field"),
    *(
        path(
            f"{CASE}{slug}/",
            views.PHONE_VIEWS.get(slug, views.PhoneActionView).as_view(
                declaration=action, slug=slug
            ),
            name=f"m-{slug}",
        )
        for slug, action in views.PHONE_ACTIONS.items()
    ),
]

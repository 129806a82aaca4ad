from django.urls import path

from lossdesk.claims.views import page_urls
from lossdesk.injury import views

app_name = "injury"
urlpatterns = [
    path("cases/<str:case_no>/items/<int:seq>/injury/", views.item_page, name="item"),
    path("cases/<str:case_no>/items/<int:seq>/injury/assessment/", views.save, name="save"),
    # The declared injury actions (injury.actions).
    *page_urls("injury"),
]

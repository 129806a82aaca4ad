from django.urls import path

from lossdesk.claims.views import page_urls
from lossdesk.property import views

app_name = "property"
urlpatterns = [
    path("cases/<str:case_no>/items/<int:seq>/property/", views.item_page, name="item"),
    path("cases/<str:case_no>/items/<int:seq>/property/sheet/", views.sheet_save, name="sheet"),
    # The declared property actions (property.actions).
    *page_urls("property"),
]

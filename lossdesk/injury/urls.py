from django.urls import path

from lossdesk.injury import views

app_name = "injury"
urlpatterns = [
    path("cases/<str:case_no>/items/<int:seq>/injury/", views.item_page, name="item"),
    path("cases/<str:case_no>/items/<int:seq>/injury/assessment/", views.save, name="save"),
]

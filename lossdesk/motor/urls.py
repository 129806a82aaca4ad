from django.urls import path

from lossdesk.motor import views

app_name = "motor"
urlpatterns = [
    path("cases/<str:case_no>/items/<int:seq>/sheet/", views.sheet_edit, name="sheet-edit"),
]

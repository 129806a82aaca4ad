from django.urls import path

from lossdesk.calc import views

app_name = "calc"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("vin/", views.VinView.as_view(), name="vin"),
    path("actual-value/", views.ActualValueView.as_view(), name="actual-value"),
    path("ctpl/", views.CtplView.as_view(), name="ctpl"),
    path("commercial/", views.CommercialView.as_view(), name="commercial"),
    path("injury/", views.InjuryView.as_view(), name="injury"),
    path("standards/", views.StandardsView.as_view(), name="standards"),
]

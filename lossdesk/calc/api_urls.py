"""Calculation endpoints under /api/v1/ (no trailing slash, as documented in issue 3)."""

from django.urls import path

from lossdesk.calc import api

urlpatterns = [
    path("vin/<str:vin>", api.VinView.as_view(), name="calc-vin"),
    path("calc/actual-value", api.ActualValueView.as_view(), name="calc-actual-value"),
    path("calc/ctpl", api.CtplView.as_view(), name="calc-ctpl"),
    path("calc/commercial", api.CommercialView.as_view(), name="calc-commercial"),
    path("calc/injury", api.InjuryView.as_view(), name="calc-injury"),
]

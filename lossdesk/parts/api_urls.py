"""The parts API under /api/v1/ (mounted before lossdesk.api_urls and its catch-all 404)."""

from django.urls import path

from lossdesk.parts.api import views as v

urlpatterns = [
    path("vehicle-models", v.VehicleModelsView.as_view(), name="parts-vehicle-models"),
    path("vehicle-makes", v.MakesView.as_view(), name="parts-vehicle-makes"),
    path(
        "vehicle-identifications",
        v.IdentificationView.as_view(),
        name="parts-vehicle-identifications",
    ),
    path("parts", v.PartSearchView.as_view(), name="parts-search"),
    path("parts/<int:pk>", v.PartDetailView.as_view(), name="parts-detail"),
    path("price-queries", v.PriceQueryListView.as_view(), name="parts-price-queries"),
    path("price-queries/<int:pk>", v.PriceQueryDetailView.as_view(), name="parts-price-query"),
    path(
        "price-queries/<int:pk>/apply",
        v.PriceQueryApplyView.as_view(),
        name="parts-price-query-apply",
    ),
    path("manual-quotes", v.ManualQuoteListView.as_view(), name="parts-manual-quotes"),
    path("manual-quotes/<int:pk>", v.ManualQuoteDetailView.as_view(), name="parts-manual-quote"),
    path(
        "manual-quotes/<int:pk>/photos/<int:photo_pk>",
        v.ManualQuotePhotoView.as_view(),
        name="parts-manual-quote-photo",
    ),
    path(
        "manual-quotes/<int:pk>/answer",
        v.ManualQuoteAnswerView.as_view(),
        name="parts-manual-quote-answer",
    ),
    path(
        "manual-quotes/<int:pk>/approve",
        v.ManualQuoteDecisionView.as_view(approve=True),
        name="parts-manual-quote-approve",
    ),
    path(
        "manual-quotes/<int:pk>/reject",
        v.ManualQuoteDecisionView.as_view(approve=False),
        name="parts-manual-quote-reject",
    ),
    path("local-prices", v.LocalPriceListView.as_view(), name="parts-local-prices"),
    path("local-prices/<int:pk>", v.LocalPriceDetailView.as_view(), name="parts-local-price"),
    path("price-changes", v.PriceChangeListView.as_view(), name="parts-price-changes"),
    path("catalogue-imports", v.CatalogueImportListView.as_view(), name="parts-imports"),
    path("catalogue-imports/<int:pk>", v.CatalogueImportDetailView.as_view(), name="parts-import"),
    path(
        "catalogue-imports/<int:pk>/confirm",
        v.CatalogueImportActionView.as_view(action="confirm"),
        name="parts-import-confirm",
    ),
    path(
        "catalogue-imports/<int:pk>/cancel",
        v.CatalogueImportActionView.as_view(action="cancel"),
        name="parts-import-cancel",
    ),
]

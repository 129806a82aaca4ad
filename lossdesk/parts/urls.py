from django.urls import path

from lossdesk.parts import views

app_name = "parts"
urlpatterns = [
    path("", views.search, name="search"),
    path("catalogue/<int:pk>/", views.part_detail, name="part-detail"),
    path("vehicles/", views.identify, name="identify"),
    path("vehicles/identify/", views.identify_save, name="identify-save"),
    path("queries/", views.query_list, name="query-list"),
    path("queries/new/", views.query_create, name="query-create"),
    path("queries/<int:pk>/", views.query_detail, name="query-detail"),
    path("queries/<int:pk>/apply/", views.query_apply, name="query-apply"),
    path("quotes/", views.quote_list, name="quote-list"),
    path("quotes/new/", views.quote_create, name="quote-create"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/photos/<int:photo_pk>/", views.quote_photo, name="quote-photo"),
    path("local-prices/", views.local_prices, name="local-prices"),
    path("imports/", views.import_list, name="import-list"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path(
        "imports/<int:pk>/confirm/",
        views.import_action,
        {"action": "confirm"},
        name="import-confirm",
    ),
    path(
        "imports/<int:pk>/cancel/", views.import_action, {"action": "cancel"}, name="import-cancel"
    ),
    path("imports/template.<str:fmt>", views.import_template, name="import-template"),
]

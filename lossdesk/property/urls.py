from lossdesk.claims.views import page_urls

app_name = "property"
urlpatterns = [
    # The declared property actions (property.actions).
    *page_urls("property"),
]

from lossdesk.claims.views import page_urls

app_name = "billing"
# The declared fee-adjustment actions (billing.actions) under cases/<case_no>/fee/….
urlpatterns = [*page_urls("billing")]

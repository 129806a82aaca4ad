from django.urls import path

from lossdesk.quality import shop_views, views

app_name = "quality"
urlpatterns = [
    path("alerts/", views.AlertBoardView.as_view(), name="alert-board"),
    path("alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert-resolve"),
    path("repair-shops/", shop_views.ShopRankingView.as_view(), name="shop-ranking"),
    path("repair-shops/<int:pk>/", shop_views.ShopDetailView.as_view(), name="shop-detail"),
]

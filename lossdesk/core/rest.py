from rest_framework.authentication import TokenAuthentication
from rest_framework.pagination import PageNumberPagination


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` with DRF's token table."""

    keyword = "Bearer"


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

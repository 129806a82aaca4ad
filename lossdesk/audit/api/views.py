"""GET /api/v1/audit/pii-access: the personal-data access records, for the auditor."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from lossdesk.audit.api.serializers import PiiAccessSerializer
from lossdesk.audit.models import PiiAccess
from lossdesk.audit.permissions import VIEW_PII_ACCESS
from lossdesk.org.api.base import error_responses


class CanViewPiiAccess(permissions.BasePermission):
    message = "您的岗位没有查看个人信息访问记录的权限。"

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(VIEW_PII_ACCESS))


class PiiAccessFilter(django_filters.FilterSet):
    user = django_filters.NumberFilter(field_name="user_id", help_text="访问人（员工 id）。")
    case_no = django_filters.CharFilter(help_text="案件号（完全匹配）。")
    date_from = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", help_text="访问日期不早于（含）。"
    )
    date_to = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", help_text="访问日期不晚于（含）。"
    )

    class Meta:
        model = PiiAccess
        fields = ["user", "case_no", "date_from", "date_to"]


@extend_schema(
    tags=["audit"],
    summary="个人信息访问记录",
    responses={200: PiiAccessSerializer(many=True), **error_responses(400, 401, 403)},
)
class PiiAccessListView(generics.ListAPIView):
    """Who was shown which person's phone, ID number or medical data in full, newest first."""

    serializer_class = PiiAccessSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewPiiAccess]
    filterset_class = PiiAccessFilter

    def get_queryset(self):
        return PiiAccess.objects.select_related("user")

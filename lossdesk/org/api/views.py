"""Organisation data (admin data) and the token endpoint.

Every viewset uses ModelPermissions: a position needs view_/add_/change_/delete_<model> for
GET/POST/PUT+PATCH/DELETE. The standard positions give the system administrator branches,
staff, clients and repair shops, the security administrator positions and staff positions,
and nothing writable to the auditor or to business staff."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.core.errors import ServiceError
from lossdesk.org.api import serializers as s
from lossdesk.org.api.base import ModelPermissions, ProtectedDestroyMixin, error_responses
from lossdesk.org.models import (
    Branch,
    Client,
    ClientBranch,
    ClientContact,
    Position,
    RepairShop,
    Staff,
    staff_in_scope,
)


class TokenView(APIView):
    """POST exchanges a username and password for the API token (no authentication needed);
    DELETE revokes the caller's token."""

    def initialize_request(self, request, *args, **kwargs):
        self.anonymous_post = request.method == "POST"
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        return [] if getattr(self, "anonymous_post", False) else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        tags=["auth"],
        summary="取得 API 令牌",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        password = serializer.validated_data["password"]
        user = authenticate(request, username=username, password=password)
        if user is None:
            inactive = Staff.objects.filter(username=username, is_active=False).first()
            if inactive is not None and inactive.check_password(password):
                message = "账号已停用，请联系系统管理员。"
            else:
                message = "用户名或密码错误。"
            raise ServiceError(message, fields={"non_field_errors": [message]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(
        tags=["auth"],
        summary="作废当前令牌（退出登录）",
        request=None,
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=204)


ORG_ERRORS = (400, 401, 403, 404, 409)


def org_schema(tag: str, serializer):
    """Schema of an org viewset: tag, bodies and the error responses of each action."""
    read = error_responses(401, 403, 404)
    write = error_responses(*ORG_ERRORS)
    return extend_schema_view(
        list=extend_schema(tags=[tag], responses={200: serializer(many=True), **read}),
        retrieve=extend_schema(tags=[tag], responses={200: serializer, **read}),
        create=extend_schema(tags=[tag], responses={201: serializer, **write}),
        update=extend_schema(tags=[tag], responses={200: serializer, **write}),
        partial_update=extend_schema(tags=[tag], responses={200: serializer, **write}),
        destroy=extend_schema(tags=[tag], responses={204: None, **write}),
    )


class OrgViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ProtectedDestroyMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ModelPermissions]


@org_schema("org", s.BranchSerializer)
class BranchViewSet(OrgViewSet):
    queryset = Branch.objects.all()
    serializer_class = s.BranchSerializer
    filterset_fields = ["parent", "level", "active"]


class StaffPermissions(ModelPermissions):
    """Changing a staff member also suits whoever may assign positions (the security
    administrator); StaffSerializer then limits them to the position field."""

    def has_permission(self, request, view):
        if (
            request.method in ("PUT", "PATCH")
            and request.user
            and request.user.is_authenticated
            and request.user.has_perm(s.ASSIGN_POSITION)
        ):
            return True
        return super().has_permission(request, view)


@org_schema("org", s.StaffSerializer)
class StaffViewSet(OrgViewSet):
    serializer_class = s.StaffSerializer
    permission_classes = [StaffPermissions]
    filterset_fields = ["branch", "position", "is_active"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Staff.objects.none()
        return (
            Staff.objects.filter(staff_in_scope(self.request.user))
            .select_related("branch", "position")
            .order_by("branch__path", "username")
        )


@org_schema("org", s.PositionSerializer)
class PositionViewSet(OrgViewSet):
    queryset = Position.objects.prefetch_related("permissions__content_type")
    serializer_class = s.PositionSerializer


@org_schema("clients", s.ClientSerializer)
class ClientViewSet(OrgViewSet):
    queryset = Client.objects.all()
    serializer_class = s.ClientSerializer
    filterset_fields = ["active"]


@org_schema("clients", s.ClientBranchSerializer)
class ClientBranchViewSet(OrgViewSet):
    queryset = ClientBranch.objects.order_by("client__code", "name")
    serializer_class = s.ClientBranchSerializer
    filterset_fields = ["client"]


@org_schema("clients", s.ClientContactSerializer)
class ClientContactViewSet(OrgViewSet):
    queryset = ClientContact.objects.order_by("client_branch", "name")
    serializer_class = s.ClientContactSerializer
    filterset_fields = ["client_branch"]


@org_schema("org", s.RepairShopSerializer)
class RepairShopViewSet(OrgViewSet):
    queryset = RepairShop.objects.all()
    serializer_class = s.RepairShopSerializer
    filterset_fields = ["branch", "kind", "active"]

"""Organisation data (admin data) and the token endpoint.

Every viewset uses ModelPermissions: a position needs view_/add_/change_/delete_<model> for
GET/POST/PUT+PATCH/DELETE. The standard positions give the system administrator branches,
staff, clients and repair shops, the security administrator positions and staff positions,
and nothing writable to the auditor or to business staff."""

from django.contrib.auth import authenticate, update_session_auth_hash
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.core.errors import LockedOut, ServiceError
from lossdesk.org import services
from lossdesk.org.api import serializers as s
from lossdesk.org.api.base import ModelPermissions, ProtectedDestroyMixin, error_responses
from lossdesk.org.error_codes import OrgErrorCode
from lossdesk.org.models import (
    AuthToken,
    Branch,
    Client,
    ClientBranch,
    ClientContact,
    Position,
    RepairShop,
    Staff,
)


class TokenView(APIView):
    """POST exchanges a username and password for a new API token (no authentication needed;
    one token per login and device); DELETE revokes the token of the request."""

    open_before_password_change = True

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
        responses={200: s.TokenSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        password = serializer.validated_data["password"]
        # The Django request, so django-axes' lockout flag reaches its middleware.
        user = authenticate(request._request, username=username, password=password)
        if getattr(request._request, "axes_locked_out", False):
            from lossdesk.org.security import lockout_message

            raise LockedOut(lockout_message())
        if user is None:
            inactive = Staff.objects.filter(username=username, is_active=False).first()
            if inactive is not None and inactive.check_password(password):
                message, code = "账号已停用，请联系系统管理员。", OrgErrorCode.ACCOUNT_INACTIVE
            else:
                message, code = "用户名或密码错误。", OrgErrorCode.INVALID_CREDENTIALS
            raise ServiceError(message, code=code, fields={"non_field_errors": [message]})
        device = serializer.validated_data.get("device") or request.META.get("HTTP_USER_AGENT", "")
        auth_token, token = services.do_issue_token(user, request=request._request, device=device)
        return Response(
            {
                "token": token,
                "id": auth_token.public_id,
                "expiry": auth_token.expiry,
                "password_change_required": user.password_change_required,
            }
        )

    @extend_schema(
        tags=["auth"],
        summary="作废本次请求使用的令牌（退出登录）",
        request=None,
        responses={204: None, **error_responses(401)},
    )
    def delete(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=204)


@extend_schema(
    tags=["auth"],
    summary="我的令牌（每次登录一个）",
    responses={200: s.AuthTokenSerializer(many=True), **error_responses(401)},
)
class TokenListView(generics.ListAPIView):
    serializer_class = s.AuthTokenSerializer
    permission_classes = [IsAuthenticated]
    open_before_password_change = True

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuthToken.objects.none()
        return AuthToken.objects.filter(user=self.request.user).order_by("-created")


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]
    open_before_password_change = True

    @extend_schema(
        tags=["auth"],
        summary="作废我的一个令牌（如丢失的设备）",
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, token_id):
        services.do_revoke_token(token_id, actor=request.user)
        return Response(status=204)


class PasswordView(APIView):
    permission_classes = [IsAuthenticated]
    open_before_password_change = True

    @extend_schema(
        tags=["auth"],
        summary="修改自己的密码",
        description="成功后作废本账号的其他全部令牌和会话；本次请求的令牌继续有效。",
        request=s.PasswordChangeSerializer,
        responses={204: None, **error_responses(400, 401, 403)},
    )
    def post(self, request):
        serializer = s.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.do_change_password(
            request.user,
            old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password"],
            actor=request.user,
            keep_token=request.auth if isinstance(request.auth, AuthToken) else None,
        )
        if request.auth is None:  # a page's session calling the API keeps its session
            update_session_auth_hash(request, request.user)
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
            Staff.objects.for_user(self.request.user)
            .select_related("branch", "position")
            .order_by("branch__path", "username")
        )

    def get_permissions(self):
        if self.action == "reset_password":
            return [IsAuthenticated()]  # the service checks org.reset_password
        return super().get_permissions()

    @extend_schema(
        tags=["org"],
        summary="强制重置员工密码",
        description="发放一次性显示的临时密码（员工首次登录须修改），作废该员工的全部令牌和会话，"
        "并记入审计日志。仅系统管理员（org.reset_password）；不能重置自己的密码。",
        request=None,
        responses={200: s.TemporaryPasswordSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        temporary = services.do_reset_password(self.get_object(), actor=request.user)
        return Response({"temporary_password": temporary})


@org_schema("org", s.PositionSerializer)
class PositionViewSet(OrgViewSet):
    """Nobody edits or deletes the position they hold (no self-granted rights)."""

    queryset = Position.objects.prefetch_related("permissions__content_type")
    serializer_class = s.PositionSerializer

    def update(self, request, *args, **kwargs):
        services.check_may_edit_position(self.get_object(), actor=request.user)
        return super().update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.check_may_edit_position(instance, actor=self.request.user)
        super().perform_destroy(instance)


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

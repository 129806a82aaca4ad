"""What DRF loads from settings: authentication, throttles and pagination. DRF imports this
module while reading its settings, so it must not import rest_framework.views."""

import logging

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from knox.auth import TokenAuthentication
from rest_framework import authentication, exceptions, throttling
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings

from lossdesk.core.cache import CacheUnreachable, process_cache
from lossdesk.core.errors import ErrorCode

logger = logging.getLogger(__name__)


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = ErrorCode.PASSWORD_CHANGE_REQUIRED.value
    default_detail = "您正在使用临时密码，请先修改密码（POST /api/v1/auth/password）。"


def refuse_until_password_changed(request, user) -> None:
    """An account on a temporary password reaches only the views that say
    `open_before_password_change` (changing the password, listing and revoking tokens)."""
    if not getattr(user, "password_change_required", False):
        return
    view = (getattr(request, "parser_context", None) or {}).get("view")
    if not getattr(view, "open_before_password_change", False):
        raise PasswordChangeRequired()


class AccountDisabled(exceptions.AuthenticationFailed):
    default_detail = "账号已停用，请联系系统管理员。"


class PasswordChanged(exceptions.AuthenticationFailed):
    default_detail = "密码已修改，请重新登录。"


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` with django-rest-knox tokens: one per login, stored as
    a digest, ended by idle time, by age, by revocation and by a password change."""

    def authenticate_credentials(self, token):
        try:
            return super().authenticate_credentials(token)
        except (AccountDisabled, PasswordChanged):
            raise
        except exceptions.AuthenticationFailed as exc:  # knox's English "Invalid token."
            raise exceptions.AuthenticationFailed("令牌无效或已过期，请重新登录。") from exc

    def _cleanup_token(self, auth_token) -> bool:
        # knox also sweeps the user's other expired tokens here, one query on every request;
        # org.services.do_issue_token sweeps them at login instead.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def validate_user(self, auth_token):
        user = auth_token.user
        if not user.is_active:
            raise AccountDisabled()
        if not constant_time_compare(auth_token.password_hash, user.get_session_auth_hash()):
            auth_token.delete()  # the password changed since this login
            raise PasswordChanged()
        return user, auth_token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_until_password_changed(request, result[0])
        return result


class SessionAuthentication(authentication.SessionAuthentication):
    """The pages' session on API calls, with the same temporary-password gate as tokens."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_until_password_changed(request, result[0])
        return result


class RatesFromSettings:
    """DRF reads the rates once at import; reading them per request lets settings (and tests)
    change them."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class ProcessCountWhileCacheDown:
    """While the shared cache (Redis) is unreachable a call is counted in this process's
    memory, as without LOSSDESK_CACHE_URL, and the outage is logged: the rate holds per
    process until Redis is back, rather than every API call answering 500 (decision 0029)."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CacheUnreachable as exc:
            logger.error(
                "API throttle %r counts in this process only, the cache is unreachable: %s",
                self.scope,
                exc,
            )
            self.cache = process_cache
            return super().allow_request(request, view)


class AnonRateThrottle(RatesFromSettings, ProcessCountWhileCacheDown, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RatesFromSettings, ProcessCountWhileCacheDown, throttling.UserRateThrottle):
    pass


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

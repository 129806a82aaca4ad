"""The login lockout answer (django-axes' AXES_LOCKOUT_CALLABLE) and the security log: every
failed login and every lockout goes to the "lossdesk.security" logger, beside the rows axes
keeps (AccessFailureLog, AccessAttempt) that the auditor reads in the admin."""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render

from lossdesk.core.errors import ErrorCode

security_log = logging.getLogger("lossdesk.security")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，账号已锁定 {minutes} 分钟。"
        "请稍后再试，或联系安全管理员解锁。"
    )


def lockout_response(request, original_response=None, credentials=None):
    """429 for a locked-out username: the API error body, or the login page with the message."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        body = {"code": ErrorCode.LOCKED_OUT.value, "message": lockout_message(), "fields": {}}
        response = JsonResponse({"error": body}, status=429)
    else:
        # Unbound: validating the posted form would try (and count) the login once more.
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        context = {"form": form, "locked_out_message": lockout_message()}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


@receiver(user_login_failed, dispatch_uid="org.security.login_failed")
def log_login_failure(sender, credentials, request=None, **kwargs):
    security_log.warning(
        "login failed for %r from %s",
        credentials.get("username"),
        getattr(request, "axes_ip_address", None) or "-",
    )


@receiver(user_locked_out, dispatch_uid="org.security.locked_out")
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    security_log.warning("login locked out for %r from %s", username, ip_address or "-")

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS. Every login a client can
    reach (the login page, POST /api/v1/auth/token) passes its request and is counted; a call
    without a request (the test client's login(), a shell) has no client to lock out and
    falls through to the password check instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PositionBackend(ModelBackend):
    """Permissions come from the staff member's position only: no per-user grants and no
    groups, so what a person may do is always readable from their position."""

    def get_user(self, user_id):
        # Every request reads the user, and then its position (the data scope, the
        # permissions) and branch (the scope's path): in one query instead of three.
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("position", "branch").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def _get_user_permissions(self, user_obj):
        return Permission.objects.none()

    def _get_group_permissions(self, user_obj):
        if not user_obj.position_id:
            return Permission.objects.none()
        return Permission.objects.filter(position__pk=user_obj.position_id)

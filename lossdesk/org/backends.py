from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from lossdesk.core.prepared import Prepared


class LoginAttemptBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS. Every login a client can
    reach (the login page, POST /api/v1/auth/token) passes its request and is counted; a call
    without a request (the test client's login(), a shell) has no client to lock out and
    falls through to the password check instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# The user with their position (the data scope, the permissions) and branch (the scope's
# path), read on every request: in one statement instead of three, compiled once per
# process (decision 0031).
_user = Prepared(
    lambda pk: get_user_model()._default_manager.select_related("position", "branch").filter(pk=pk)
)

# What each position may do as this process last read it: (position id, permissions token)
# -> permission names. A few dozen positions; stale entries are dropped past the bound.
REMEMBERED_MAX = 1000
_remembered: dict[tuple, frozenset[str]] = {}


class PositionBackend(ModelBackend):
    """Permissions come from the staff member's position only: no per-user grants and no
    groups, so what a person may do is always readable from their position."""

    def get_user(self, user_id):
        found = _user.fetch(user_id)
        return found[0] if found and self.user_can_authenticate(found[0]) else None

    def get_group_permissions(self, user_obj, obj=None):
        """The position's permissions as this process last read them, while the position's
        permissions token (read with the user on every request) is unchanged: one statement
        fewer on every request (decision 0030)."""
        position = user_obj.position if user_obj.position_id else None
        if position is None or user_obj.is_superuser or obj is not None:
            return super().get_group_permissions(user_obj, obj)
        if not user_obj.is_active:
            return set()
        key = (position.pk, position.permissions_token)
        names = _remembered.get(key)
        if names is None:
            rows = Permission.objects.filter(position=position).values_list(
                "content_type__app_label", "codename"
            )
            names = frozenset(f"{app_label}.{codename}" for app_label, codename in rows)
            if len(_remembered) >= REMEMBERED_MAX:  # stale tokens' entries, never read again
                _remembered.clear()
            _remembered[key] = names
        return set(names)

    def _get_user_permissions(self, user_obj):
        return Permission.objects.none()

    def _get_group_permissions(self, user_obj):
        if not user_obj.position_id:
            return Permission.objects.none()
        return Permission.objects.filter(position__pk=user_obj.position_id)

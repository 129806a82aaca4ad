from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class PositionBackend(ModelBackend):
    """Permissions come from the staff member's position only: no per-user grants and no
    groups, so what a person may do is always readable from their position."""

    def _get_user_permissions(self, user_obj):
        return Permission.objects.none()

    def _get_group_permissions(self, user_obj):
        if not user_obj.position_id:
            return Permission.objects.none()
        return Permission.objects.filter(position__pk=user_obj.position_id)

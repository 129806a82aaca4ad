from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """An account on a temporary password (new, or reset by the system administrator) sees
    only the password change page until it sets its own; the API answers 403
    password_change_required by itself (lossdesk.core.rest)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._open(request.path):
            user = request.user
            if user.is_authenticated and user.password_change_required:
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return (
            path.startswith(("/api/", settings.STATIC_URL))
            or path == reverse("password_change")
            or path == reverse("logout")
        )

"""The body of an OPTIONS answer (DEFAULT_METADATA_CLASS).

Kept apart from core.api: DRF imports the metadata class while it loads rest_framework.views,
which core.api itself imports."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class Metadata(SimpleMetadata):
    """DRF's OPTIONS answer without the object look-up. DRF describes PUT only after
    `get_object()` succeeds, which needs a `queryset`; case endpoints have none, they find the
    case through claims.api.views.get_case (scoped, by case_no), so OPTIONS on a PUT endpoint
    was a 500. Describing the body needs no object: the permission check is enough."""

    def determine_actions(self, request, view):
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
                actions[method] = self.get_serializer_info(view.get_serializer())
            except (exceptions.APIException, PermissionDenied, Http404):
                pass
            finally:
                view.request = request
        return actions

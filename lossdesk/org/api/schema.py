"""The OpenAPI generator every endpoint uses (DEFAULT_SCHEMA_CLASS)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from lossdesk.org.api.base import _ERROR_TEXT, ErrorSerializer

# DRF ignores a bad page_size; a bad page is a 404.
PAGING = {"page", "page_size"}


class AutoSchema(SpectacularAutoSchema):
    """Every operation documents the errors any endpoint of its kind answers, in the error
    body, so no view can forget them: 401 and 403 when it needs a login (a missing token; a
    position without the right), 404 when its path names an object or it pages a list (a page
    past the end), 400 when it reads a body or filters, and 415 when it reads a body (a type
    it does not parse, or a body that does not parse as its type). Views still declare what
    only they answer (409, 429) and may word these more precisely."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        security = operation.get("security", [])
        parameters = operation.get("parameters", [])
        statuses = set()
        if security and {} not in security:
            statuses |= {401, 403}
        if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
            statuses.add(404)
        filters = [p for p in parameters if p["in"] == "query" and p["name"] not in PAGING]
        if "requestBody" in operation or filters:
            statuses.add(400)
        if "requestBody" in operation:
            statuses.add(415)
        missing = sorted(s for s in statuses if str(s) not in operation["responses"])
        if missing:
            error = self.resolve_serializer(ErrorSerializer, "response").ref
            for status in missing:
                operation["responses"][str(status)] = {
                    "description": _ERROR_TEXT[status],
                    "content": {"application/json": {"schema": error}},
                }
        return operation

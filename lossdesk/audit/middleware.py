from lossdesk.audit.collector import recording


class PiiAccessMiddleware:
    """One collector per request; its notes are written in one insert once the response is
    built. A server error shows nothing, so its notes are dropped; a 4xx page that redraws a
    form still showed what it unmasked and is recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with recording(
            source="", path=request.path, ip=request.META.get("REMOTE_ADDR") or None
        ) as collector:
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            collector.source = (match.view_name if match else "") or request.path
            if response.status_code >= 500:
                collector.entries.clear()
        return response

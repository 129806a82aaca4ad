"""What the field app adds to every case (claims.registry): the rescue action, the rescues
on the case page (side slot) and in the adjusting report (pdf slot)."""

from django.db.models import Count, OuterRef, Subquery

from lossdesk.claims.registry import CaseContribution, register_case_contribution


def actions():
    from lossdesk.field.actions import FIELD_ACTIONS

    return FIELD_ACTIONS


def page_annotations(user) -> dict:
    from lossdesk.field.models import Rescue

    counted = (
        Rescue.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {"rescue_count": Subquery(counted)}


def page_context(request, case) -> dict:
    """The case's rescues; a case without any (the annotation says so) costs no query."""
    from lossdesk.field.models import Rescue

    if not getattr(case, "rescue_count", None):
        return {"rescues": []}
    rescues = Rescue.objects.filter(case=case).select_related("recorded_by")
    return {"rescues": list(rescues.prefetch_related("photos"))}


def register() -> None:
    register_case_contribution(
        CaseContribution(
            app="field",
            page_annotations=page_annotations,
            page_context=page_context,
            page_templates={
                "side": ("field/includes/case_rescues.html",),
                "pdf": ("field/includes/pdf_rescues.html",),
            },
            actions=actions,
        )
    )

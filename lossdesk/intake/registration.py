"""What intake adds to every case (claims.registry): the report and the dispatches on the
case page and in the case API, the dispatch actions, the alert and duplicate flags, the
cases a delegation shows to the receiving branch, and what follows closing and cancelling."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from lossdesk.claims.models import Case
from lossdesk.claims.queries import joined
from lossdesk.claims.registry import CaseContribution, register_case_contribution
from lossdesk.claims.signals import case_cancelled, case_closed
from lossdesk.core.prepared import PreparedPrefetch
from lossdesk.intake.choices import ACTIVE_DELEGATION_STATUSES
from lossdesk.intake.models import Delegation, Dispatch, DispatchAlert


def delegated_in(user) -> Q:
    """Cases with an open delegation (requested or accepted) to a branch in the user's
    scope. A small set: a hashed sub-plan."""
    open_delegations = Delegation.objects.filter(status__in=ACTIVE_DELEGATION_STATUSES)
    addressed = open_delegations.filter(Delegation.objects.scope_q(user))
    return Q(pk__in=addressed.values("case_id"))


def page_annotations(user) -> dict:
    # The case number of the report this one may duplicate, if the user may see that case.
    duplicate_case_no = (
        Case.objects.for_user(user)
        .filter(report_id=OuterRef("report__possible_duplicate_of_id"))
        .values("case_no")[:1]
    )
    return {"duplicate_case_no": Subquery(duplicate_case_no)}


def list_annotations(user) -> dict:
    open_alerts = DispatchAlert.objects.filter(case=OuterRef("pk"), resolved_at__isnull=True)
    return {"dispatch_alert": Exists(open_alerts)}


def page_context(request, case) -> dict:
    from lossdesk.intake.views import case_page_context

    return {**case_page_context(request, case), "dispatches": list(case.dispatches.all())}


def actions():
    from lossdesk.intake.actions import INTAKE_ACTIONS

    return INTAKE_ACTIONS


def api_fields() -> dict:
    from lossdesk.intake.api.serializers import DispatchSerializer, ReportSerializer

    return {
        "report": ReportSerializer(read_only=True),
        "dispatches": DispatchSerializer(many=True, read_only=True),
    }


def _dispatches(*order: str) -> tuple[str, QuerySet]:
    return "dispatches", joined(Dispatch.objects.all(), "surveyor", "dispatched_by").order_by(
        *order
    )


def cancel_dispatches(sender, case, **kwargs) -> None:
    from lossdesk.intake.services.dispatch import cancel_active_dispatches

    cancel_active_dispatches(case)


def register() -> None:
    from lossdesk.intake.services.callbacks import create_callback_on_close

    register_case_contribution(
        CaseContribution(
            app="intake",
            visible=delegated_in,
            page_annotations=page_annotations,
            page_context=page_context,
            page_templates={
                "alerts": ("intake/includes/case_alerts.html",),
                "main": ("intake/includes/case_report.html",),
                "side": ("intake/includes/case_dispatches.html", "intake/includes/case_cards.html"),
            },
            actions=actions,
            select_related=("report", "report__client_branch", "report__created_by"),
            page_select_related=("report__possible_duplicate_of",),
            page_prefetch=(Prefetch(*_dispatches("-dispatched_at", "-id")),),
            api_prefetch=(PreparedPrefetch(*_dispatches("dispatched_at", "id")),),
            api_fields=api_fields,
            api_fields_after={"report": "cancel_note", "dispatches": "loss_items"},
            list_annotations=list_annotations,
        )
    )
    case_cancelled.connect(cancel_dispatches, dispatch_uid="intake-cancel-dispatches")
    case_closed.connect(create_callback_on_close, dispatch_uid="intake-callback-on-close")

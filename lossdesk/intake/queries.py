"""Read side of intake: the queues and the KPI figures, always scoped to the user through
Case.objects.for_user (the one visibility function)."""

from django.db.models import Avg, Count, Q

from lossdesk.claims.models import Case
from lossdesk.intake.choices import ACTIVE_DELEGATION_STATUSES, CallbackStatus
from lossdesk.intake.models import Callback, Delegation, Dispatch, ImportBatch
from lossdesk.org.choices import DataScope


def callbacks_for(user):
    return Callback.objects.filter(case__in=Case.objects.for_user(user).values("pk"))


def delegations_for(user):
    return Delegation.objects.filter(case__in=Case.objects.for_user(user).values("pk"))


def incoming_delegations(user):
    """Delegations waiting for an answer from a branch in the user's scope."""
    queryset = delegations_for(user).filter(status__in=ACTIVE_DELEGATION_STATUSES)
    scope = user.data_scope
    if scope == DataScope.ALL:
        return queryset
    if scope == DataScope.SUBTREE and user.branch_id:
        return queryset.filter(to_branch__path__startswith=user.branch.path)
    return queryset.filter(to_branch_id=user.branch_id)


def import_batches_for(user):
    scope = user.data_scope
    queryset = ImportBatch.objects.select_related("client", "branch", "uploaded_by")
    if scope == DataScope.ALL:
        return queryset
    if not user.branch_id:
        return queryset.none()
    if scope == DataScope.SUBTREE:
        return queryset.filter(branch__path__startswith=user.branch.path)
    if scope == DataScope.BRANCH:
        return queryset.filter(branch_id=user.branch_id)
    return queryset.filter(uploaded_by=user)


def surveyor_callback_ratings(callbacks=None, *, since=None, until=None):
    """Average callback rating per surveyor (the satisfaction part of a surveyor's KPI):
    rows of surveyor_id, surveyor name, callbacks (count) and average_rating (a float, or
    None), from completed callbacks with a rating, in one SQL aggregate. `callbacks` narrows
    the base (e.g. `callbacks_for(user)`); `since` / `until` bound completed_at."""
    queryset = callbacks if callbacks is not None else Callback.objects.all()
    queryset = queryset.filter(
        status=CallbackStatus.COMPLETED, rating__isnull=False, surveyor__isnull=False
    )
    if since is not None:
        queryset = queryset.filter(completed_at__gte=since)
    if until is not None:
        queryset = queryset.filter(completed_at__lt=until)
    return (
        queryset.values("surveyor_id", "surveyor__full_name")
        .annotate(callbacks=Count("id"), average_rating=Avg("rating"))
        .order_by("-average_rating", "surveyor__full_name")
    )


def dispatch_arrival_minutes(dispatches=None):
    """Dispatch-to-arrival KPI over arrived dispatches: count and average minutes."""
    queryset = dispatches if dispatches is not None else Dispatch.objects.all()
    return queryset.filter(dispatch_to_arrival_minutes__isnull=False).aggregate(
        arrived=Count("id"),
        average_minutes=Avg("dispatch_to_arrival_minutes"),
        within_10=Count("id", filter=Q(dispatch_to_arrival_minutes__lte=10)),
    )

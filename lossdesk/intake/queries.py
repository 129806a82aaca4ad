"""Read side of intake: the queues and the KPI figures, always scoped to the user through
Case.objects.for_user (the one visibility function), and intake's hand-written SQL (the
surveyor candidates read for every dispatch recommendation)."""

import functools
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Avg, Count, Q

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.intake.choices import ACTIVE_DELEGATION_STATUSES, CallbackStatus, DispatchStatus
from lossdesk.intake.models import Callback, Delegation, Dispatch, ImportBatch
from lossdesk.org.models import Position, Staff
from lossdesk.org.positions import CASE_SURVEY


def callbacks_for(user):
    return Callback.objects.filter(case__in=Case.objects.for_user(user).values("pk"))


def delegations_for(user):
    return Delegation.objects.filter(case__in=Case.objects.for_user(user).values("pk"))


def incoming_delegations(user):
    """Delegations waiting for an answer from a branch in the user's scope (of the cases
    the user may see, those addressed to the user's branches)."""
    return delegations_for(user).for_user(user).filter(status__in=ACTIVE_DELEGATION_STATUSES)


def import_batches_for(user):
    return ImportBatch.objects.for_user(user).select_related("client", "branch", "uploaded_by")


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


# What the recommendation reads of a surveyor (and the dispatch and its SMS after it).
CANDIDATE_FIELDS = (
    "username",
    "full_name",
    "mobile",
    "branch_id",
    "is_active",
    "skill_vehicle",
    "skill_property",
    "skill_injury",
    "last_lat",
    "last_lng",
    "last_position_at",
)
# How long after arriving a surveyor still counts as on site while the case is surveyed.
ON_SITE_WINDOW = timedelta(hours=8)


def surveyor_candidates(case, *, branch_id: int, now) -> dict:
    """{staff id: Staff} of the branch's active surveyors for `case`, each with `en_route`,
    `on_site` and `declined_reason` (_candidates_sql), in one query."""
    app_label, codename = CASE_SURVEY.split(".")
    params = {
        "branch": branch_id,
        "app_label": app_label,
        "codename": codename,
        "case": case.pk,
        "pending": DispatchStatus.PENDING,
        "accepted": DispatchStatus.ACCEPTED,
        "arrived": DispatchStatus.ARRIVED,
        "since": connection.ops.adapt_datetimefield_value(now - ON_SITE_WINDOW),
        "surveying": CaseStatus.SURVEYING,
        "declined": DispatchStatus.DECLINED,
    }
    return {person.pk: person for person in Staff.objects.raw(_candidates_sql(), params)}


@functools.cache
def _candidates_sql() -> str:
    """The working branch's active surveyors (as dispatchable_surveyors) with two counts of
    open field work, leaving out this case: dispatches not yet arrived (pending or accepted,
    always a case in field work), and arrivals within ON_SITE_WINDOW whose case is still
    being surveyed. Both counts are index range scans on (surveyor, status, arrived_at).
    `declined_reason` is the reason of their latest declined dispatch of this case (they
    are ranked last), found through the case's few dispatches.

    Written by hand because it runs for every report registered: the equivalent queryset
    (annotate with two correlated Subquery counts) took ≈ 6 ms of Python to build, compile
    and convert, three times the database's share (docs/benchmarks.md). The recommendation
    tests (workload, skills, roster, other branches, inactive staff) pin its meaning."""
    quote = connection.ops.quote_name
    staff, dispatch, case, permission, content_type, grants = (
        quote(model._meta.db_table)
        for model in (
            Staff,
            Dispatch,
            Case,
            Permission,
            ContentType,
            Position.permissions.through,
        )
    )
    columns = ", ".join(
        f"s.{quote(Staff._meta.get_field(name).column)}" for name in ("id", *CANDIDATE_FIELDS)
    )
    return f"""
        SELECT {columns},
          (SELECT COUNT(*) FROM {dispatch} d
            WHERE d.surveyor_id = s.id AND d.status IN (%(pending)s, %(accepted)s)
              AND d.case_id <> %(case)s) AS en_route,
          (SELECT COUNT(*) FROM {dispatch} d JOIN {case} c ON c.id = d.case_id
            WHERE d.surveyor_id = s.id AND d.status = %(arrived)s AND d.arrived_at >= %(since)s
              AND c.status = %(surveying)s AND d.case_id <> %(case)s) AS on_site,
          (SELECT d.decline_reason FROM {dispatch} d
            WHERE d.case_id = %(case)s AND d.surveyor_id = s.id AND d.status = %(declined)s
            ORDER BY d.declined_at DESC LIMIT 1) AS declined_reason
        FROM {staff} s
        WHERE s.branch_id = %(branch)s AND s.is_active AND s.position_id IN (
          SELECT g.position_id FROM {grants} g
          JOIN {permission} p ON p.id = g.permission_id
          JOIN {content_type} t ON t.id = p.content_type_id
          WHERE p.codename = %(codename)s AND t.app_label = %(app_label)s)
    """

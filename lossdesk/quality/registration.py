"""What quality adds to every case (claims.registry): its risk alerts above the case page's
cards and above the reviewer's conclusion, for positions that see alerts; the open
deadlines on a person's own work (the phone's inbox)."""

from lossdesk.claims.registry import CaseContribution, Deadline, register_case_contribution


def _alerts(case, user) -> dict:
    from lossdesk.quality.choices import AlertStatus
    from lossdesk.quality.models import Alert
    from lossdesk.quality.permissions import RESOLVE_ALERT, VIEW_ALERT

    if not user.has_perm(VIEW_ALERT):
        return {}
    # Open ones first: they are what the reader has to act on.
    alerts = sorted(
        Alert.objects.filter(case=case).select_related("resolved_by"),
        key=lambda a: (a.status != AlertStatus.OPEN, -a.created_at.timestamp()),
    )
    return {
        "case_alerts": alerts,
        "open_alert_count": sum(a.status == AlertStatus.OPEN for a in alerts),
        "may_resolve_alert": user.has_perm(RESOLVE_ALERT),
    }


def _deadlines(cases, user, now):
    """The open deadlines whose person responsible is `user` (case monitoring: the
    surveyor's arrival, survey and assessment, the requester's document requests)."""
    from lossdesk.quality.choices import DeadlineStage
    from lossdesk.quality.models import CaseDeadline

    rows = (
        CaseDeadline.objects.open()
        .filter(case__in=cases, person=user)
        .values_list("case_id", "stage", "due_at")
    )
    for case_id, stage, due_at in rows:
        yield (
            case_id,
            Deadline(
                DeadlineStage(stage).label,
                due_at,
                due_at < now,
                documents=stage == DeadlineStage.DOCUMENTS,
            ),
        )


def register() -> None:
    register_case_contribution(
        CaseContribution(
            app="quality",
            page_context=lambda request, case: _alerts(case, request.user),
            review_context=_alerts,
            deadlines=_deadlines,
            page_templates={
                "alerts": ("quality/includes/case_alerts.html",),
                "review": ("quality/includes/case_alerts.html",),
            },
        )
    )

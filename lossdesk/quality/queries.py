"""Reads of the risk alerts, always within the user's case scope."""

from django.db.models import Count, Q, QuerySet

from lossdesk.claims.models import Case
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert


def alerts_for(user) -> QuerySet[Alert]:
    return Alert.objects.filter(case__in=Case.objects.for_user(user).values("pk"))


def hit_rates(alerts: QuerySet[Alert]) -> list[dict]:
    """Per rule and version: raised, open, confirmed, dismissed, and the hit rate — the share
    of the decided alerts that were confirmed (None before any is decided)."""
    rows = (
        alerts.order_by()
        .values("rule", "rule_version")
        .annotate(
            raised=Count("pk"),
            open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
            confirmed=Count("pk", filter=Q(status=AlertStatus.CONFIRMED)),
            dismissed=Count("pk", filter=Q(status=AlertStatus.DISMISSED)),
        )
        .order_by("rule", "rule_version")
    )
    out = []
    for row in rows:
        decided = row["confirmed"] + row["dismissed"]
        rule = RULES.get(row["rule"])
        out.append(
            {
                **row,
                "title": rule.title if rule else row["rule"],
                "hit_rate": round(row["confirmed"] / decided, 4) if decided else None,
            }
        )
    return out

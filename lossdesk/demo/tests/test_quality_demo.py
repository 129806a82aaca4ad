"""Risk alerts in the demo: the rules ran on every demo case as the scheduled job would, each
alert says what it saw, and each branch's manager worked the two oldest — confirmed and
dismissed with a reason — so the board has alerts in every state."""

from lossdesk.claims.choices import EventType
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert
from lossdesk.quality.services import evaluate_cases


def test_the_demo_has_alerts_in_every_state_worked_by_branch_managers(demo_db):  # noqa: F811
    alerts = Alert.objects.select_related("case", "resolved_by__position")
    statuses = {a.status for a in alerts}
    assert statuses == {AlertStatus.OPEN, AlertStatus.CONFIRMED, AlertStatus.DISMISSED}
    for alert in alerts:
        assert alert.rule in RULES and alert.explanation and "params" in alert.inputs
        if alert.status != AlertStatus.OPEN:
            assert alert.resolved_by.position.code == "branch_manager"
            assert alert.resolved_by.branch_id == alert.case.branch_id
        if alert.status == AlertStatus.DISMISSED:
            assert alert.reason
    raised = alerts.first().case.events.filter(type=EventType.ALERT_RAISED)
    assert raised.exists()


def test_the_demo_already_holds_every_alert_the_job_would_raise(demo_db):  # noqa: F811
    assert evaluate_cases() == 0


def test_the_demo_has_a_person_past_15_points_with_the_consequences(demo_db):  # noqa: F811
    from lossdesk.quality.staff.models import Consequence, MisconductRecord
    from lossdesk.quality.staff.services import running_points

    consequences = Consequence.objects.select_related("threshold", "about", "person__position")
    assert {c.threshold.consequence for c in consequences} == {
        "建议解除代理合同",
        "通报批评",
        "延长考核期",
        "扣发管理津贴15%",
    }
    (about,) = {c.about for c in consequences}
    assert running_points(about, consequences[0].period) == 15
    assert {c.person.position.code for c in consequences} == {"surveyor", "branch_manager"}
    statuses = set(MisconductRecord.objects.values_list("status", flat=True))
    assert statuses == {"final", "registered"}

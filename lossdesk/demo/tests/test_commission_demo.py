"""Commissions in the demo: the four roles' rules and an approved (locked) month whose lines
are what a re-run from the case events gives again, to the fen."""

from lossdesk.billing.choices import CommissionRunStatus
from lossdesk.billing.commissions import month_lines, stored_lines
from lossdesk.billing.models import CommissionRule, CommissionRun
from lossdesk.demo.tests.test_seed_demo import demo_db, seeded  # noqa: F401 (the shared seed)


def test_the_demo_has_an_approved_commission_month(demo_db):  # noqa: F811
    assert set(CommissionRule.objects.values_list("role", flat=True)) == {
        "surveyor",
        "assessor",
        "reviewer",
        "dispatcher",
    }
    run = CommissionRun.objects.get()
    assert run.status == CommissionRunStatus.APPROVED
    assert run.approved_by != run.run_by
    assert run.case_count > 0 and run.total > 0
    lines = stored_lines(run)
    assert lines == [line.key() for line in month_lines(run.branch, run.month)]

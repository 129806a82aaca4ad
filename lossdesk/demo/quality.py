"""Risk alerts (风险预警) in the demo. Every fourth case that ends the demo still open (and is
not a second report of an accident) was reported two to five days after its accident, so
the late-report rule has something to find. After the cases ran, every rule of the registry
is evaluated on the open cases, as the scheduled job (`evaluate_alerts`) does now, and the
two oldest alerts are worked by their branch's manager — one confirmed, one dismissed with
a reason — so the board, the hit rates, the case and review pages show alerts in all three
states. `QualityDemo` is a part of DemoBuilder."""

from __future__ import annotations

from lossdesk.claims.choices import FINAL_STATUSES
from lossdesk.claims.models import Case
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert
from lossdesk.quality.services import do_resolve_alert, evaluate_cases

LATE_EVERY = 4
LATE_MINUTES = (50 * 60, 120 * 60)  # the late-report rule's default threshold is 48 hours
DISMISSAL = "经核实属正常情况：客户出差在外，回来后即报案，有行程单为证。"


class QualityDemo:
    def _mark_late_reports(self, plans) -> None:
        ending_open = [p for p in plans if p.target not in FINAL_STATUSES]
        for plan in ending_open[LATE_EVERY - 1 :: LATE_EVERY]:
            plan.late_report = plan.duplicate_of is None

    def _build_alerts(self, plans) -> None:
        cases = Case.objects.filter(pk__in=[plan.case.pk for plan in plans])
        evaluate_cases(cases.exclude(status__in=FINAL_STATUSES))
        oldest = Alert.objects.filter(case__in=cases).select_related("case__branch")
        decisions = (AlertStatus.CONFIRMED, AlertStatus.DISMISSED)
        # Fewer alerts than decisions in a tiny demo: work those there are.
        for alert, decision in zip(
            oldest.order_by("created_at", "pk")[:2], decisions, strict=False
        ):
            manager = self.people[(alert.case.branch.code, "branch_manager")][0]
            reason = DISMISSAL if decision == AlertStatus.DISMISSED else ""
            do_resolve_alert(alert, decision=decision, reason=reason, actor=manager)

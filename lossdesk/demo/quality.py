"""Risk alerts (风险预警) in the demo. Every fourth case that ends the demo still open (and is
not a second report of an accident) was reported two to five days after its accident, so
the late-report rule has something to find. After the cases ran, every rule of the registry
is evaluated on the open cases, as the scheduled job (`evaluate_alerts`) does now, and the
two oldest alerts are worked by their branch's manager — one confirmed, one dismissed with
a reason — so the board, the hit rates, the case and review pages show alerts in all three
states. Staff quality (品质管理) in the first city: one surveyor's two grave entries reach
15 points, so the consequences for them and their branch manager are on their page; another
entry waits for its person's reply, one was appealed and reduced; a customer's complaint
concluded as substantiated, a rewarded whistle-blower report, an award and a conduct
evaluation. `QualityDemo` is a part of DemoBuilder."""

from __future__ import annotations

from django.utils import timezone

from lossdesk.claims.choices import FINAL_STATUSES
from lossdesk.claims.models import Case
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.models import Alert
from lossdesk.quality.services import do_resolve_alert, evaluate_cases
from lossdesk.quality.staff import periods
from lossdesk.quality.staff import services as staff
from lossdesk.quality.staff.models import MisconductItem

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

    def _build_staff_quality(self, plans) -> None:
        # The first city with three surveyors (杭州), whatever the random plan put first.
        cities = [code for code, position in self.people if position == "surveyor"]
        city = next((c for c in cities if len(self.people[(c, "surveyor")]) >= 3), None)
        if city is None:
            return
        surveyors = self.people[(city, "surveyor")]
        (manager,), (reviewer,) = (
            self.people[(city, "branch_manager")],
            self.people[(city, "reviewer")],
        )
        today = timezone.localdate()
        items = {i.code: i.pk for i in MisconductItem.objects.in_effect(today)}
        case = next((p.case for p in plans if p.case.branch.code == city), None)
        case_no = case.case_no if case else ""

        def register(person, code, points, description, **extra):
            data = {
                "person": person.pk,
                "item": items[code],
                "points": points,
                "occurred_on": today,
                "description": description,
                **extra,
            }
            return staff.do_register_misconduct(data, actor=reviewer)

        crossing, waiting, appealing = surveyors[:3]
        first = register(
            crossing, "S05", 8, "与修理厂串通，将修复的前保险杠按更换定损。", case_no=case_no
        )
        staff.do_reply_misconduct(first, reply="情况属实，接受处理。", actor=crossing)
        staff.do_finalize_misconduct(first, actor=reviewer)
        second = register(crossing, "S06", 7, "收受修理厂购物卡一张（500 元）。")
        staff.do_finalize_misconduct(second, actor=reviewer)  # 15 points: the consequences
        register(waiting, "S02", 2, "查勘照片缺少车架号照片。")
        appealed = register(appealing, "S03", 6, "现场向客户承诺全额赔付。")
        staff.do_appeal_misconduct(
            appealed, reason="仅告知客户按条款赔付，有通话录音为证。", actor=appealing
        )
        staff.do_decide_appeal(
            appealed,
            decision="reduced",
            reason="录音显示表述不严谨，情节较轻。",
            points=3,
            actor=manager,
        )
        staff.do_finalize_misconduct(appealed, actor=reviewer)
        complaint = staff.do_receive_complaint(
            {
                "source": "customer",
                "complainant": "陈先生",
                "case_no": case_no,
                "staff": waiting.pk,
                "summary": "查勘员迟到一小时且未提前告知。",
            },
            actor=manager,
        )
        staff.do_conclude_complaint(
            complaint,
            {
                "outcome": "substantiated",
                "conclusion": "经调取定位记录，迟到属实。",
                "item": items["S01"],
                "points": 1,
            },
            actor=manager,
        )
        report = staff.do_receive_report(
            {"reporter_name": "匿名来电", "subject": crossing.pk, "content": "收受修理厂购物卡。"},
            actor=manager,
        )
        staff.do_decide_report(
            report,
            {"outcome": "rewarded", "reason": "查实，已登记违规。", "reward": "500"},
            actor=manager,
        )
        staff.do_grant_award(
            surveyors[-1],
            {"title": "季度服务之星", "reason": "客户回访满意率 100%。"},
            actor=manager,
        )
        staff.do_evaluate_conduct(
            crossing,
            {
                "period": periods.period_of(today),
                "result": "unqualified",
                "comment": "本半年累计扣 15 分，建议解除代理合同。",
            },
            actor=manager,
        )

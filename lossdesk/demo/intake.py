"""Intake and dispatch in the demo (docs/dispatch.md): the city branches keep a roster from
a few days back to a week ahead and their surveyors report positions, so dispatchers follow
the recommendation (and the stored reasons are real); now and then a dispatch is declined or
times out, a case is delegated to another branch (委托异地) and accepted, refused or
returned. One branch dispatches automatically. Closed cases get their callback (客户回访),
answered by SMS link or by phone, or still open. `IntakeDemo` is a part of DemoBuilder: it
keeps the roster and runs a case's intake steps, from the report to the surveyor's arrival,
and its callback."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.demo import injury as injury_demo
from lossdesk.demo import quality as quality_demo
from lossdesk.demo.errors import DemoBuildError
from lossdesk.demo.firm import CITIES
from lossdesk.intake import sms as intake_sms
from lossdesk.intake.choices import CallbackMethod, CallbackStatus
from lossdesk.intake.models import RosterShift, shift_bounds
from lossdesk.intake.queries import ON_SITE_WINDOW
from lossdesk.intake.services.callbacks import (
    do_create_callback,
    do_record_callback_call,
    do_submit_callback_feedback,
)
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_refuse_delegation,
    do_request_delegation,
    do_return_delegation,
)
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_decline_dispatch,
    do_dispatch_case,
    do_record_arrival,
    do_record_position,
    recommend_surveyors,
    sweep_dispatch_timeouts,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.notify.models import SmsMessage
from lossdesk.org.models import Branch

if TYPE_CHECKING:
    from lossdesk.demo.plans import CasePlan

S = CaseStatus

# The roster: days before and after today, day and night shifts (a night shift ends the next
# morning). Surveyors rotate day → night → rest (with two: day ↔ night), each in one district.
ROSTER_DAYS = (-3, 7)
SHIFTS = {"day": (time(8), time(20)), "night": (time(20), time(8))}
ROTATION = ("day", "night", "rest")
# Coordinates come with most reports (insurer API, hotline); the rest are "not located".
LOCATED_SHARE = 0.9
# This branch dispatches automatically (Branch.auto_dispatch), switched on when the roster
# began, so its recent reports were dispatched by the system.
AUTO_DISPATCH_CITY = "shenzhen"
ACCEPT_DEADLINE = Branch._meta.get_field("accept_deadline_minutes").default
DISPATCH_NOTES = (
    "",
    "",
    "",
    "客户在现场等候，请尽快联系。",
    "高架出口，注意安全。",
    "三者车已驶离，先联系本车驾驶员。",
)
REDISPATCH_NOTES = ("原查勘员在处理另一现场，改派。", "就近改派。")
# Now and then the dispatcher passes over the top candidate, for a reason.
OVERRIDE_SHARE = 0.08
OVERRIDE_REASONS = (
    "客户指定熟悉该车型的查勘员。",
    "推荐人员今日限行，改派次优人员。",
    "推荐人员连续出险多起，均衡工作量。",
)
DECLINE_REASONS = (
    "正在处理另一起现场，预计一小时后才能结束。",
    "车辆故障，暂时无法前往现场。",
    "距离太远，建议调度就近查勘员。",
    "身体不适，请改派他人。",
)
PASSED_OVER = {"decline": "原查勘员拒单，改派。", "time_out": "原查勘员超时未接单，改派。"}
DELEGATION_NOTE = "本车在{scene}出险，车辆停放于当地，请{to}就近查勘定损。"
ITEM_DELEGATION_NOTE = "三者车 {plate} 已拖回{scene}修理，请{to}就近定损。"
ACCEPT_NOTES = ("已接收，安排本机构查勘员。", "")
REFUSE_REASONS = (
    "本机构查勘员均在外支援，今日无法安排，请另行处理。",
    "出险地位于所辖县级市，超出本机构服务范围。",
)
RETURN_REASONS_DELEGATION = (
    "事故车已拖回{home}维修，退回委托机构就近查勘。",
    "客户要求回{home}定损，退回委托。",
)
# Callbacks (客户回访) after closing: by SMS link or by phone; ratings 5 … 1.
CALLBACK_SMS_SHARE = 0.6
LINK_ANSWER_SHARE = 0.55
RATING_WEIGHTS = (50, 28, 12, 6, 4)
CALL_RESULTS = (
    (CallbackStatus.COMPLETED, 75),
    (CallbackStatus.UNREACHABLE, 15),
    (CallbackStatus.DECLINED, 10),
)
COMMENTS = {
    5: (
        "查勘员到场很快，处理专业，非常满意。",
        "定损公道，全程有人跟进。",
        "态度很好，解释得很清楚。",
        "",
    ),
    4: ("整体满意，就是等定损结果等了两天。", "查勘员很耐心，修理厂对接稍慢。", ""),
    3: ("到场时间比短信说的晚了半小时。", "流程有点繁琐，资料交了好几次。"),
    2: ("定损金额比修理厂报价低，协商了很久。", "电话一直打不通，催了好几次。"),
    1: ("等了两个多小时才有人到现场，很不满意。", "对定损结果不认可。"),
}
CALL_NOTES = {
    CallbackStatus.COMPLETED: ("按回访话术完成回访。", "客户表示无其他意见。"),
    CallbackStatus.UNREACHABLE: ("两次拨打无人接听。", "客户手机关机，改日再拨。"),
    CallbackStatus.DECLINED: ("客户表示正在开车，不便回访。", "客户拒绝回访。"),
}


class IntakeDemo:
    # -- roster and positions ----------------------------------------------------------------

    def _build_roster(self) -> None:
        """Shifts of every city's surveyors from a few days back to a week ahead, each
        surveyor in a district of their own (片区), as the dispatchers keep them on /roster/."""
        today = timezone.localdate(self.now)
        days = [today + timedelta(days=n) for n in range(ROSTER_DAYS[0], ROSTER_DAYS[1] + 1)]
        self.roster_start = datetime.combine(
            days[0], SHIFTS["day"][0], tzinfo=timezone.get_current_timezone()
        )
        self.zones: dict[int, tuple[str, float, float]] = {}
        self.duty: dict[int, list[tuple[datetime, datetime]]] = {}
        shifts = []
        for city in CITIES:
            surveyors = self.people[(city.code, "surveyor")]
            rotation = ROTATION[: max(2, len(surveyors))]
            zones = self.rng.sample(city.districts, len(surveyors))
            for index, (surveyor, zone) in enumerate(zip(surveyors, zones, strict=True)):
                self.zones[surveyor.pk] = zone
                for offset, day in enumerate(days):
                    kind = rotation[(offset + index) % len(rotation)]
                    if kind == "rest":
                        continue
                    start, end = SHIFTS[kind]
                    shifts.append(
                        RosterShift(
                            surveyor=surveyor,
                            branch=surveyor.branch,
                            zone=zone[0],
                            date=day,
                            start_time=start,
                            end_time=end,
                        )
                    )
                    self.duty.setdefault(surveyor.pk, []).append(shift_bounds(day, start, end))
        RosterShift.objects.bulk_create(shifts)
        self.shift_count = len(shifts)

    def _switch_on_auto_dispatch(self, moment: datetime) -> None:
        """Plans run in the order they were registered, so from the first registration after
        the switch-on the system dispatches that branch's reports."""
        branch = self.branches[AUTO_DISPATCH_CITY]
        if not branch.auto_dispatch and moment >= self.roster_start:
            branch.auto_dispatch = True
            branch.save(update_fields=["auto_dispatch"])

    def _report_positions(self, plans: list[CasePlan]) -> None:
        """Where each surveyor's phone last reported: on duty a few minutes ago (at the scene
        while surveying there, otherwise in their district); off duty when the last shift
        ended, which the recommendation shows as out of date."""
        arrivals = [
            (moment, plan)
            for plan in plans
            if plan.target == S.SURVEYING and plan.scene is plan.work_city
            for step, moment in zip(plan.steps, plan.times, strict=True)
            if step.action == "arrive" and moment >= self.now - ON_SITE_WINDOW
        ]
        on_site = {  # the latest arrival wins
            plan.people["surveyor"].pk: plan.location
            for _, plan in sorted(arrivals, key=lambda arrival: arrival[0])
        }
        for surveyor_id, (_, lat, lng) in self.zones.items():
            surveyor = self.staff_by_id[surveyor_id]
            shifts = self.duty[surveyor_id]
            if any(start <= self.now < end for start, end in shifts):
                point = on_site.get(surveyor_id) or self._near(lat, lng, 0.03)
                at = self.now - timedelta(minutes=self.rng.uniform(1, 40))
            else:
                ended = max(end for _, end in shifts if end <= self.now)
                point, at = self._near(lat, lng, 0.03), ended - timedelta(minutes=5)
            do_record_position(surveyor, lat=point[0], lng=point[1], actor=surveyor, at=at)

    # -- report, dispatch, delegation, arrival -----------------------------------------------

    def _do_register(self, plan: CasePlan) -> None:
        rng, insurer, city = self.rng, plan.insurer, plan.city
        insured, third_parties = plan.vehicles[0], plan.vehicles[1:]
        reported_at = self.clock.now - timedelta(minutes=rng.uniform(1, 20))
        if plan.duplicate_of:
            accident_time = plan.duplicate_of.accident_time
        else:
            lag = rng.choices(((5, 120), (120, 720), (720, 2160)), (70, 25, 5))[0]
            if plan.late_report:  # the same draws either way: the other cases stay as they were
                lag = quality_demo.LATE_MINUTES
            accident_time = reported_at - timedelta(minutes=rng.uniform(*lag))
        year = timezone.localtime(reported_at).year
        self.claim_serials[insurer.code] += 1
        policy_year = year if rng.random() < 0.6 else year - 1

        def number(fmt: str, serial: int, y: int = year) -> str:
            return fmt.format(area=city.area, year=y, serial=serial)

        driver, driver_phone = self._customer_name(), self._mobile()
        if rng.random() < 0.8:
            reporter, reporter_phone = driver, driver_phone
        else:
            reporter, reporter_phone = self._customer_name(), self._mobile()
        if len(third_parties) == 1:
            tp_words = f"{third_parties[0].plate}号车"
        else:
            tp_words = "、".join(v.plate for v in third_parties) + "两车"
        description = injury_demo.injury_description(
            (plan.duplicate_of or plan).injury_plan,
            plan.scenario.report.format(place=plan.place, tp=tp_words),
        )
        data = {
            "client": self.clients[insurer.code],
            "client_branch": self.client_branches[(insurer.code, city.code)],
            "client_claim_no": number(insurer.claim_no, self.claim_serials[insurer.code]),
            "policy_no_ctpl": number(insurer.ctpl_no, rng.randint(1, 9999999), policy_year),
            "policy_no_commercial": (
                number(insurer.commercial_no, rng.randint(1, 9999999), policy_year)
                if rng.random() < 0.85
                else ""
            ),
            "plate": insured.plate,
            "vin": insured.vin if rng.random() < 0.95 else "",
            "reporter_name": reporter,
            "reporter_phone": reporter_phone,
            "driver_name": driver,
            "driver_phone": driver_phone,
            "accident_time": accident_time,
            "accident_place": plan.place,
            "description": description,
            "reported_at": reported_at,
            "third_party_vehicles": len(third_parties),
            "third_party_plates": ",".join(v.plate for v in third_parties),
            "property_loss": plan.property_loss,
            "injured_persons": plan.injured,
        }
        if plan.located:
            lat, lng = plan.location
            data.update(accident_lat=Decimal(str(lat)), accident_lng=Decimal(str(lng)))
        plan.case = do_register_report(data, actor=plan.people["registrar"])
        plan.accident_time = accident_time
        if plan.case.status == S.DISPATCHED:  # by the system (Branch.auto_dispatch)
            plan.auto_dispatched = True
            plan.people["surveyor"] = self.staff_by_id[plan.case.surveyor_id]

    def _do_dispatch(self, plan: CasePlan) -> None:
        """The dispatcher sends the top of the recommendation, now and then someone else for
        a reason; never again the one just re-dispatched, declined or timed out."""
        if plan.auto_dispatched:  # the system has done this step
            plan.auto_dispatched = False
            return
        rng, case = self.rng, plan.case
        passed = dict(plan.passed_over)
        if case.surveyor_id:
            passed[case.surveyor_id] = rng.choice(REDISPATCH_NOTES)
        ranking = recommend_surveyors(case)
        candidates = [r for r in ranking if r.candidate.id not in passed] or ranking
        chosen, reason = candidates[0], passed.get(ranking[0].candidate.id, "")
        if len(candidates) > 1 and rng.random() < OVERRIDE_SHARE:
            chosen, reason = candidates[1], rng.choice(OVERRIDE_REASONS)
        surveyor = self.staff_by_id[chosen.candidate.id]
        do_dispatch_case(
            case,
            surveyor=surveyor,
            note=passed.get(case.surveyor_id) or rng.choice(DISPATCH_NOTES),
            override_reason=reason,  # kept only when the pick scored below the top
            actor=plan.people["dispatcher"],
        )
        plan.people["surveyor"] = surveyor

    def _do_decline(self, plan: CasePlan) -> None:
        surveyor = plan.people["surveyor"]
        do_decline_dispatch(plan.case, reason=self.rng.choice(DECLINE_REASONS), actor=surveyor)
        plan.passed_over[surveyor.pk] = PASSED_OVER["decline"]

    def _do_time_out(self, plan: CasePlan) -> None:
        # Earlier plans left no dispatch pending this long ago, so only this one times out.
        if sweep_dispatch_timeouts() != 1:
            raise DemoBuildError(f"案件 {plan.case.case_no}：超时扫描退回了其他案件的调度。")
        plan.passed_over[plan.people["surveyor"].pk] = PASSED_OVER["time_out"]

    def _do_delegate(self, plan: CasePlan, item: bool = False) -> None:
        to_branch = self.branches[plan.remote.code]
        loss_item = None
        if item:
            plate = plan.vehicles[1].plate
            loss_item = plan.case.loss_items.get(plate=plate)
            note = ITEM_DELEGATION_NOTE.format(plate=plate, scene=plan.remote.name, to=to_branch)
        else:
            note = DELEGATION_NOTE.format(scene=plan.remote.name, to=to_branch)
        plan.delegation = do_request_delegation(
            plan.case,
            to_branch=to_branch,
            loss_item=loss_item,
            note=note,
            actor=plan.people["delegator"],
        )

    def _do_accept_delegation(self, plan: CasePlan) -> None:
        do_accept_delegation(
            plan.delegation, note=self.rng.choice(ACCEPT_NOTES), actor=plan.people["receiver"]
        )

    def _do_refuse_delegation(self, plan: CasePlan) -> None:
        do_refuse_delegation(
            plan.delegation, reason=self.rng.choice(REFUSE_REASONS), actor=plan.people["receiver"]
        )

    def _do_return_delegation(self, plan: CasePlan) -> None:
        reason = self.rng.choice(RETURN_REASONS_DELEGATION).format(home=plan.city.name)
        do_return_delegation(plan.delegation, reason=reason, actor=plan.people["receiver"])

    def _do_accept(self, plan: CasePlan) -> None:
        do_accept_dispatch(plan.case, actor=plan.people["surveyor"])

    def _do_arrive(self, plan: CasePlan) -> None:
        surveyor = plan.people["surveyor"]
        do_record_arrival(plan.case, actor=surveyor)
        if plan.scene is plan.work_city:  # else the car was surveyed back home
            lat, lng = self._near(*plan.location, 0.002)
            do_record_position(surveyor, lat=lat, lng=lng, actor=surveyor)

    # -- callbacks ---------------------------------------------------------------------------

    def _callback(self, plan: CasePlan) -> None:
        """The callback closing creates (claims.signals.case_closed runs after the commit, so
        it is created here already, on the simulated clock) and its outcome so far: the
        customer answers the SMS link, or the call centre phones (once the link expired)."""
        rng = self.rng
        method = CallbackMethod.SMS if rng.random() < CALLBACK_SMS_SHARE else CallbackMethod.PHONE
        callback = do_create_callback(plan.case, method=method)
        latest = self.now - timedelta(minutes=10)
        if callback.status == CallbackStatus.SENT:
            if rng.random() < LINK_ANSWER_SHARE:
                answered = self.clock.now + timedelta(minutes=rng.uniform(10, 2 * 1440))
                if answered <= latest:
                    self.clock.now = answered
                    rating = self._rating()
                    do_submit_callback_feedback(
                        self._link_token(plan.case),
                        rating=rating,
                        comment=rng.choice(COMMENTS[rating]),
                    )
                return
            call = callback.token_expires_at
        else:
            call = self.clock.now
        caller = self._person(plan.city.code, "dispatcher")
        call = self._office_hours(call + timedelta(minutes=rng.uniform(60, 3 * 1440)))
        for _ in range(2):  # a customer not reached is tried once more
            if call > latest:
                return
            self.clock.now = call
            result = rng.choices([r for r, _ in CALL_RESULTS], [w for _, w in CALL_RESULTS])[0]
            rating = self._rating() if result == CallbackStatus.COMPLETED else None
            do_record_callback_call(
                callback,
                status=result,
                rating=rating,
                comment=rng.choice(COMMENTS[rating]) if rating else "",
                note=rng.choice(CALL_NOTES[result]),
                actor=caller,
            )
            if result != CallbackStatus.UNREACHABLE:
                return
            call = self._office_hours(call + timedelta(minutes=rng.uniform(240, 1440)))

    def _rating(self) -> int:
        return self.rng.choices((5, 4, 3, 2, 1), RATING_WEIGHTS)[0]

    @staticmethod
    def _link_token(case: Case) -> str:
        """The callback link's token, as the customer finds it in the SMS."""
        sms = SmsMessage.objects.filter(case=case, template__code=intake_sms.CALLBACK_LINK)
        return sms.latest("id").params["url"].rstrip("/").rsplit("/", 1)[-1]

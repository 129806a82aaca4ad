"""Case plans in the demo: before anything is written, every case gets its target state
(every state once there are enough cases, the rest by STATE_WEIGHTS), a feature role for some
(FEATURE_ROLES: a declined or timed-out dispatch, a delegation, the same accident reported
twice), its insurer, city, vehicles, people and property and injury, a script of steps to
its target and the moment of each step: field work round the clock, desk work in office
hours, open cases recently, finished ones over the last 90 days. Two cases get a re-survey
(复勘, RESURVEYS) that their fee charges. `PlanDemo` is a part of DemoBuilder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from lossdesk.claims.choices import CaseStatus, ResurveyReason, ReviewDecision
from lossdesk.claims.models import Case
from lossdesk.demo import injury as injury_demo
from lossdesk.demo import property as property_demo
from lossdesk.demo.firm import CITIES, INSURERS, SECOND_REVIEW_INSURER, City, Insurer
from lossdesk.demo.intake import ACCEPT_DEADLINE, AUTO_DISPATCH_CITY, LOCATED_SHARE
from lossdesk.demo.motor import CANCEL_REASONS
from lossdesk.demo.vehicles import SCENARIOS, Scenario, Vehicle
from lossdesk.intake.models import Delegation
from lossdesk.org.models import Staff

S = CaseStatus

HISTORY_DAYS = 90
# State mix of the cases (per 100); every state gets at least one case when there are enough.
# Issuing a report renders a PDF (≈1-2 s each), which dominates the run time.
STATE_WEIGHTS = {
    S.REGISTERED: 4,
    S.DISPATCHED: 4,
    S.SURVEYING: 7,
    S.ASSESSING: 11,
    S.IN_REVIEW: 8,
    S.IN_SECOND_REVIEW: 4,
    S.APPROVED: 6,
    S.AWAITING_DOCUMENTS: 7,
    S.REPORT_ISSUED: 6,
    S.CLOSED: 26,
    S.CANCELLED: 17,
}
# How long a case has been sitting in its current state (minutes): recent for the early
# states, longer further along.
DWELL_MINUTES = {
    S.REGISTERED: (10, 150),
    S.DISPATCHED: (10, 45),
    S.SURVEYING: (15, 300),
    S.ASSESSING: (60, 4 * 1440),
    S.IN_REVIEW: (30, 2 * 1440),
    S.IN_SECOND_REVIEW: (60, 2 * 1440),
    S.APPROVED: (60, 3 * 1440),
    S.AWAITING_DOCUMENTS: (120, 8 * 1440),
    S.REPORT_ISSUED: (120, 10 * 1440),
}
# Steps done at a desk, which wait for office hours (local time, from/until the hour).
DESK_ACTIONS = frozenset(
    {
        "sheets",
        "submit",
        "review",
        "second_review",
        "request_documents",
        "fulfil_documents",
        "issue",
        "close",
        "cancel",
    }
    | property_demo.DESK_ACTIONS
    | injury_demo.DESK_ACTIONS
)
OFFICE_HOURS = (8, 20)
# The branch the README's tour logs in to.
TOUR_CITY = "hangzhou"
# Re-surveys (复勘) between the first sheets and the submission, on the first report-issued
# and the first closed case without a feature role (the tour's city first), so their fees
# show the re-survey charge: (target, reason, note, recorded by the assessor).
RESURVEYS = (
    (
        S.REPORT_ISSUED,
        ResurveyReason.HIDDEN_DAMAGE,
        "修理厂拆检后发现右前大灯支架断裂、水箱框架变形，补拍照片并核对定损项目。",
        False,
    ),
    (S.CLOSED, ResurveyReason.CLIENT_REQUEST, "保险公司要求复勘，核实损失部位与更换项目。", True),
)
# Plans that show the intake features: each role takes a plan of the first of its target
# states that has one left (the targets are shuffled); the second list from 100 cases on.
FEATURE_ROLES = (
    ("decline", (S.REGISTERED,)),
    ("item_delegation", (S.ASSESSING, S.SURVEYING, S.IN_REVIEW)),
    ("delegation_accepted", (S.CLOSED, S.SURVEYING, S.ASSESSING)),
    ("delegation_refused", (S.APPROVED, S.REPORT_ISSUED, S.ASSESSING, S.CLOSED)),
    ("delegation_returned", (S.IN_REVIEW, S.SURVEYING, S.ASSESSING, S.CLOSED)),
    ("time_out", (S.CLOSED,)),
    ("duplicate", (S.CANCELLED,)),
)
MORE_FEATURE_ROLES = (
    ("decline", (S.REGISTERED,)),
    ("delegation_accepted", (S.SURVEYING, S.ASSESSING)),
    ("duplicate", (S.CANCELLED,)),
)
# Whole-case delegations (委托异地): the accident happened in the receiving branch's city.
CASE_DELEGATIONS = frozenset({"delegation_accepted", "delegation_refused", "delegation_returned"})


@dataclass
class Step:
    delay: timedelta
    action: str
    options: dict


@dataclass
class CasePlan:
    target: str
    city: City
    insurer: Insurer
    scenario: Scenario
    vehicles: list[Vehicle]
    liability: str
    property_loss: bool
    injured: int
    place: str
    people: dict[str, Staff | None]
    scene: City  # where the accident happened: the receiving city of a whole-case delegation
    location: tuple[float, float]  # of the accident
    located: bool  # whether the report carries the location
    role: str | None = None  # FEATURE_ROLES
    remote: City | None = None  # the receiving city of a delegation
    duplicate_of: CasePlan | None = None  # the plan whose accident this one reports again
    late_report: bool = False  # reported days after the accident (demo.quality)
    steps: list[Step] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)  # when each step happens
    case: Case | None = None
    requests: list = field(default_factory=list)
    accident_time: datetime | None = None
    auto_dispatched: bool = False  # by the system at registration, not yet seen by a step
    passed_over: dict[int, str] = field(default_factory=dict)  # declined / timed out: why
    delegation: Delegation | None = None
    property_plan: property_demo.PropertyPlan | None = None  # its property loss, if any
    injury_plan: injury_demo.InjuryPlan | None = None  # its injured person, if any

    @property
    def work_city(self) -> City:
        """Whose surveyors and repair shops work the case: the receiving branch's once it
        accepted the delegation."""
        return self.remote if self.role == "delegation_accepted" else self.city


class PlanDemo:
    def _targets(self) -> list[str]:
        """The target state of every case: at least one per state when there are enough
        cases, the rest in proportion to STATE_WEIGHTS."""
        n = self.case_count
        states = list(STATE_WEIGHTS)
        if n < len(states):
            ranked = sorted(states, key=lambda s: -STATE_WEIGHTS[s])
            targets = ranked[:n]
        else:
            counts = dict.fromkeys(states, 1)
            rest = n - len(states)
            total = sum(STATE_WEIGHTS.values())
            shares = {s: rest * STATE_WEIGHTS[s] / total for s in states}
            for s in states:
                counts[s] += int(shares[s])
            leftover = n - sum(counts.values())
            for s in sorted(states, key=lambda s: -(shares[s] - int(shares[s])))[:leftover]:
                counts[s] += 1
            targets = [s for s in states for _ in range(counts[s])]
        self.rng.shuffle(targets)
        return targets

    def _plan_cases(self) -> list[CasePlan]:
        targets = self._targets()
        roles = self._roles(targets)
        showcases = property_demo.showcase_hosts(targets, roles)
        injuries = injury_demo.showcase_hosts(targets, roles, set(showcases))
        plans = [
            self._plan_case(target, role, showcases.get(i), injuries.get(i))
            for i, (target, role) in enumerate(zip(targets, roles, strict=True))
            if role != "duplicate"
        ]
        originals = [
            p
            for p in plans
            if p.target == S.CLOSED and p.role is None and p.city.code != AUTO_DISPATCH_CITY
        ]
        for _ in range(roles.count("duplicate")):
            if originals:
                original = originals.pop(self.rng.randrange(len(originals)))
                plans.append(self._plan_duplicate(original))
            else:
                plans.append(self._plan_case(S.CANCELLED))
        plans.sort(key=lambda p: p.times[0])  # numbers then follow the calendar
        self._plan_resurveys(plans)
        return plans

    @staticmethod
    def _plan_resurveys(plans: list[CasePlan]) -> None:
        """A re-survey step halfway between a plan's first sheets and the step after them,
        in a plan that submits after its sheets, whatever other lines' steps lie between
        (no random draw: the other plans stay as they were)."""

        def sheets_at(plan: CasePlan) -> int | None:
            actions = [step.action for step in plan.steps]
            if "sheets" not in actions or "submit" not in actions[actions.index("sheets") :]:
                return None
            return actions.index("sheets")

        for target, reason, note, by_author in RESURVEYS:
            hosts = sorted(
                (
                    p
                    for p in plans
                    if p.target == target and p.role is None and sheets_at(p) is not None
                ),
                key=lambda p: p.city.code != TOUR_CITY,
            )
            if not hosts:
                continue
            plan = hosts[0]
            at = sheets_at(plan)
            options = {"reason": reason, "note": note, "by_author": by_author}
            plan.steps.insert(at + 1, Step(timedelta(), "resurvey", options))
            plan.times.insert(at + 1, plan.times[at] + (plan.times[at + 1] - plan.times[at]) / 2)

    @staticmethod
    def _roles(targets: list[str]) -> list[str | None]:
        """The feature role of each target (FEATURE_ROLES), None for most."""
        roles: list[str | None] = [None] * len(targets)
        wanted = FEATURE_ROLES + (MORE_FEATURE_ROLES if len(targets) >= 100 else ())
        for role, states in wanted:
            free = (
                i
                for state in states
                for i, target in enumerate(targets)
                if target == state and roles[i] is None
            )
            index = next(free, None)
            if index is not None:
                roles[index] = role
        return roles

    def _plan_case(
        self,
        target: str,
        role: str | None = None,
        showcase: tuple[str, str] | None = None,
        injury_showcase: tuple[str, str] | None = None,
    ) -> CasePlan:
        rng = self.rng
        stage, pause_at, cancel_stage = self._stage(target)
        second_review = target == S.IN_SECOND_REVIEW
        insurer = (
            next(i for i in INSURERS if i.code == SECOND_REVIEW_INSURER)
            if second_review
            else rng.choices(INSURERS, [i.weight for i in INSURERS])[0]
        )
        # The branch that dispatches automatically would dispatch these at registration.
        manual = stage == S.REGISTERED or role in CASE_DELEGATIONS
        cities = [c for c in CITIES if not (manual and c.code == AUTO_DISPATCH_CITY)]
        city = rng.choices(cities, [c.weight for c in cities])[0]
        if showcase is not None or injury_showcase is not None:
            # Showcases in the branch the README's tour logs in to.
            city = next(c for c in CITIES if c.code == TOUR_CITY)
        remote = None
        if role in CASE_DELEGATIONS:
            remote = rng.choice([c for c in CITIES if c != city])
        elif role == "item_delegation":
            remote = next(c for c in CITIES if c.province == city.province and c != city)
        scene = remote if role in CASE_DELEGATIONS else city
        scenario = rng.choices(SCENARIOS, [s.weight for s in SCENARIOS])[0]
        if (second_review and scenario.zone != "front") or role == "item_delegation":
            scenario = SCENARIOS[0]  # heavy front damage; a third-party vehicle to delegate
        if showcase is not None:  # a property showcase: an accident that damages its kind
            scenario = next(s for s in SCENARIOS if s.property_kind == showcase[1])
        elif injury_showcase is not None:  # an injury showcase: a pedestrian is hit
            scenario = next(s for s in SCENARIOS if s.pedestrian)
        insured = self._vehicle(city.plate, scenario.zone)
        third_parties = []
        for n in range(rng.choice(scenario.third_parties)):
            if n == 0 and role == "item_delegation":
                prefix = remote.plate
            else:
                prefix = scene.plate if rng.random() < 0.75 else self._neighbour_prefix(scene)
            third_parties.append(self._vehicle(prefix, scenario.tp_zone))
        heavy = second_review or rng.random() < 0.05
        minimum = insurer.threshold + 500 if second_review else Decimal(0)
        insured.lines = self._lines(insured, heavy=heavy, minimum=minimum)
        for vehicle in third_parties:
            vehicle.lines = self._lines(vehicle)
        branch = city.code
        work = remote if role == "delegation_accepted" else city
        province = city.province
        reviewer = self._person(branch, "reviewer")
        manager = self._person(branch, "branch_manager")
        people = {
            "registrar": self._person(branch, "dispatcher") if rng.random() < 0.9 else manager,
            "dispatcher": self._person(work.code, "dispatcher"),
            "surveyor": None,  # the dispatcher's pick (_do_dispatch)
            # None: the surveyor writes the sheets
            "author": None if rng.random() < 0.6 else self._person(work.code, "assessor"),
            "reviewer1": reviewer if rng.random() < 0.8 else manager,
            "reviewer2": self._person(
                province, "reviewer" if rng.random() < 0.7 else "branch_manager"
            ),
            "issuer": rng.choices(
                [reviewer, manager, self._person(province, "reviewer")], (7, 2, 1)
            )[0],
            "closer": reviewer if rng.random() < 0.75 else manager,
            "canceller": self._person(branch, "dispatcher") if rng.random() < 0.8 else manager,
        }
        if remote is not None:
            people["delegator"] = self._person(branch, "dispatcher")
            people["receiver"] = self._person(
                remote.code, "dispatcher" if rng.random() < 0.8 else "branch_manager"
            )
        road = rng.choice(scene.parkings if scenario.parking else scene.roads)
        _, lat, lng = next(d for d in scene.districts if road.startswith(d[0]))
        plan = CasePlan(
            target=target,
            city=city,
            insurer=insurer,
            scenario=scenario,
            vehicles=[insured, *third_parties],
            liability=rng.choice(scenario.liabilities),
            property_loss=rng.random() < scenario.property_loss or showcase is not None,
            injured=1 if injury_showcase or (third_parties and rng.random() < 0.04) else 0,
            place=f"{scene.name}市{road}",
            people=people,
            scene=scene,
            location=self._near(lat, lng, 0.012),
            # The cases waiting in the queue carry it: a tour dispatches them.
            located=target == S.REGISTERED or rng.random() < LOCATED_SHARE,
            role=role,
            remote=remote,
        )
        plan.property_plan = self._plan_property(plan, stage, showcase)
        plan.injury_plan = self._plan_injury(plan, stage, injury_showcase)
        steps = self._script(plan, stage, pause_at, cancel_stage)
        plan.steps = self._with_injury_steps(plan, self._with_property_steps(plan, steps))
        plan.times = self._schedule(plan)
        return plan

    def _plan_duplicate(self, original: CasePlan) -> CasePlan:
        """The same accident reported again a little later, under another claim number:
        flagged as a likely duplicate (疑似重复报案) and cancelled as one."""
        rng, city = self.rng, original.city
        plan = CasePlan(
            target=S.CANCELLED,
            city=city,
            insurer=original.insurer,
            scenario=original.scenario,
            vehicles=original.vehicles,
            liability=original.liability,
            property_loss=original.property_loss,
            injured=original.injured,
            place=original.place,
            people={
                "registrar": self._person(city.code, "dispatcher"),
                "canceller": self._person(city.code, "dispatcher"),
            },
            scene=original.scene,
            location=original.location,
            located=original.located,
            role="duplicate",
            duplicate_of=original,
        )
        start = original.times[0] + timedelta(minutes=rng.uniform(20, 240))
        cancel = self._office_hours(start + timedelta(minutes=rng.uniform(30, 600)))
        cancel = min(cancel, self.now - timedelta(minutes=10))
        plan.steps = [
            Step(timedelta(), "register", {}),
            Step(cancel - start, "cancel", {"stage": S.REGISTERED}),
        ]
        plan.times = [start, cancel]
        return plan

    def _neighbour_prefix(self, city: City) -> str:
        same_province = [c.plate for c in CITIES if c.province == city.province and c != city]
        return self.rng.choice([*same_province, "沪A", "皖A", "赣A", "闽D"])

    def _stage(self, target: str) -> tuple[str, str | None, str | None]:
        """(state where forward progress stops, state paused for documents, cancel stage)."""
        rng = self.rng
        cancel_stage = None
        if target == S.CANCELLED:
            cancel_stage = rng.choices(list(CANCEL_REASONS), (4, 2, 3, 4, 1, 1))[0]
            if cancel_stage == S.AWAITING_DOCUMENTS:
                return rng.choice((S.SURVEYING, S.ASSESSING)), cancel_stage, cancel_stage
            return cancel_stage, None, cancel_stage
        if target == S.AWAITING_DOCUMENTS:
            pause_at = rng.choices(
                (S.SURVEYING, S.ASSESSING, S.IN_REVIEW, S.APPROVED), (3, 4, 2, 1)
            )[0]
            return pause_at, pause_at, None
        return target, None, None

    def _script(self, plan: CasePlan, stage: str, pause_at, cancel_stage) -> list[Step]:
        rng = self.rng
        steps: list[Step] = []

        def add(action: str, low: float, high: float, **options) -> None:
            steps.append(Step(timedelta(minutes=rng.uniform(low, high)), action, options))

        def finish() -> list[Step]:
            if pause_at:
                add("request_documents", 30, 1440, stage=stage)
                if rng.random() < 0.2:
                    add("request_documents", 30, 600, stage=stage, extra=True)
            if cancel_stage:
                add("cancel", 30, 3 * 1440, stage=cancel_stage)
            return steps

        role = plan.role
        add("register", 0, 0)
        if role in CASE_DELEGATIONS:
            add("delegate", 5, 40)
            if role == "delegation_refused":
                add("refuse_delegation", 15, 180)
            else:
                add("accept_delegation", 10, 120)
            if role == "delegation_returned":
                add("return_delegation", 60, 600)
        if stage == S.REGISTERED:
            if role == "decline":
                add("dispatch", 3, 25)
                add("decline", 2, 9)
            return finish()
        chance = rng.random()
        add("dispatch", 3, 25)
        if role == "time_out":
            add("time_out", ACCEPT_DEADLINE + 1, ACCEPT_DEADLINE + 5)
            add("dispatch", 1, 5)
        elif chance < 0.05:  # re-dispatched before anyone accepted
            add("dispatch", 10, 35)
        elif chance < 0.1:
            add("decline", 2, 9)
            add("dispatch", 3, 15)
        if stage == S.DISPATCHED:
            return finish()
        add("accept", 2, 15)
        add("arrive", 15, 70)
        if stage == S.SURVEYING:
            if role == "item_delegation":
                add("delegate", 20, 90, item=True)
            if rng.random() < 0.6:
                add("survey", 15, 45, photos=rng.randint(0, 2))
            return finish()
        add("survey", 15, 45, photos=rng.randint(1, 3))
        add("complete_survey", 5, 30)
        if role == "item_delegation":
            add("delegate", 20, 240, item=True)
        if stage == S.ASSESSING:
            mode = rng.choices(("none", "partial", "returned", "unsubmitted"), (3, 2, 2, 2))[0]
            if role == "item_delegation":
                mode = "partial"  # the delegated third-party vehicle is assessed elsewhere
            prop = plan.property_plan
            if mode == "returned" and prop and prop.stage == property_demo.SURVEY:
                mode = "unsubmitted"  # its property is still to be assessed
            if mode == "partial" and len(plan.vehicles) > 1:
                add("sheets", 60, 2 * 1440, only=1)
            elif mode in ("unsubmitted", "partial"):
                add("sheets", 60, 2 * 1440)
            elif mode == "returned":
                add("sheets", 60, 2 * 1440)
                add("submit", 10, 240)
                add("review", 60, 1.5 * 1440, decision=ReviewDecision.RETURNED)
            return finish()
        if pause_at is None and not cancel_stage and rng.random() < 0.12:
            add("request_documents", 60, 600, stage=S.ASSESSING)
            add("fulfil_documents", 1440, 4 * 1440)
        add("sheets", 60, 2 * 1440)
        add("submit", 10, 240)
        if plan.target != S.IN_SECOND_REVIEW and rng.random() < 0.12:
            add("review", 60, 1.5 * 1440, decision=ReviewDecision.RETURNED)
            add("sheets", 120, 1440, revise=True)
            add("submit", 10, 120)
        if stage == S.IN_REVIEW:
            return finish()
        add("review", 60, 1.5 * 1440, decision=ReviewDecision.APPROVED)
        if stage == S.IN_SECOND_REVIEW:
            return finish()
        add("second_review", 120, 2 * 1440)  # skipped unless level 1 sent it to level 2
        if stage == S.APPROVED:
            return finish()
        add("issue", 120, 3 * 1440)
        if stage == S.REPORT_ISSUED:
            return finish()
        add("close", 1440, 12 * 1440)
        return finish()

    def _start(self, plan: CasePlan) -> datetime:
        """When the report was registered: the whole script must end before now, open
        cases recently, finished ones anywhere in the last 90 days."""
        rng = self.rng
        total = sum((step.delay for step in plan.steps), timedelta())
        margin = timedelta(minutes=10)
        earliest = self.now - timedelta(days=HISTORY_DAYS)
        if plan.target in (S.CLOSED, S.CANCELLED):
            span = max(timedelta(), self.now - earliest - total - margin)
            start = earliest + span * rng.random()
        else:
            low, high = DWELL_MINUTES[plan.target]
            start = self.now - timedelta(minutes=rng.uniform(low, high)) - total
            start = max(start, earliest + timedelta(hours=rng.uniform(0, 48)))
        hour = timezone.localtime(start).hour
        shift = timedelta(hours=hour + 1 + rng.uniform(0, 10))
        if hour < 6 and rng.random() < 0.8 and start - shift >= earliest:
            start -= shift  # fewer reports in the small hours
        if start + total > self.now - margin:
            start = self.now - margin - total
        return start

    def _schedule(self, plan: CasePlan) -> list[datetime]:
        """The moment of every step. Field work (reports, dispatch, the survey) goes on
        round the clock; desk work (sheets, reviews, reports, documents) waits for office
        hours. The last step must still lie in the past."""
        start = self._start(plan)
        latest = self.now - timedelta(minutes=10)
        for _ in range(6):
            times, moment = [], start
            for step in plan.steps:
                moment += step.delay
                if step.action in DESK_ACTIONS:
                    moment = self._office_hours(moment)
                times.append(moment)
            if times[-1] <= latest:
                return times
            start -= times[-1] - latest + timedelta(minutes=self.rng.uniform(10, 120))
        moment, times = latest - sum((s.delay for s in plan.steps), timedelta()), []
        for step in plan.steps:  # give up on office hours rather than on the past
            moment += step.delay
            times.append(moment)
        return times

    def _office_hours(self, moment: datetime) -> datetime:
        local = timezone.localtime(moment)
        if OFFICE_HOURS[0] <= local.hour < OFFICE_HOURS[1]:
            return moment
        day = local.date() if local.hour < OFFICE_HOURS[0] else local.date() + timedelta(days=1)
        opening = datetime.combine(day, time(OFFICE_HOURS[0], 30), tzinfo=local.tzinfo)
        return opening + timedelta(minutes=self.rng.uniform(0, 180))

"""Demo data for `manage.py seed_demo`: a believable firm (HQ, three provinces, six cities),
its staff, five insurers, repair shops and cases in every state.

Every case is driven through the real services, so states, events, numbers, sheets and PDFs
agree with each other. DemoBuilder is made of one part per subject: the firm (demo.firm),
the vehicles and their damage (demo.vehicles), the case plans (demo.plans), intake and
dispatch (demo.intake), the motor case path from survey to close (demo.motor, with its
pictures in demo.photos), property (demo.property), injury (demo.injury), fees
(demo.billing), commissions (demo.commissions) and risk alerts and staff quality
(demo.quality). This module builds them in order. Random choices come from one
`random.Random(seed)`, so a seed always gives the same firm and the same cases.

Dates: instead of rewriting dates after the fact, the builder runs each case on a simulated
clock (`DemoClock` stands in for `django.utils.timezone.now`). Every timestamp a service, an
`auto_now` field or the numbering writes (opened_at, dispatch/arrival times, events, reviews,
report numbers, the PDF's dates) falls on the simulated moment, spread over the last 90
days, and accident_time ≤ reported_at ≤ opened_at holds by construction.

The whole build runs in one transaction; if it fails, nothing is saved and the photo and
PDF files already written to storage are deleted again."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from lossdesk.claims.models import Case
from lossdesk.core.errors import ServiceError
from lossdesk.demo import billing as billing_demo
from lossdesk.demo import commissions as commission_demo
from lossdesk.demo import firm as firm_demo
from lossdesk.demo import injury as injury_demo
from lossdesk.demo import intake as intake_demo
from lossdesk.demo import motor as motor_demo
from lossdesk.demo import plans as plan_demo
from lossdesk.demo import property as property_demo
from lossdesk.demo import quality as quality_demo
from lossdesk.demo import vehicles as vehicle_demo
from lossdesk.demo.errors import DemoBuildError, DemoDataExists
from lossdesk.demo.firm import INSURERS
from lossdesk.demo.plans import CasePlan
from lossdesk.intake.choices import DispatchStatus
from lossdesk.intake.models import Callback, Delegation, Dispatch, DispatchAlert
from lossdesk.org.models import Staff

DEFAULT_PASSWORD = "LossDesk-demo-2026"  # meets AUTH_PASSWORD_VALIDATORS (three classes)
DEFAULT_CASES = 200
DEFAULT_SEED = 42


@dataclass
class DemoResult:
    staff: list[Staff]
    branches: int
    clients: int
    repair_shops: int
    cases: int
    by_status: Counter
    photos: int
    reports: int
    roster_shifts: int
    delegations: Counter
    declined: int
    timed_out: int
    auto_dispatched: int
    open_alerts: int
    callbacks: Counter
    average_rating: float | None
    duplicates: int
    seconds: float


class DemoClock:
    """Stands in for `django.utils.timezone.now` while the demo is built, so that services,
    auto_now fields and the numbering all stamp the simulated moment."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._real = None

    def __enter__(self) -> DemoClock:
        self._real = timezone.now
        timezone.now = lambda: self.now
        return self

    def __exit__(self, *exc) -> None:
        timezone.now = self._real


class DemoBuilder(
    firm_demo.FirmDemo,
    vehicle_demo.VehicleDemo,
    plan_demo.PlanDemo,
    intake_demo.IntakeDemo,
    motor_demo.MotorDemo,
    property_demo.PropertyDemo,
    injury_demo.InjuryDemo,
    billing_demo.BillingDemo,
    quality_demo.QualityDemo,
):
    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        cases: int = DEFAULT_CASES,
        password: str = DEFAULT_PASSWORD,
        progress=None,
    ) -> None:
        self.rng = random.Random(seed)
        self.case_count = cases
        self.password = password
        self.progress = progress or (lambda message: None)
        self.now = timezone.now()
        self.written_files: list[str] = []
        self.staff_plan = self._plan_staff()
        self.claim_serials: Counter = Counter()
        self.used_plates: set[str] = set()
        self.photo_count = 0
        self.report_count = 0

    # -- the run -----------------------------------------------------------------------------

    def _written(self, attachment) -> None:
        """Remember an attachment's files (the original and its derivatives) for the cleanup
        of a failed build."""
        for stored in (attachment.file, attachment.display, attachment.thumbnail):
            if stored:
                self.written_files.append(stored.name)

    def build(self) -> DemoResult:
        started = monotonic()
        try:
            with transaction.atomic():
                conflicts = self.conflicts()
                if conflicts:
                    raise DemoDataExists(conflicts)
                self._build_org()
                self._build_depreciation_rules()
                self._build_roster()
                self._build_fee_contracts()  # before any report is issued (demo/billing.py)
                plans = self._plan_cases()
                self._mark_late_reports(plans)  # demo/quality.py
                self._run_cases(plans)
                self._build_receivables()  # demo/billing.py
                commission_demo.build_commissions(self)  # an approved commission month
                self._build_alerts(plans)  # demo/quality.py
                self._build_staff_quality(plans)  # demo/quality.py
        except BaseException:
            for name in self.written_files:  # the rows are gone; remove their files too
                default_storage.delete(name)
            raise
        ids = [p.case.pk for p in plans]
        cases = Case.objects.filter(pk__in=ids)
        dispatches = Counter(Dispatch.objects.filter(case__in=ids).values_list("status", flat=True))
        callbacks = Callback.objects.filter(case__in=ids)
        ratings = [r for r in callbacks.values_list("rating", flat=True) if r is not None]
        return DemoResult(
            staff=self.staff,
            branches=len(self.branches),
            clients=len(INSURERS),
            repair_shops=sum(len(shops) for shops in self.shops.values()),
            cases=len(plans),
            by_status=Counter(cases.values_list("status", flat=True)),
            photos=self.photo_count,
            reports=self.report_count,
            roster_shifts=self.shift_count,
            delegations=Counter(
                Delegation.objects.filter(case__in=ids).values_list("status", flat=True)
            ),
            declined=dispatches[DispatchStatus.DECLINED],
            timed_out=dispatches[DispatchStatus.TIMED_OUT],
            auto_dispatched=Dispatch.objects.filter(case__in=ids, auto=True).count(),
            open_alerts=DispatchAlert.objects.filter(
                case__in=ids, resolved_at__isnull=True
            ).count(),
            callbacks=Counter(callbacks.values_list("status", flat=True)),
            average_rating=sum(ratings) / len(ratings) if ratings else None,
            duplicates=cases.filter(report__possible_duplicate_of__isnull=False).count(),
            seconds=monotonic() - started,
        )

    # -- running the plans -------------------------------------------------------------------

    def _run_cases(self, plans: list[CasePlan]) -> None:
        with DemoClock(self.now) as clock:
            self.clock = clock
            for number, plan in enumerate(plans, start=1):
                self._switch_on_auto_dispatch(plan.times[0])
                for step, moment in zip(plan.steps, plan.times, strict=True):
                    clock.now = max(clock.now, moment) if plan.case else moment
                    if plan.case is not None:
                        plan.case.refresh_from_db()
                    try:
                        getattr(self, f"_do_{step.action}")(plan, **step.options)
                    except ServiceError as exc:
                        raise DemoBuildError(
                            f"案件 {number}（目标 {plan.target}）步骤 {step.action} 失败："
                            f"{exc.message} {exc.fields or ''}"
                        ) from exc
                plan.case.refresh_from_db()
                if plan.case.status != plan.target:
                    raise DemoBuildError(
                        f"案件 {plan.case.case_no} 应为 {plan.target}，实际为 {plan.case.status}。"
                    )
                if number % 25 == 0 or number == len(plans):
                    self.progress(f"案件 {number}/{len(plans)}")
            clock.now = self.now
            self._switch_on_auto_dispatch(self.now)
            self._report_positions(plans)

"""Cases at scale for benchmarks (`manage.py seed_cases`, issue 16): realistic cases over the
demo's branches, clients and staff, written straight into the tables instead of through
the services, so a million take minutes rather than days.

Each seeded case is what the services leave behind at its state: the report with its
numbers (R/C + the local date it was opened + a counter taken from the firm-wide number
sequences, so never a number the services issue), the case with its denormalised columns
(surveyor, amounts, opened/closed times, cancel reason), its loss items (本车, 三者车,
三者物损, 人伤 by the report's counts, with their states), its dispatches (a declined one
now and then before the one that stuck; arrival minutes stored as `do_record_arrival`
does), its survey record once surveyed, and a timeline event per step (with the
before/after states the services record). Not written: assessment sheets, photos,
reviews, adjusting-report PDFs, callbacks and billing rows (the case page shows those
sections empty).

Seeded cases are marked by their report's client claim number, which starts with
`SEED_MARK`; `reset_seeded_cases` removes exactly those. PostgreSQL loads with COPY in
batches (secondary indexes and constraints rebuilt after a large load); SQLite inserts
with executemany (for tests and small demos)."""

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate, pairwise

from django.db import connection, models, transaction
from django.utils import timezone

from lossdesk.claims.choices import (
    LIABILITY_RATIOS,
    AccidentType,
    CancelReason,
    CaseStatus,
    EventType,
    Liability,
    LossItemKind,
    LossItemStatus,
    SceneType,
)
from lossdesk.claims.models import Case, CaseEvent, LossItem, SurveyRecord
from lossdesk.core.models import NumberSequence
from lossdesk.core.numbering import WIDTH, sequence_name
from lossdesk.demo.firm import (
    CITIES,
    CUSTOMER_GIVEN,
    CUSTOMER_SURNAMES,
    HQ_CODE,
    INSURERS,
    MOBILE_PREFIXES,
)
from lossdesk.demo.vehicles import MODELS
from lossdesk.intake.choices import DispatchStatus, ReportChannel
from lossdesk.intake.models import Dispatch, Report
from lossdesk.org.models import Branch, Client, ClientBranch, Staff
from lossdesk.parts.seeding import bulk_load
from lossdesk.rules.vin import check_digit

SEED_MARK = "SEED-"
BATCH = 20_000
# Above this many cases the secondary indexes and constraints are dropped for the load and
# rebuilt after it (one sort per index instead of a random insertion per row).
BULK_THRESHOLD = 50_000
HISTORY_DAYS = 730  # two years of cases
RECENT_DAYS = 90  # cases still open were opened within this

S = CaseStatus
# Share of each state (per mille): most of two years' cases are closed.
STATUS_WEIGHTS = {
    S.REGISTERED: 20,
    S.DISPATCHED: 25,
    S.SURVEYING: 35,
    S.ASSESSING: 60,
    S.IN_REVIEW: 45,
    S.IN_SECOND_REVIEW: 20,
    S.APPROVED: 30,
    S.AWAITING_DOCUMENTS: 30,
    S.REPORT_ISSUED: 35,
    S.CLOSED: 620,
    S.CANCELLED: 80,
}
# The steps (case states in order) each final state went through.
PATH = [
    S.REGISTERED,
    S.DISPATCHED,
    S.SURVEYING,
    S.ASSESSING,
    S.IN_REVIEW,
    S.IN_SECOND_REVIEW,
    S.APPROVED,
    S.REPORT_ISSUED,
    S.CLOSED,
]
PLATE_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
GIVEN = list(CUSTOMER_GIVEN)
SEED_TABLES = (
    "intake_report",
    "claims_case",
    "claims_lossitem",
    "intake_dispatch",
    "claims_caseevent",
    "claims_surveyrecord",
)


class SeedError(Exception):
    """The database is not ready for seeding (no demo firm)."""


class Table:
    """Rows of one model as tuples in its columns' order; columns a row leaves out get the
    field's default (so a column someone adds with a default does not break the seeder)."""

    def __init__(self, model: type[models.Model]):
        self.name = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = tuple(f.column for f in self.fields)
        self.defaults = []
        for f in self.fields:
            value = f.get_default()  # "" for a blank text column, None for a nullable one
            if isinstance(f, models.JSONField):
                value = json.dumps(value, ensure_ascii=False)
            self.defaults.append((f.attname, value))
        self.rows: list[tuple] = []

    def add(self, **values) -> None:
        self.rows.append(tuple(values.get(name, default) for name, default in self.defaults))

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor  # the psycopg cursor under Django's wrapper
                with raw.copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                adapt = connection.ops.adapt_datetimefield_value
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.name} ({', '.join(self.columns)}) VALUES ({marks})"
                cursor.executemany(
                    sql,
                    [
                        tuple(
                            adapt(v)
                            if isinstance(v, datetime)
                            else str(v)
                            if isinstance(v, Decimal)
                            else v
                            for v in row
                        )
                        for row in rows
                    ],
                )
        return len(rows)


@dataclass
class BranchStaff:
    branch: Branch
    registrars: list[Staff]
    surveyors: list[Staff]
    assessors: list[Staff]
    reviewers: list[Staff]
    managers: list[Staff]


@dataclass
class SeedResult:
    cases: int
    rows: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _ids(table: str, n: int) -> Iterator[int]:
    """`n` fresh primary keys of `table`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, %s)",
                [n],
            )
            return iter([row[0] for row in cursor.fetchall()])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        return iter(range(start, start + n))


def _counters(prefix: str, n: int) -> list[int]:
    """`n` values of the firm-wide counter of `prefix` (core.numbering), so a seeded number
    never collides with one the services issue."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(%s) FROM generate_series(1, %s)", [sequence_name(prefix), n]
            )
            return [row[0] for row in cursor.fetchall()]
        NumberSequence.objects.get_or_create(key=prefix)
        cursor.execute(
            "UPDATE core_numbersequence SET last_value = last_value + %s WHERE key = %s "
            "RETURNING last_value",
            [n, prefix],
        )
        last = cursor.fetchone()[0]
        return list(range(last - n + 1, last + 1))


class CaseSeeder:
    def __init__(self, cases: int, *, seed: int = 16, log: Callable[[str], None] = print):
        self.total = cases
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now()

    # -- the demo firm -------------------------------------------------------------------

    def load_firm(self) -> None:
        if not Branch.objects.filter(code=HQ_CODE).exists():
            raise SeedError(
                "没有演示机构：请先运行 manage.py seed_demo。/ No demo firm: run seed_demo first."
            )
        self.clients = list(Client.objects.filter(code__in=[i.code for i in INSURERS]))
        if not self.clients:
            raise SeedError("没有演示委托方：请先运行 manage.py seed_demo。")
        by_code = {b.code: b for b in Branch.objects.filter(code__in=[c.code for c in CITIES])}
        client_branches = {
            (cb.client_id, cb.city): cb.pk
            for cb in ClientBranch.objects.filter(client__in=self.clients).exclude(city="")
        }
        staff = list(Staff.objects.filter(is_active=True).select_related("position"))
        self.cities = []
        for city in CITIES:
            branch = by_code.get(city.code)
            if branch is None:
                continue
            people = [s for s in staff if s.branch_id == branch.pk]

            def of(*codes, people=people):
                return [s for s in people if s.position and s.position.code in codes]

            crew = BranchStaff(
                branch=branch,
                registrars=of("dispatcher") or people,
                surveyors=of("surveyor") or people,
                assessors=of("assessor") or people,
                reviewers=of("reviewer") or people,
                managers=of("branch_manager") or people,
            )
            if not people:
                continue
            self.cities.append((city, crew, city.weight))
        if not self.cities:
            raise SeedError("演示机构中没有员工：请先运行 manage.py seed_demo。")
        self.client_branches = client_branches
        self.insurers = {i.code: i for i in INSURERS}
        self.city_weights = list(accumulate(w for _, _, w in self.cities))
        self.client_weights = list(accumulate(self.insurers[c.code].weight for c in self.clients))
        self.statuses = list(STATUS_WEIGHTS)
        self.status_weights = list(accumulate(STATUS_WEIGHTS.values()))

    # -- the run -------------------------------------------------------------------------

    def run(self) -> SeedResult:
        started = time.perf_counter()
        self.load_firm()
        result = SeedResult(cases=0)
        self.tables = {
            "report": Table(Report),
            "case": Table(Case),
            "item": Table(LossItem),
            "dispatch": Table(Dispatch),
            "event": Table(CaseEvent),
            "survey": Table(SurveyRecord),
        }
        bulk = connection.vendor == "postgresql" and self.total >= BULK_THRESHOLD
        loader = bulk_load(SEED_TABLES) if bulk else _nothing()
        with loader:
            done = 0
            while done < self.total:
                n = min(BATCH, self.total - done)
                with transaction.atomic():
                    self.batch(done, n, result)
                    for key, table in self.tables.items():
                        result.rows[key] = result.rows.get(key, 0) + table.flush()
                done += n
                result.cases = done
                elapsed = time.perf_counter() - started
                rate = done / max(elapsed, 1e-9)
                self.log(f"案件 {done}/{self.total}（{elapsed:.0f} 秒，{rate:.0f} 件/秒）")
            if bulk:
                self.log("重建索引与约束……")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                self.log("VACUUM ANALYZE……")
                cursor.execute(f"VACUUM (ANALYZE) {', '.join(SEED_TABLES)}")
            else:
                cursor.execute("ANALYZE")
        result.seconds = time.perf_counter() - started
        return result

    def batch(self, offset: int, n: int, result: SeedResult) -> None:
        rng = self.rng
        case_ids = _ids("claims_case", n)
        report_ids = _ids("intake_report", n)
        report_nos = _counters("R", n)
        case_nos = _counters("C", n)
        plans = []
        for k in range(n):
            index = offset + k
            if index < len(self.statuses):  # every state, whatever the count
                status = self.statuses[index]
            else:
                status = rng.choices(self.statuses, cum_weights=self.status_weights)[0]
            plans.append(status)
        n_items = n_dispatch = n_events = 0
        items_per_case, dispatch_per_case, events_per_case = [], [], []
        # Loss items, dispatches and events per case are decided first, so their ids can be
        # taken in one round trip each.
        shapes = []
        for status in plans:
            tp = rng.choices((0, 1, 2), (35, 55, 10))[0]
            prop = rng.random() < 0.15
            injured = rng.choices((0, 1, 2), (88, 10, 2))[0]
            declined = status != S.REGISTERED and rng.random() < 0.06
            shapes.append((status, tp, prop, injured, declined))
            items = 1 + tp + prop + injured
            dispatches = _dispatch_count(status) + (declined and status != S.REGISTERED)
            events = len(_steps(status)) + 2 * declined
            items_per_case.append(items)
            dispatch_per_case.append(dispatches)
            events_per_case.append(events)
            n_items += items
            n_dispatch += dispatches
            n_events += events
        item_ids = _ids("claims_lossitem", n_items)
        dispatch_ids = _ids("intake_dispatch", n_dispatch)
        event_ids = _ids("claims_caseevent", n_events)
        survey_ids = _ids("claims_surveyrecord", n)
        for k, (status, tp, prop, injured, declined) in enumerate(shapes):
            self.case(
                status,
                case_id=next(case_ids),
                report_id=next(report_ids),
                report_counter=report_nos[k],
                case_counter=case_nos[k],
                shape=(tp, prop, injured, declined),
                ids=(item_ids, dispatch_ids, event_ids, survey_ids),
            )
            result.by_status[status] = result.by_status.get(status, 0) + 1

    def case(self, status, *, case_id, report_id, report_counter, case_counter, shape, ids):
        rng, t = self.rng, self.tables
        item_ids, dispatch_ids, event_ids, survey_ids = ids
        tp, prop, injured, declined = shape
        city, crew, _ = rng.choices(self.cities, cum_weights=self.city_weights)[0]
        client = rng.choices(self.clients, cum_weights=self.client_weights)[0]
        insurer = self.insurers[client.code]
        final = status in (S.CLOSED, S.CANCELLED)
        days = HISTORY_DAYS if final else RECENT_DAYS
        opened = self.now - timedelta(seconds=rng.uniform(600, days * 86400))
        reported = opened - timedelta(seconds=rng.uniform(2, 30))
        accident = reported - timedelta(minutes=rng.choices(((5, 120), (120, 720)), (75, 25))[0][0])
        accident -= timedelta(minutes=rng.uniform(0, 60))
        day = timezone.localtime(opened).strftime("%Y%m%d")
        case_no = f"C{day}{case_counter:0{WIDTH}d}"
        report_no = f"R{day}{report_counter:0{WIDTH}d}"
        registrar = rng.choice(crew.registrars)
        surveyor = rng.choice(crew.surveyors)
        plate = _plate(city.plate, case_id)
        model = MODELS[case_id % len(MODELS)]
        vin = _vin(model, case_id) if rng.random() < 0.95 else ""
        driver, driver_phone = self.name(), self.mobile()
        reporter, reporter_phone = (
            (driver, driver_phone) if rng.random() < 0.8 else (self.name(), self.mobile())
        )
        tp_plates = [_plate(city.plate, case_id * 7 + j + 3) for j in range(tp)]
        year = timezone.localtime(opened).year
        channel = ReportChannel.API.value if rng.random() < 0.7 else ReportChannel.UI.value
        t["report"].add(
            id=report_id,
            report_no=report_no,
            client_id=client.pk,
            client_branch_id=self.client_branches.get((client.pk, city.name)),
            client_claim_no=f"{SEED_MARK}{case_counter:0{WIDTH}d}",
            policy_no_ctpl=insurer.ctpl_no.format(
                area=city.area, year=year, serial=rng.randint(1, 9999999)
            ),
            policy_no_commercial=insurer.commercial_no.format(
                area=city.area, year=year, serial=rng.randint(1, 9999999)
            )
            if rng.random() < 0.85
            else "",
            plate=plate,
            vin=vin,
            reporter_name=reporter,
            reporter_phone=reporter_phone,
            driver_name=driver,
            driver_phone=driver_phone,
            accident_time=accident,
            accident_place=rng.choice(city.roads),
            description="",
            reported_at=reported,
            third_party_vehicles=tp,
            third_party_plates=",".join(tp_plates),
            property_loss=prop,
            injured_persons=injured,
            branch_id=crew.branch.pk,
            created_by_id=registrar.pk,
            created_at=opened,
            channel=channel,
        )
        # The timeline: one step per state the case went through.
        steps = _steps(status)
        gaps = [rng.uniform(5, 60 * 24 * 2) for _ in steps[1:]]
        room = (self.now - opened).total_seconds() / 60 - 1
        if sum(gaps) > room:  # a recent case: its steps all happened by now
            gaps = [g * room / sum(gaps) for g in gaps]
        times = [opened]
        for gap in gaps:
            times.append(times[-1] + timedelta(minutes=gap))
        closed_at = times[-1] if final else None
        cancel_from = S.DISPATCHED if status == S.CANCELLED else None
        # Loss items.
        items = [(LossItemKind.INSURED_VEHICLE, f"本车 {plate}", plate)]
        for j in range(tp):
            items.append(
                (LossItemKind.THIRD_PARTY_VEHICLE, f"三者车{j + 1} {tp_plates[j]}", tp_plates[j])
            )
        if prop:
            items.append((LossItemKind.PROPERTY, "三者物损", ""))
        for j in range(injured):
            items.append((LossItemKind.INJURY, f"伤者{j + 1}", ""))
        item_status = _item_status(status)
        for seq, (kind, label, item_plate) in enumerate(items, start=1):
            t["item"].add(
                id=next(item_ids),
                case_id=case_id,
                seq=seq,
                kind=kind.value,
                status=item_status,
                label=label,
                plate=item_plate,
            )
        surveyed = _reached(status, cancel_from, S.ASSESSING)
        dispatched = _reached(status, cancel_from, S.DISPATCHED)
        assessed = Decimal(0)
        if _reached(status, cancel_from, S.IN_REVIEW):
            assessed = Decimal(rng.randint(80, 3000) * 10 * len(items)).quantize(Decimal("0.01"))
        approved = assessed if _reached(status, cancel_from, S.APPROVED) else None
        # Dispatches: a declined one first now and then, then the one that stuck.
        events = []
        dispatch_time = times[1] if len(times) > 1 else opened
        if declined and dispatched:
            other = rng.choice(crew.surveyors)
            at = dispatch_time - timedelta(minutes=rng.uniform(10, 40))
            t["dispatch"].add(
                id=next(dispatch_ids),
                case_id=case_id,
                surveyor_id=other.pk,
                dispatched_by_id=registrar.pk,
                status=DispatchStatus.DECLINED.value,
                dispatched_at=at,
                declined_at=at + timedelta(minutes=rng.uniform(1, 8)),
                decline_reason="正在处理其他现场，无法按时到达",
            )
            events.append((EventType.DISPATCHED, registrar, at, "调度查勘员", {}))
            events.append(
                (EventType.DISPATCH_DECLINED, other, at + timedelta(minutes=5), "拒绝调度", {})
            )
        if dispatched:
            accepted = _reached(status, cancel_from, S.SURVEYING)
            arrived_at = accepted_at = None
            minutes = None
            if accepted:
                accepted_at = dispatch_time + timedelta(minutes=rng.uniform(1, 10))
                minutes = rng.choices(
                    (rng.randint(5, 10), rng.randint(11, 30), rng.randint(31, 120)), (40, 45, 15)
                )[0]
                arrived_at = dispatch_time + timedelta(minutes=minutes)
            dispatch_status = (
                DispatchStatus.ARRIVED
                if accepted
                else DispatchStatus.CANCELLED
                if status == S.CANCELLED
                else DispatchStatus.PENDING
            )
            t["dispatch"].add(
                id=next(dispatch_ids),
                case_id=case_id,
                surveyor_id=surveyor.pk,
                dispatched_by_id=registrar.pk,
                status=dispatch_status.value,
                note="请尽快联系报案人",
                recommended_surveyor_id=surveyor.pk,
                score=Decimal(rng.randint(600, 980)) / 10,
                dispatched_at=dispatch_time,
                accepted_at=accepted_at,
                arrived_at=arrived_at,
                dispatch_to_arrival_minutes=minutes,
            )
        if surveyed:
            liability = rng.choice(list(Liability))
            t["survey"].add(
                id=next(survey_ids),
                case_id=case_id,
                scene=rng.choice(list(SceneType)).value,
                accident_type=rng.choice(list(AccidentType)).value,
                liability=liability.value,
                liability_ratio=LIABILITY_RATIOS[liability],
                weather=rng.choice(("晴", "多云", "阴", "小雨", "大雨")),
                description="现场查勘：车辆受损情况与报案描述一致。",
                surveyed_by_id=surveyor.pk,
                updated_at=times[min(3, len(times) - 1)],
            )
        else:
            next(survey_ids)
        actors = {
            S.DISPATCHED: registrar,
            S.SURVEYING: surveyor,
            S.ASSESSING: surveyor,
            S.IN_REVIEW: rng.choice(crew.assessors),
            S.IN_SECOND_REVIEW: rng.choice(crew.reviewers),
            S.APPROVED: rng.choice(crew.reviewers),
            S.AWAITING_DOCUMENTS: rng.choice(crew.assessors),
            S.REPORT_ISSUED: rng.choice(crew.reviewers),
            S.CLOSED: rng.choice(crew.managers),
            S.CANCELLED: rng.choice(crew.managers),
        }
        for (event, before, target, message), at in zip(steps, times, strict=True):
            data = {}
            if event == EventType.REPORT_REGISTERED:
                message = f"登记报案 {report_no}（{client.short_name}，{plate}）"
                data = {"report_no": report_no, "loss_items": len(items), "channel": channel}
                actor = registrar
            else:
                data = {"status": [before.value, target.value]}
                actor = actors[target]
                if event == EventType.CANCELLED:
                    data["reason"] = CancelReason.CUSTOMER_WITHDREW.value
            events.append((event, actor, at, message, data))
        events.sort(key=lambda e: e[2])
        for event, actor, at, message, data in events:
            t["event"].add(
                id=next(event_ids),
                case_id=case_id,
                type=event.value,
                actor_id=actor.pk,
                created_at=at,
                message=message,
                data=json.dumps(data, ensure_ascii=False),
            )
        t["case"].add(
            id=case_id,
            case_no=case_no,
            report_id=report_id,
            client_id=client.pk,
            branch_id=crew.branch.pk,
            status=status.value,
            resume_status=S.ASSESSING.value if status == S.AWAITING_DOCUMENTS else "",
            version=len(steps),
            surveyor_id=surveyor.pk if dispatched else None,
            assessed_amount=assessed,
            approved_amount=approved,
            cancel_reason=CancelReason.CUSTOMER_WITHDREW.value if status == S.CANCELLED else "",
            cancel_note="客户来电撤案" if status == S.CANCELLED else "",
            opened_at=opened,
            closed_at=closed_at,
        )

    def name(self) -> str:
        return self.rng.choice(CUSTOMER_SURNAMES) + self.rng.choice(GIVEN)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randint(0, 99999999):08d}"


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _steps(status) -> list[tuple[EventType, S | None, S | None, str]]:
    """The events of a case now in `status`: (event, before, after, message)."""
    steps = [(EventType.REPORT_REGISTERED, None, S.REGISTERED, "")]
    events = {
        S.DISPATCHED: (EventType.DISPATCHED, "调度查勘员"),
        S.SURVEYING: (EventType.DISPATCH_ACCEPTED, "接受调度"),
        S.ASSESSING: (EventType.SURVEY_COMPLETED, "完成查勘"),
        S.IN_REVIEW: (EventType.SUBMITTED_FOR_REVIEW, "提交审核"),
        S.IN_SECOND_REVIEW: (EventType.REVIEW_APPROVED, "一级审核通过，转二级审核"),
        S.APPROVED: (EventType.REVIEW_APPROVED, "审核通过"),
        S.REPORT_ISSUED: (EventType.REPORT_ISSUED, "出具公估报告"),
        S.CLOSED: (EventType.CLOSED, "结案"),
    }
    if status == S.CANCELLED:
        path = [S.REGISTERED, S.DISPATCHED]  # cancelled before the survey
    elif status == S.AWAITING_DOCUMENTS:
        path = PATH[: PATH.index(S.ASSESSING) + 1]
    else:
        path = PATH[: PATH.index(status) + 1]
    for before, target in pairwise(path):
        event, message = events[target]
        steps.append((event, before, target, message))
    if status == S.CANCELLED:
        steps.append((EventType.CANCELLED, S.DISPATCHED, S.CANCELLED, "注销：客户撤案"))
    if status == S.AWAITING_DOCUMENTS:
        steps.append(
            (EventType.DOCUMENTS_REQUESTED, S.ASSESSING, S.AWAITING_DOCUMENTS, "发起资料补充")
        )
    return steps


def _reached(status, cancel_from, state) -> bool:
    """Whether a case now in `status` went through `state`."""
    if status == S.CANCELLED:
        return PATH.index(state) <= PATH.index(cancel_from)
    if status == S.AWAITING_DOCUMENTS:
        return PATH.index(state) <= PATH.index(S.ASSESSING)
    return PATH.index(state) <= PATH.index(status)


def _dispatch_count(status) -> int:
    return 0 if status == S.REGISTERED else 1


def _item_status(status) -> str:
    if status == S.CANCELLED:
        return LossItemStatus.CANCELLED.value
    if status in (S.IN_REVIEW, S.IN_SECOND_REVIEW):
        return LossItemStatus.SUBMITTED.value
    if status in (S.APPROVED, S.REPORT_ISSUED, S.CLOSED):
        return LossItemStatus.APPROVED.value
    return LossItemStatus.PENDING.value


def _scramble(n: int, space: int) -> int:
    """A one-to-one shuffle of 0..space-1 (space prime to the multiplier)."""
    return (n * 7_368_787 + 104_729) % space


def _plate(prefix: str, n: int) -> str:
    """A plate unique per prefix for n < 33⁵: five characters, mostly digits."""
    value = _scramble(n, 33**5)
    chars = []
    for _ in range(5):
        value, r = divmod(value, 33)
        chars.append(PLATE_CHARS[r])
    tail = "".join(chars)
    # Real plates are mostly digits: keep at most two letters, in place of digits.
    letters = [i for i, c in enumerate(tail) if c.isalpha()]
    if len(letters) > 2:
        tail = "".join(str(ord(c) % 10) if i in letters[2:] else c for i, c in enumerate(tail))
    return prefix + tail


def _vin(model, n: int) -> str:
    code = "ABCDEFGHJKLMNPRSTVWXY123456789"[n % 30]
    serial = f"{n % 1_000_000:06d}"
    vds = model.vds[:4] + VIN_CHARS[n % len(VIN_CHARS)]
    draft = f"{model.wmi}{vds}0{code}{model.plant}{serial}"
    return draft[:8] + check_digit(draft) + draft[9:]


def seeded_cases():
    """The cases seed_cases made (their report's client claim number is marked)."""
    return Case.objects.filter(report__client_claim_no__startswith=SEED_MARK)


def reset_seeded_cases() -> int:
    """Remove every case seed_cases made, with its report, loss items, dispatches, survey
    record and timeline (events are append-only for the application; this bypasses the
    model on purpose, for seeded rows only). Returns the number of cases removed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE seeded_case AS SELECT c.id AS id, c.report_id AS report_id "
            "FROM claims_case c JOIN intake_report r ON r.id = c.report_id "
            "WHERE r.client_claim_no LIKE %s",
            [SEED_MARK + "%"],
        )
        cursor.execute("SELECT COUNT(*) FROM seeded_case")
        count = cursor.fetchone()[0]
        for table in (
            "claims_caseevent",
            "intake_dispatch",
            "claims_lossitem",
            "claims_surveyrecord",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE case_id IN (SELECT id FROM seeded_case)")
        cursor.execute("DELETE FROM claims_case WHERE id IN (SELECT id FROM seeded_case)")
        cursor.execute("DELETE FROM intake_report WHERE id IN (SELECT report_id FROM seeded_case)")
        cursor.execute("DROP TABLE seeded_case")
    return count

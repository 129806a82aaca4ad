"""The statistics' daily roll-ups (reports.rollups, decision 0018) equal the raw aggregate
of the cases they sum, row for row, after any mix of changes; and the tables read from them
equal the same tables counted from the rows."""

import logging
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossdesk.claims.choices import CancelReason, CaseStatus
from lossdesk.claims.models import Case
from lossdesk.intake.models import Dispatch
from lossdesk.reports import casefacts, rollups
from lossdesk.reports.models import (
    ArrivalDay,
    ArrivalMonth,
    CaseDay,
    ClosedCase,
    ClosedDay,
    DispatchDay,
    InjuryDay,
    PropertyDay,
    StaleCase,
)
from lossdesk.reports.statistics import (
    STATISTICS,
    Filters,
    FromRollup,
    one_decimal,
    whole_months,
)
from lossdesk.reports.tasks import QUEUED, WINDOW, refresh_statistics
from lossdesk.reports.tests.conftest import MARCH

pytestmark = pytest.mark.django_db

KEY = ("day", "branch_id", "client_id")


def stored(rollup) -> dict:
    keys = (*KEY, rollup.person_attname, *(name for name, _lookup in rollup.extra_keys))
    names = list(rollup.components())
    return {
        tuple(row[k] for k in keys): {n: row[n] for n in names}
        for row in rollup.model.objects.values(*keys, *names)
    }


def raw(rollup) -> dict:
    keys = ("day_", "branch_id_", "client_id_", "person_id_")
    keys += tuple(f"{name}_" for name, _lookup in rollup.extra_keys)
    return {
        tuple(v.pop(k) for k in keys): {k: value or 0 for k, value in v.items()}
        for v in rollup.grouped(rollup.rows())
    }


def closed_case_rows(rows) -> set[tuple]:
    fields = [f.attname for f in ClosedCase._meta.concrete_fields]
    return {tuple(getattr(row, name) for name in fields) for row in rows}


def assert_rollups_equal_raw():
    rollups.refresh()
    assert not StaleCase.objects.exists()
    for rollup in rollups.ROLLUPS:
        assert stored(rollup) == raw(rollup), rollup.model.__name__
    # The monthly arrival histogram (summed from the daily one) as the dispatches give it.
    assert stored(rollups.ARRIVAL_MONTHS) == raw(ARRIVAL_MONTHS_FROM_DISPATCHES)
    # Each closed case's figures (reports.casefacts) as read from its records now, and
    # their daily sums.
    every_case = Case.objects.values_list("pk", flat=True)
    assert closed_case_rows(ClosedCase.objects.all()) == closed_case_rows(
        casefacts.compute(every_case)
    )
    assert stored(rollups.CLOSED) == raw(rollups.CLOSED)


ARRIVAL_MONTHS_FROM_DISPATCHES = rollups.ArrivalRollup(
    ArrivalMonth,
    date="dispatched_at",
    branch="case__branch",
    client="case__client",
    person="",
    person_field="tenths",
    period="month",
)

minutes = st.integers(min_value=0, max_value=60 * 24 * 5)
seconds = st.integers(min_value=0, max_value=59)


def case_change():
    return st.one_of(
        st.tuples(st.just("status"), st.sampled_from(CaseStatus.values), minutes, seconds),
        st.tuples(
            st.just("amount"),
            st.decimals(min_value=0, max_value=999_999, places=2, allow_nan=False),
        ),
        st.tuples(st.just("accept"), st.one_of(st.none(), minutes), seconds),
        st.tuples(st.just("arrive"), st.one_of(st.none(), minutes), seconds),
        st.tuples(st.just("decline"), st.booleans()),
        st.tuples(st.just("redispatch"), minutes),
    )


def apply(case: Case, change) -> None:
    """One change the services make, saved so its signals run (as a service's save does)."""
    kind, *args = change
    dispatch = case.dispatches.order_by("-dispatched_at", "-pk").first()
    if kind == "status":
        status, after, secs = args
        case.status = status
        final = status in (CaseStatus.CLOSED, CaseStatus.CANCELLED)
        case.closed_at = case.opened_at + timedelta(minutes=after, seconds=secs) if final else None
        case.save()
    elif kind == "amount":
        case.assessed_amount = args[0]
        case.save()
    elif dispatch is None or kind == "redispatch":
        after = args[0] if kind == "redispatch" else 0
        Dispatch.objects.create(
            case=case,
            surveyor=case.surveyor or (dispatch.surveyor if dispatch else case.report.created_by),
            dispatched_at=case.opened_at + timedelta(minutes=after),
        )
    elif kind in ("accept", "arrive"):
        after, secs = args
        when = None if after is None else dispatch.dispatched_at + timedelta(minutes=after)
        when = when and when + timedelta(seconds=secs)
        setattr(dispatch, "accepted_at" if kind == "accept" else "arrived_at", when)
        dispatch.save()
    else:
        dispatch.declined_at = dispatch.dispatched_at + timedelta(minutes=1) if args[0] else None
        dispatch.save()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_rollups_equal_the_raw_aggregate_after_random_changes(month, data):
    cases = list(Case.objects.select_related("report").order_by("pk"))
    changes = data.draw(
        st.lists(st.tuples(st.sampled_from(cases), case_change()), min_size=1, max_size=12)
    )
    with transaction.atomic():
        for case, change in changes:
            apply(Case.objects.select_related("report").get(pk=case.pk), change)
        # Refreshed twice in the example: between changes and at the end.
        if data.draw(st.booleans()):
            rollups.refresh()
        assert_rollups_equal_raw()
        # The dispatch table also as a branch's dispatcher and as a surveyor (scope own:
        # every arrival counted from the rows).
        firm = month.firm
        for slug, users in (
            ("reports", [month.zhejiang_manager]),
            ("dispatch", [month.zhejiang_manager, firm.zhaoliu, firm.zhangsan]),
            ("closing", [month.zhejiang_manager, firm.zhangsan]),
        ):
            statistic = STATISTICS[slug]
            for user in users:
                for group_by in statistic.groupings:
                    filters = Filters(date_from=MARCH[0], date_to=MARCH[1], group_by=group_by)
                    assert_same_table(statistic, user, filters)
        # Ranges of whole and part months (the arrival histogram's months and days).
        for start, end in PART_MONTHS:
            for group_by in ("branch", "month", "day"):
                filters = Filters(date_from=start, date_to=end, group_by=group_by)
                assert_same_table(STATISTICS["dispatch"], month.zhejiang_manager, filters)
        transaction.set_rollback(True)


PART_MONTHS = [
    (date(2026, 2, 20), date(2026, 4, 3)),  # part of February, March, part of April
    (date(2026, 3, 10), date(2026, 4, 30)),  # part of March, April
    (date(2026, 3, 2), date(2026, 3, 30)),  # no whole month
]


def test_whole_months():
    assert whole_months(date(2025, 12, 6), date(2026, 12, 5)) == (
        date(2026, 1, 1),
        date(2026, 11, 1),
    )
    assert whole_months(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 3, 1),) * 2
    assert whole_months(date(2026, 3, 2), date(2026, 4, 29)) is None
    assert whole_months(None, date(2026, 3, 31)) is None


def raw_table(statistic, user, filters):
    """The table counted from the rows: every case taken as outside the roll-up."""
    components = statistic.rollup.components()
    rows = statistic._narrowed(statistic.base(user), filters)
    grouped = {
        v.pop("_group"): v
        for v in rows.order_by()
        .values(_group=statistic.group_expression(filters.group_by))
        .annotate(**components)
    }
    total = rows.aggregate(**components)
    return (
        {k: statistic.finish(statistic._values(v)) for k, v in grouped.items()},
        statistic.finish(statistic._values(total)),
    )


def assert_same_table(statistic, user, filters):
    table = statistic.compute(user, filters)
    rows, total = raw_table(statistic, user, filters)
    medians = set(statistic.median_columns())

    def plain(values: dict) -> dict:
        return {k: v for k, v in values.items() if k not in medians}

    assert {row.key: plain(row.values) for row in table.rows} == {
        k: plain(v) for k, v in rows.items()
    }
    assert plain(table.total.values) == plain(total)
    # The medians as the window query / percentile_cont over the rows shows them (中位调度到达
    # comes from the arrival histogram, decision 0024).
    raw_medians = FromRollup.column_medians(statistic, user, filters, filters.group_by)
    for key, (by_group, whole) in raw_medians.items():
        assert {row.key: row.values[key] for row in table.rows} == {
            k: one_decimal(by_group.get(k)) for k in rows
        }, key
        assert table.total.values[key] == one_decimal(whole), key


def test_rebuild_writes_the_same_rows_as_refreshing(month):
    assert_rollups_equal_raw()
    every = (*rollups.ROLLUPS, rollups.CLOSED)
    before = {r.model: stored(r) for r in every}
    written = rollups.rebuild()
    assert written == {
        "caseday": CaseDay.objects.count(),
        "dispatchday": DispatchDay.objects.count(),
        "arrivalday": ArrivalDay.objects.count(),
        "arrivalmonth": ArrivalMonth.objects.count(),
        "propertyday": PropertyDay.objects.count(),
        "injuryday": InjuryDay.objects.count(),
        "closedcase": ClosedCase.objects.count(),
        "closedday": ClosedDay.objects.count(),
    }
    assert {r.model: stored(r) for r in every} == before


def test_a_service_change_marks_its_case_and_the_next_read_counts_it(month):
    from lossdesk.claims.services import do_cancel_case

    rollups.refresh()
    everything = Filters(group_by="branch")
    before = STATISTICS["reports"].totals(month.zhejiang_manager, everything).values
    case = Case.objects.get(pk=month.cases["A"].pk)
    do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=month.firm.zhaoliu)
    assert StaleCase.objects.filter(case_id=case.pk).exists()
    after = STATISTICS["reports"].totals(month.zhejiang_manager, everything).values
    assert after["cancelled"] == before["cancelled"] + 1
    assert after["open"] == before["open"] - 1
    assert not StaleCase.objects.exists()


@pytest.fixture
def worker_queue(settings):
    """A task backend that keeps what is enqueued for a worker and runs nothing."""
    from django.core.cache import cache
    from django.tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    cache.delete(QUEUED)
    return default_task_backend


def queued_refreshes(backend) -> int:
    return sum(r.task.name == "refresh_statistics" for r in backend.results)


def cancel(month, name):
    from lossdesk.claims.services import do_cancel_case

    case = Case.objects.get(pk=month.cases[name].pk)
    do_cancel_case(case, reason=CancelReason.DUPLICATE, actor=month.firm.zhaoliu)


def test_with_a_worker_a_window_of_commits_queues_one_refresh(
    month, worker_queue, django_capture_on_commit_callbacks
):
    rollups.refresh()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            cancel(month, "A")
        clock.shift(timedelta(seconds=2))
        with django_capture_on_commit_callbacks(execute=True):
            cancel(month, "B")
        queued = [r for r in worker_queue.results if r.task.name == "refresh_statistics"]
        assert len(queued) == 1  # the second commit fell in the window of the first
        assert queued[0].task.run_after == timezone.now() - timedelta(seconds=2) + WINDOW
        assert StaleCase.objects.count() >= 2

        assert refresh_statistics.call() == 2  # the worker runs it at the window's end: both
        assert not StaleCase.objects.exists()
        assert_rollups_equal_raw()

        clock.shift(WINDOW)  # the window is over: the next change queues another
        with django_capture_on_commit_callbacks(execute=True):
            cancel(month, "G")
        assert queued_refreshes(worker_queue) == 2


def test_with_the_cache_unreachable_the_window_is_kept_in_the_process(
    month, worker_queue, unreachable_cache, caplog, django_capture_on_commit_callbacks
):
    rollups.refresh()
    with caplog.at_level(logging.ERROR, logger="lossdesk.reports.tasks"):
        for name in ("A", "B"):
            with django_capture_on_commit_callbacks(execute=True):
                cancel(month, name)
    assert queued_refreshes(worker_queue) == 1  # the second commit fell in the first's window
    assert caplog.records
    assert {r.getMessage().split(",")[0] for r in caplog.records} == {
        "Statistics refresh window kept in this process"
    }
    assert refresh_statistics.call() == 2
    assert_rollups_equal_raw()


def test_without_a_worker_a_commit_queues_nothing_and_the_read_refreshes(
    month, django_capture_on_commit_callbacks
):
    rollups.refresh()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cancel(month, "A")
    assert callbacks  # queue_refresh ran, and left the stale case to the next read
    assert StaleCase.objects.exists()
    totals = STATISTICS["reports"].totals(month.zhejiang_manager, Filters()).values
    assert not StaleCase.objects.exists()
    assert totals["cancelled"] >= 1

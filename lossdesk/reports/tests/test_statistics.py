"""Statistics against figures computed by hand from the month in conftest.py."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from lossdesk.reports import rollups
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.reports.tests.conftest import MARCH, at

pytestmark = pytest.mark.django_db

D = Decimal


def table(slug, user, group_by="branch", **filters):
    start, end = MARCH
    return STATISTICS[slug].compute(
        user, Filters(date_from=start, date_to=end, group_by=group_by, **filters)
    )


def by_label(result) -> dict:
    return {row.label: row.values for row in result.rows}


def test_report_statistics_by_branch_match_the_hand_count(month):
    result = table("reports", month.zhejiang_manager)
    rows = by_label(result)
    assert list(rows) == ["杭州分公司", "宁波分公司"]  # most reports first
    assert rows["杭州分公司"] == {
        "reports": 6,  # A B C D G H (F was reported in February)
        "dispatched": 5,
        "open": 4,
        "closed": 1,
        "cancelled": 1,
        "cancel_rate": D("0.1667"),
        "injury": 1,
        "report_delay": D("47.5"),  # (30 + 60 + 15 + 60 + 60 + 60) / 6
        "assessed": D("4431.00"),
        "close_days": D("3.0"),
    }
    assert rows["宁波分公司"]["reports"] == 1
    assert rows["宁波分公司"]["cancel_rate"] == D("1.0000")
    assert rows["宁波分公司"]["close_days"] is None
    total = result.total.values
    assert (total["reports"], total["dispatched"], total["cancelled"]) == (7, 6, 2)
    assert total["cancel_rate"] == D("0.2857")
    assert total["report_delay"] == D("49.3")  # 345 / 7 = 49.29


def test_report_statistics_by_client_and_by_person(month):
    by_client = by_label(table("reports", month.zhejiang_manager, "client"))
    assert {k: v["reports"] for k, v in by_client.items()} == {"人保财险": 6, "太保": 1}
    by_person = by_label(table("reports", month.zhejiang_manager, "person"))
    assert {k: v["reports"] for k, v in by_person.items()} == {"赵六": 6, "吴十": 1}


def test_a_ningbo_user_counts_no_hangzhou_case(month):
    firm = month.firm
    ningbo = table("reports", firm.wushi)
    assert [row.label for row in ningbo.rows] == ["宁波分公司"]
    assert ningbo.total.values["reports"] == 1
    hangzhou = table("reports", firm.zhoujiu)
    assert [row.label for row in hangzhou.rows] == ["杭州分公司"]
    assert hangzhou.total.values["reports"] == 6
    assert table("dispatch", firm.wushi).total.values["dispatches"] == 1
    assert table("cancellation", firm.zhoujiu).total.values["cancelled"] == 1


def test_the_branch_and_client_filters_only_narrow_the_scope(month):
    firm = month.firm
    only_ningbo = table("reports", month.zhejiang_manager, branch=firm.ningbo)
    assert only_ningbo.total.values["reports"] == 1
    # a branch outside the user's scope gives nothing, not that branch's cases
    assert table("reports", firm.wushi, branch=firm.hangzhou).total.values["reports"] == 0
    cpic = table("reports", month.zhejiang_manager, client=month.cpic)
    assert cpic.total.values["reports"] == 1


def test_dispatch_statistics_by_branch_match_the_hand_count(month):
    result = table("dispatch", month.zhejiang_manager)
    rows = by_label(result)
    hangzhou = rows["杭州分公司"]
    assert hangzhou["dispatches"] == 6  # A B C, G twice, H
    assert hangzhou["accepted"] == 5
    assert hangzhou["acceptance_rate"] == D("0.8333")
    assert hangzhou["arrived"] == 4  # arrivals after 8, 25, 41 and 0 minutes
    assert hangzhou["accept_avg"] == D("4.6")  # (2 + 10 + 1 + 10 + 0) / 5
    assert hangzhou["arrival_avg"] == D("18.5")
    assert hangzhou["arrival_median"] == D("16.5")  # (8 + 25) / 2
    assert hangzhou["share_10"] == D("0.5000")
    assert hangzhou["share_30"] == D("0.7500")
    assert rows["宁波分公司"]["arrival_median"] == D("7.0")
    total = result.total.values
    assert (total["dispatches"], total["accepted"], total["arrived"]) == (7, 6, 5)
    assert total["acceptance_rate"] == D("0.8571")
    assert total["arrival_avg"] == D("16.2")  # (8 + 25 + 41 + 0 + 7) / 5
    assert total["arrival_median"] == D("8.0")  # 0 7 [8] 25 41
    assert total["share_10"] == D("0.6000")
    assert total["share_30"] == D("0.8000")
    for extra in ("declined", "timed_out"):
        if extra in total:  # the decline / time-out fields of issue 5 part A
            assert total[extra] == 0


def test_dispatch_statistics_by_day_and_week_for_the_hangzhou_manager(month):
    by_day = table("dispatch", month.firm.zhoujiu, "day")
    assert [row.key for row in by_day.rows] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 20),
    ]
    first = by_day.rows[0]
    assert first.label == "2026-03-02"
    assert (first.values["dispatches"], first.values["arrival_median"]) == (2, D("16.5"))
    by_week = table("dispatch", month.firm.zhoujiu, "week")
    weeks = {row.key: row.values for row in by_week.rows}
    assert list(weeks) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert weeks[date(2026, 3, 16)]["dispatches"] == 3  # G twice and H (Friday)
    assert weeks[date(2026, 3, 16)]["accepted"] == 2
    assert weeks[date(2026, 3, 16)]["arrival_median"] == D("0.0")
    assert by_week.rows[2].label == "2026年第12周（03-16起）"
    by_month = table("dispatch", month.firm.zhoujiu, "month")
    assert [(row.label, row.values["dispatches"]) for row in by_month.rows] == [("2026-03", 6)]


def test_dispatch_statistics_by_surveyor(month):
    rows = by_label(table("dispatch", month.zhejiang_manager, "person"))
    assert rows["张三"]["dispatches"] == 6
    assert rows["王五"]["arrival_avg"] == D("7.0")


def test_a_day_is_a_beijing_day(month):
    """A report at 00:30 Beijing time (16:30 UTC the day before) counts on the Beijing day,
    and a date filter takes whole Beijing days."""
    firm = month.firm
    with time_machine.travel(at(3, 5, 0, 30), tick=False):
        firm.registered_case(
            client_claim_no="MIDNIGHT", reported_at=at(3, 5, 0, 30), accident_time=at(3, 5, 0)
        )
    result = STATISTICS["reports"].compute(
        firm.zhoujiu,
        Filters(date_from=date(2026, 3, 5), date_to=date(2026, 3, 5), group_by="day"),
    )
    assert [(row.label, row.values["reports"]) for row in result.rows] == [("2026-03-05", 1)]
    open_range = STATISTICS["reports"].compute(firm.zhoujiu, Filters(group_by="month"))
    assert [(row.label, row.values["reports"]) for row in open_range.rows] == [
        ("2026-02", 1),
        ("2026-03", 7),
    ]


def test_cancellation_statistics_by_branch_reason_and_person(month):
    result = table("cancellation", month.zhejiang_manager)
    rows = by_label(result)
    assert rows["杭州分公司"]["cancelled"] == 1
    assert rows["杭州分公司"]["reason_duplicate"] == 1
    assert rows["杭州分公司"]["hours"] == D("2.5")  # opened 08:00, cancelled 10:30
    assert rows["宁波分公司"]["reason_customer_withdrew"] == 1
    assert result.total.values["hours"] == D("1.8")  # (2.5 + 1) / 2 = 1.75
    (reasons,) = result.subtables
    shares = {row.label: (row.values["count"], row.values["share"]) for row in reasons.rows}
    assert shares["重复报案"] == (1, D("0.5000"))
    assert shares["客户撤案"] == (1, D("0.5000"))
    assert shares["无损失"] == (0, D("0.0000"))
    by_person = by_label(table("cancellation", month.zhejiang_manager, "person"))
    assert {k: v["cancelled"] for k, v in by_person.items()} == {"赵六": 1, "吴十": 1}


def test_statistics_cost_the_same_number_of_queries_however_many_cases(
    month, django_assert_max_num_queries
):
    rollups.refresh()  # the month's cases changed: their roll-up rows are recomputed once
    # stale check (transaction, lock) + roll-up rows grouped + the delegated cases' rows
    # grouped + median per group + median of the total + labels
    with django_assert_max_num_queries(9):
        table("dispatch", month.zhejiang_manager, "person")
    with django_assert_max_num_queries(7):
        table("reports", month.zhejiang_manager, "day")

"""Delegation and callback statistics (the delegation and callback models of issue 5 part A),
against figures computed by hand. Built on the month in conftest.py:

- delegations from 杭州 to 宁波: A requested 03-02 12:00, accepted by 吴十 14:00 (2 h);
  B requested 03-04 09:00, refused 10:00 (1 h); C requested 03-09 15:00, not answered.
- callbacks by phone, 张三 the surveyor of each case: H (closed 03-23) rated 4 on 03-24;
  I (closed 03-25) rated 2 on 03-26; J (closed 03-27) declined by the customer on 03-28.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from lossdesk.intake.services.callbacks import do_create_callback, do_record_callback_call
from lossdesk.intake.services.delegation import (
    do_accept_delegation,
    do_refuse_delegation,
    do_request_delegation,
)
from lossdesk.reports.statistics import STATISTICS, Filters
from lossdesk.reports.tests.conftest import MARCH, at
from lossdesk.testing import PASSWORD

pytestmark = pytest.mark.django_db

D = Decimal


def compute(slug, user, group_by, **filters):
    start, end = MARCH
    return STATISTICS[slug].compute(
        user, Filters(date_from=start, date_to=end, group_by=group_by, **filters)
    )


@pytest.fixture
def delegations(month):
    firm, cases = month.firm, month.cases
    with time_machine.travel(at(3, 2, 12), tick=False) as clock:
        a = do_request_delegation(cases["A"], to_branch=firm.ningbo, actor=firm.zhaoliu)
        clock.move_to(at(3, 2, 14))
        do_accept_delegation(a, actor=firm.wushi)
        clock.move_to(at(3, 4, 9))
        b = do_request_delegation(cases["B"], to_branch=firm.ningbo, actor=firm.zhaoliu)
        clock.move_to(at(3, 4, 10))
        do_refuse_delegation(b, reason="人手不足", actor=firm.wushi)
        clock.move_to(at(3, 9, 15))
        do_request_delegation(cases["C"], to_branch=firm.ningbo, actor=firm.zhaoliu)
    return month


def test_delegation_statistics_by_route_count_each_status(delegations):
    result = compute("delegation", delegations.zhejiang_manager, "route")
    ((label, values),) = [(row.label, row.values) for row in result.rows]
    assert label == "杭州分公司 → 宁波分公司"
    assert values["delegations"] == 3
    assert (values["status_requested"], values["status_accepted"], values["status_refused"]) == (
        1,
        1,
        1,
    )
    assert values["decision_hours"] == D("1.5")  # (2 + 1) / 2; C is unanswered
    column_labels = [c.label for c in result.columns]
    assert column_labels[:4] == ["委托数", "待接收", "已接收", "已拒绝"]


def test_delegation_statistics_by_sending_and_receiving_branch_and_by_day(delegations):
    manager = delegations.zhejiang_manager
    sending = compute("delegation", manager, "from_branch")
    assert [(r.label, r.values["delegations"]) for r in sending.rows] == [("杭州分公司", 3)]
    receiving = compute("delegation", manager, "to_branch")
    assert [(r.label, r.values["delegations"]) for r in receiving.rows] == [("宁波分公司", 3)]
    by_day = compute("delegation", manager, "day")
    assert [(r.key, r.values["delegations"]) for r in by_day.rows] == [
        (date(2026, 3, 2), 1),
        (date(2026, 3, 4), 1),
        (date(2026, 3, 9), 1),
    ]


def test_the_receiving_branch_counts_the_delegations_it_can_see(delegations):
    firm = delegations.firm
    # 宁波 sees the cases delegated to it while the delegation is open (A, C), not B
    ningbo = compute("delegation", firm.wushi, "route")
    assert ningbo.total.values["delegations"] == 2
    nanjing_staff = firm.staff("njdispatch", "南京调度", "dispatcher", firm.nanjing)
    assert compute("delegation", nanjing_staff, "route").total.values["delegations"] == 0


@pytest.fixture
def callbacks(month):
    firm = month.firm
    closed = {"H": month.cases["H"]}
    for name, day in (("I", 25), ("J", 27)):
        with time_machine.travel(at(3, day, 9), tick=False):
            closed[name] = firm.closed_case(
                client_claim_no=f"CL-{name}", reported_at=at(3, day, 8), accident_time=at(3, day, 7)
            )
    outcomes = {"H": (24, "completed", 4), "I": (26, "completed", 2), "J": (28, "declined", None)}
    for name, (day, status, rating) in outcomes.items():
        with time_machine.travel(at(3, day, 10), tick=False):
            callback = do_create_callback(closed[name], method="phone")
            do_record_callback_call(callback, status=status, rating=rating, actor=firm.zhaoliu)
    return month


def test_callback_statistics_by_surveyor_match_the_hand_count(callbacks):
    result = compute("callback", callbacks.zhejiang_manager, "person")
    ((label, values),) = [(row.label, row.values) for row in result.rows]
    assert label == "张三"
    assert values["callbacks"] == 3
    assert values["rated"] == 2
    assert values["rating_avg"] == D("3.00")
    assert (values["rating_4"], values["rating_2"], values["rating_5"]) == (1, 1, 0)
    assert values["satisfaction"] == D("0.5000")


def test_callback_statistics_are_scoped_and_dated(callbacks):
    firm = callbacks.firm
    assert compute("callback", firm.wushi, "branch").total.values["callbacks"] == 0
    by_week = compute("callback", firm.zhoujiu, "week")
    assert [(r.key, r.values["callbacks"]) for r in by_week.rows] == [
        (date(2026, 3, 23), 3)  # 03-24, 03-26 and 03-28 fall in one week
    ]


def test_the_delegation_and_callback_pages_render_and_export(client, delegations, callbacks):
    assert client.login(username="zjmanager", password=PASSWORD)
    period = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    for slug, testid in (
        ("delegation", "stats-table-delegation"),
        ("callback", "stats-table-callback"),
    ):
        response = client.get(reverse("reports:statistic", args=[slug]), period)
        assert response.status_code == 200
        assert f'data-testid="{testid}"' in response.content.decode()
        export = client.get(reverse("reports:export", args=[slug]), period)
        assert export.status_code == 200

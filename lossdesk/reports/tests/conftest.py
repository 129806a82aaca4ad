"""A month of work with known times, built through the services on a travelling clock, for
statistics checked against figures computed by hand (see test_statistics.py).

All times are Beijing time in March 2026 unless said otherwise:

| case | branch | client | reported (accident) | dispatch → accept → arrive | end |
|---|---|---|---|---|---|
| A | 杭州 | 人保 | 03-02 09:00 (08:30) | 09:05 → 09:07 → 09:13 (8 min) | open |
| B | 杭州 | 人保 | 03-02 10:00 (09:00) | 10:00 → 10:10 → 10:25 (25 min) | open |
| C | 杭州 | 太保 | 03-09 14:00 (13:45), 1 hurt | 14:00 → 14:01 → 14:41 (41 min) | open |
| D | 杭州 | 人保 | 03-10 08:00 (07:00) | — | cancelled 10:30 by 赵六: 重复 |
| E | 宁波 | 人保 | 03-03 11:00 (10:00) | 王五 11:00 → 11:02 → 11:07 | 12:00 吴十 cancels: 撤案 |
| G | 杭州 | 人保 | 03-16 09:00 (08:00) | 09:00 (superseded); 09:20 → 09:30 | open, not arrived |
| H | 杭州 | 人保 | 03-20 09:00 (08:00) | 09:00 → 09:00 → 09:00 (0 min) | closed 03-23 09:00 |
| F | 杭州 | 人保 | 02-27 09:00 (08:00) | — | open (outside March) |
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lossdesk.claims import services as claims_services
from lossdesk.claims.choices import CancelReason
from lossdesk.intake.services.dispatch import (
    do_accept_dispatch,
    do_dispatch_case,
    do_record_arrival,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.org.models import Client
from lossdesk.testing import Firm

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Month:
    firm: Firm
    cpic: Client
    zhejiang_manager: object
    cases: dict


class Clock:
    def __init__(self, traveller):
        self.traveller = traveller

    def to(self, moment: datetime) -> None:
        self.traveller.move_to(moment)


def _register(firm, clock, reported, accident, actor=None, **data):
    clock.to(reported)
    claim_no = f"CL{reported:%m%d%H%M}"
    report = firm.report_data(
        client_claim_no=claim_no, reported_at=reported, accident_time=accident, **data
    )
    return do_register_report(report, actor=actor or firm.zhaoliu)


def _dispatch(firm, clock, case, surveyor, dispatcher, times):
    dispatched, accepted, arrived = times
    clock.to(dispatched)
    do_dispatch_case(case, surveyor=surveyor, actor=dispatcher)
    if accepted:
        clock.to(accepted)
        do_accept_dispatch(case, actor=surveyor)
    if arrived:
        clock.to(arrived)
        do_record_arrival(case, actor=surveyor)


@pytest.fixture
def month(firm) -> Month:
    cpic = Client.objects.create(
        code="cpic", name="中国太平洋财产保险股份有限公司", short_name="太保"
    )
    manager = Firm.staff("zjmanager", "浙江经理", "branch_manager", firm.zhejiang)
    cases = {}
    with time_machine.travel(at(2, 27, 9), tick=False) as traveller:
        clock = Clock(traveller)
        cases["F"] = _register(firm, clock, at(2, 27, 9), at(2, 27, 8))

        cases["A"] = _register(firm, clock, at(3, 2, 9), at(3, 2, 8, 30))
        _dispatch(
            firm, clock, cases["A"], firm.zhangsan, firm.zhaoliu,
            (at(3, 2, 9, 5), at(3, 2, 9, 7), at(3, 2, 9, 13)),
        )  # fmt: skip
        cases["B"] = _register(firm, clock, at(3, 2, 10), at(3, 2, 9))
        _dispatch(
            firm, clock, cases["B"], firm.zhangsan, firm.zhaoliu,
            (at(3, 2, 10), at(3, 2, 10, 10), at(3, 2, 10, 25)),
        )  # fmt: skip
        cases["E"] = _register(
            firm, clock, at(3, 3, 11), at(3, 3, 10), actor=firm.wushi, plate="浙B88888"
        )
        _dispatch(
            firm, clock, cases["E"], firm.wangwu, firm.wushi,
            (at(3, 3, 11), at(3, 3, 11, 2), at(3, 3, 11, 7)),
        )  # fmt: skip
        clock.to(at(3, 3, 12))
        claims_services.do_cancel_case(
            cases["E"], reason=CancelReason.CUSTOMER_WITHDREW, actor=firm.wushi
        )
        cases["C"] = _register(
            firm, clock, at(3, 9, 14), at(3, 9, 13, 45),
            client=cpic, client_branch=None, injured_persons=1,
        )  # fmt: skip
        _dispatch(
            firm, clock, cases["C"], firm.zhangsan, firm.zhaoliu,
            (at(3, 9, 14), at(3, 9, 14, 1), at(3, 9, 14, 41)),
        )  # fmt: skip
        cases["D"] = _register(firm, clock, at(3, 10, 8), at(3, 10, 7))
        clock.to(at(3, 10, 10, 30))
        claims_services.do_cancel_case(
            cases["D"], reason=CancelReason.DUPLICATE, actor=firm.zhaoliu
        )
        cases["G"] = _register(firm, clock, at(3, 16, 9), at(3, 16, 8))
        clock.to(at(3, 16, 9))
        do_dispatch_case(cases["G"], surveyor=firm.zhangsan, actor=firm.zhaoliu)
        _dispatch(
            firm, clock, cases["G"], firm.zhangsan, firm.zhaoliu,
            (at(3, 16, 9, 20), at(3, 16, 9, 30), None),
        )  # fmt: skip
        clock.to(at(3, 20, 9))
        cases["H"] = firm.issued_case(
            client_claim_no="CL-H", reported_at=at(3, 20, 9), accident_time=at(3, 20, 8)
        )
        clock.to(at(3, 23, 9))
        claims_services.do_close_case(cases["H"], actor=firm.lisi)
        traveller.move_to(at(4, 1, 9))
    yield Month(firm=firm, cpic=cpic, zhejiang_manager=manager, cases=cases)


@pytest.fixture
def april_first():
    """Today is 2026-04-01 for pages that default to the last 30 days."""
    with time_machine.travel(at(4, 1, 9) + timedelta(minutes=1), tick=False):
        yield
